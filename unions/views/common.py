"""What the unions app's pages share."""

from unionportal.access import (
    ADMIN,
)
from unionportal.history import history_rows

from ..masking import PERSONAL_FIELDS
from ..models import (
    TermChange,
)

PAGE_SIZE = 25


State = TermChange.State


def _is_admin(user) -> bool:
    return user.has_role(ADMIN)


def _history(model_history, *, show_personal, limit=20, subject=None):
    records = model_history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[: limit + 10]
    return history_rows(
        (subject, records),
        masks=None if show_personal else PERSONAL_FIELDS,
        limit=limit,
    )
