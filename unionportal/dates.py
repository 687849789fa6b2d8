"""The one set of date bounds for forms, imports and the API.

Each date field of a model carries one of these validators, so a ModelForm, an
import (``full_clean``), a service and the API all refuse the same dates with the
same message. A date outside the bounds is refused before anything computes with it
(a term's planned end, a report's month), so no date ever answers a server error.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The founding of the People's Republic: no union record in the portal is older.
EARLIEST = date(1949, 1, 1)
# How far ahead a planned date may lie.
YEARS_AHEAD = 10


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest_date(years_ahead: int = YEARS_AHEAD) -> date:
    return _years_after(timezone.localdate(), years_ahead)


@deconstructible
class DateBounds:
    """Refuses a date before ``earliest`` or after today plus ``years_ahead`` years
    (after today itself with ``not_future``)."""

    def __init__(
        self,
        *,
        earliest: date = EARLIEST,
        years_ahead: int = YEARS_AHEAD,
        not_future: bool = False,
    ):
        self.earliest = earliest
        self.years_ahead = years_ahead
        self.not_future = not_future

    def latest(self) -> date:
        return (
            timezone.localdate() if self.not_future else latest_date(self.years_ahead)
        )

    def __call__(self, value) -> None:
        if not isinstance(value, date):
            return
        if value < self.earliest:
            raise ValidationError(
                _("Enter a date on or after %(date)s."),
                code="date_too_early",
                params={"date": self.earliest.isoformat()},
            )
        if self.not_future and value > timezone.localdate():
            raise ValidationError(
                _("This date cannot be in the future."), code="date_in_future"
            )
        latest = self.latest()
        if value > latest:
            raise ValidationError(
                _("Enter a date no later than %(date)s."),
                code="date_too_late",
                params={"date": latest.isoformat()},
            )

    def __eq__(self, other):
        return (
            isinstance(other, DateBounds)
            and self.earliest == other.earliest
            and self.years_ahead == other.years_ahead
            and self.not_future == other.not_future
        )

    def __hash__(self):
        return hash((self.earliest, self.years_ahead, self.not_future))


# The bounds the models use, by what the date is.
any_date = DateBounds()  # events, deadlines, plans: 1949 to ten years ahead
past_date = DateBounds(not_future=True)  # what has happened: a term's start
birth_date = DateBounds(earliest=date(1900, 1, 1), not_future=True)


def check_date(model, field: str, value) -> None:
    """Runs a model field's validators on a value before a service computes with it,
    raising the error under the field's name."""
    try:
        model._meta.get_field(field).run_validators(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
