"""The change of an office term (换届) as a workflow.

planned → submitted (request to the higher union) → approved → election_held →
result_approved → completed, and cancelled from any step before completion.

Administrators in scope take every step. A cadre of the union takes the steps the
union carries out itself (planning, submitting the request, recording the
election) for their own union only; the approvals belong to the higher union.
"""

import functools
import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.roles import Role
from unionportal.uploads import validate_upload

from .models import (
    ElectedOfficer,
    OfficeTerm,
    Position,
    TermChange,
    TermChangeStep,
    Union,
)
from .services import person_find_or_create, position_add, term_close, term_open

logger = logging.getLogger(__name__)
State = TermChange.State

NEXT_STEP = {
    State.PLANNED: State.SUBMITTED,
    State.SUBMITTED: State.APPROVED,
    State.APPROVED: State.ELECTION_HELD,
    State.ELECTION_HELD: State.RESULT_APPROVED,
    State.RESULT_APPROVED: State.COMPLETED,
}
PREVIOUS_STEP = {step: previous for previous, step in NEXT_STEP.items()}

# The steps a union carries out itself; the others are the higher union's.
UNION_STEPS = frozenset({State.PLANNED, State.SUBMITTED, State.ELECTION_HELD})

# What the button of each step says.
STEP_ACTIONS = {
    State.PLANNED: gettext_lazy("Plan the change of term"),
    State.SUBMITTED: gettext_lazy("Submit the request to the higher union"),
    State.APPROVED: gettext_lazy("Approve the request"),
    State.ELECTION_HELD: gettext_lazy("Record the election"),
    State.RESULT_APPROVED: gettext_lazy("Approve the election result"),
    State.COMPLETED: gettext_lazy("Complete: open the new term"),
    State.CANCELLED: gettext_lazy("Cancel the change of term"),
}

# What the date of each step means.
STEP_DATE_LABELS = {
    State.PLANNED: gettext_lazy("Date of the plan"),
    State.SUBMITTED: gettext_lazy("Date the request was submitted"),
    State.APPROVED: gettext_lazy("Date of approval"),
    State.ELECTION_HELD: gettext_lazy("Election date"),
    State.RESULT_APPROVED: gettext_lazy("Date the result was approved"),
    State.COMPLETED: gettext_lazy("Completion date"),
    State.CANCELLED: gettext_lazy("Date of cancellation"),
}


def can_take_step(user, union: Union, step: str) -> bool:
    """Whether ``user`` may take ``step`` of a change of term of ``union``.

    The caller has already checked that the union is visible to the user.
    """
    if not user.is_authenticated or user.is_read_only:
        return False
    if user.has_role(Role.ADMIN):
        # The approvals (and the completion) belong to the higher union: an
        # administrator of the union itself takes its own steps but never approves
        # its own request or result, unless nobody is above (the top of a tree).
        own = user.union_id == union.pk and union.parent_id is not None
        return not (own and step not in UNION_STEPS and step != State.CANCELLED)
    return (
        step in UNION_STEPS and user.has_role(Role.CADRE) and user.union_id == union.pk
    )


def next_step(change: TermChange) -> str | None:
    return NEXT_STEP.get(change.state)


@dataclass(frozen=True)
class Officer:
    """An officer as entered at the election step."""

    name: str
    role: str
    gender: str = ""
    phone: str = ""
    id_number: str = ""


def _check_date(*, day: date, change: TermChange | None, step: str) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(
            {"date": _("The date of a step cannot be in the future.")}
        )
    if change is None:
        return
    last = change.steps.order_by("-date").values_list("date", flat=True).first()
    if last is not None and day < last:
        raise ValidationError(
            {
                "date": _(
                    "The date cannot be before that of the previous step (%(date)s)."
                )
                % {"date": date_format(last)}
            }
        )


# The documents stored by the service under way; removed again when it fails.
_stored_documents: ContextVar[list | None] = ContextVar(
    "stored_documents", default=None
)


def _documents_removed_on_error(service):
    """A step document is written to storage before its transaction commits; when
    the service fails after that (a check, a constraint, the database) and its
    transaction is rolled back, the file is deleted too, so that no document is
    left on disk without its step."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        stored: list = []
        token = _stored_documents.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                try:
                    storage.delete(name)
                except OSError:  # already gone is what was wanted
                    logger.warning("step document %s could not be deleted", name)
            raise
        finally:
            _stored_documents.reset(token)

    return wrapper


def _record_step(
    *, change: TermChange, step: str, by, day: date, comment: str, document
) -> TermChangeStep:
    record = TermChangeStep(change=change, step=step, date=day, comment=comment, by=by)
    if document:
        validate_upload(document)
        suffix = PurePath(document.name).suffix.lower()
        record.document_name = PurePath(document.name).name[:255]
        # The stored name is random: nothing the browser sent ends up in a path.
        record.document.save(f"{uuid.uuid4().hex}{suffix}", document, save=False)
        _stored_documents.get([]).append(
            (record.document.storage, record.document.name)
        )
    record.full_clean()
    record.save()
    return record


@_documents_removed_on_error
@transaction.atomic
def term_change_plan(
    *,
    union: Union,
    by,
    day: date,
    planned_election_date: date | None = None,
    new_term_years: int = OfficeTerm.Length.FIVE,
    comment: str = "",
    document=None,
) -> TermChange:
    """Starts a change of term for a union: the first step, 'planned'."""
    if not union.is_active:
        raise ValidationError(_("This union is inactive; it holds no elections."))
    if TermChange.objects.active().filter(union=union).exists():
        raise ValidationError(
            _("A change of term is already under way for %(union)s.")
            % {"union": union.name}
        )
    _check_date(day=day, change=None, step=State.PLANNED)
    old_term = OfficeTerm.objects.filter(union=union, closed=False).first()
    change = TermChange(
        union=union,
        old_term=old_term,
        planned_election_date=planned_election_date,
        new_term_years=new_term_years,
        created_by=by,
    )
    change.full_clean()
    change.save()
    _record_step(
        change=change,
        step=State.PLANNED,
        by=by,
        day=day,
        comment=comment,
        document=document,
    )
    return change


def _lock(change: TermChange) -> TermChange:
    # The row lock makes two people taking the same step one after the other: the
    # second sees the new state and is refused.
    return TermChange.objects.select_for_update().get(pk=change.pk)


def _refuse_out_of_order(change: TermChange, step: str) -> None:
    if change.state == PREVIOUS_STEP.get(step):
        return
    if change.state in TermChange.FINAL_STATES:
        raise ValidationError(
            _("This change of term is %(state)s; no further step can be taken.")
            % {"state": change.get_state_display().lower()}
        )
    expected = NEXT_STEP[change.state]
    raise ValidationError(
        _(
            "“%(step)s” cannot be done now: the change of term is at “%(state)s”, "
            "so the next step is “%(next)s”. Nothing was changed."
        )
        % {
            "step": State(step).label,
            "state": change.get_state_display(),
            "next": State(expected).label,
        }
    )


def _check_officers(officers: list[Officer]) -> list[ElectedOfficer]:
    if not officers:
        raise ValidationError(_("Enter the officers who were elected."))
    chairs = sum(1 for o in officers if o.role == Position.Role.CHAIR)
    if chairs != 1:
        raise ValidationError(
            _("Exactly one chair must be elected; %(count)s were entered.")
            % {"count": chairs}
        )
    numbers = [o.id_number for o in officers if o.id_number]
    if len(numbers) != len(set(numbers)):
        raise ValidationError(_("The same ID number was entered for two officers."))
    return [
        ElectedOfficer(
            name=o.name.strip(),
            role=o.role,
            gender=o.gender,
            phone=o.phone.strip(),
            id_number=o.id_number,
            order=index,
        )
        for index, o in enumerate(officers)
    ]


@_documents_removed_on_error
@transaction.atomic
def term_change_advance(
    *,
    change: TermChange,
    step: str,
    by,
    day: date,
    comment: str = "",
    document=None,
    officers: list[Officer] | None = None,
    new_term_years: int | None = None,
) -> TermChange:
    """Takes the next step of a change of term; any other step is refused.

    Recording the election stores the elected officers; completing the change
    closes the old term and its offices and opens the new term with them.
    """
    if step not in PREVIOUS_STEP:
        raise ValidationError(_("There is no such step."))
    change = _lock(change)
    _refuse_out_of_order(change, step)
    _check_date(day=day, change=change, step=step)
    if step == State.ELECTION_HELD:
        elected = _check_officers(officers or [])
        if change.old_term_id and day < change.old_term.start:
            raise ValidationError(
                {"date": _("The election cannot be before the outgoing term began.")}
            )
        change.election_date = day
        if new_term_years:
            change.new_term_years = new_term_years
        change.elected.all().delete()
        for officer in elected:
            officer.change = change
            officer.full_clean()
            officer.save()
    _record_step(
        change=change, step=step, by=by, day=day, comment=comment, document=document
    )
    if step == State.COMPLETED:
        _complete(change)
    change.state = step
    change.full_clean()
    change.save()
    return change


def _complete(change: TermChange) -> None:
    """Closes the old term and its offices, opens the new one with its officers."""
    current = (
        OfficeTerm.objects.select_for_update()
        .filter(union=change.union, closed=False)
        .first()
    )
    if (current.pk if current else None) != change.old_term_id:
        raise ValidationError(
            _(
                "The union's current term is no longer the one this change started "
                "from; cancel this change and plan a new one."
            )
        )
    start = change.election_date
    if current is not None:
        term_close(term=current, end=start)
    new_term = term_open(
        union=change.union, start=start, length_years=change.new_term_years
    )
    for officer in change.elected.all():
        person = person_find_or_create(
            union=change.union,
            name=officer.name,
            gender=officer.gender,
            phone=officer.phone,
            id_number=officer.id_number,
        )
        position_add(term=new_term, person=person, role=officer.role, start=start)
    change.new_term = new_term


@_documents_removed_on_error
@transaction.atomic
def term_change_cancel(
    *, change: TermChange, by, day: date, comment: str, document=None
) -> TermChange:
    change = _lock(change)
    if change.state in TermChange.FINAL_STATES:
        raise ValidationError(
            _("This change of term is %(state)s; no further step can be taken.")
            % {"state": change.get_state_display().lower()}
        )
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the change is cancelled.")})
    _check_date(day=day, change=change, step=State.CANCELLED)
    _record_step(
        change=change,
        step=State.CANCELLED,
        by=by,
        day=day,
        comment=comment,
        document=document,
    )
    change.state = State.CANCELLED
    change.full_clean()
    change.save()
    return change
