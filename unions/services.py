from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import notices
from accounts.models import Notification, User
from accounts.services import notification_send
from unionportal.dates import check_date

from .dates import planned_end_for
from .models import OfficeTerm, Person, Position, Union
from .validators import normalise_resident_id


@transaction.atomic
def union_create(*, parent: Union | None = None, **fields) -> Union:
    union = Union(parent=parent, **fields)
    union.full_clean(exclude=["path"])
    union.save()
    union.path = union.build_path()
    union.depth = union.path.count("/") - 2
    union.save(update_fields=["path", "depth"])
    return union


@transaction.atomic
def union_update(*, union: Union, **fields) -> Union:
    """Changes a union; moving it under another parent moves its whole subtree."""
    old_path = union.path
    new_parent = fields.pop("parent", union.parent)
    for name, value in fields.items():
        setattr(union, name, value)
    if new_parent != union.parent:
        if new_parent is not None and new_parent.path.startswith(old_path):
            raise ValidationError(
                {
                    "parent": _(
                        "A union cannot be moved under itself or one of its own sub-unions."
                    )
                }
            )
        union.parent = new_parent
    union.full_clean(exclude=["path"])
    new_path = union.build_path()
    if new_path != old_path:
        union.path = new_path
        union.depth = new_path.count("/") - 2
        depth_change = union.depth - (old_path.count("/") - 2)
        # One UPDATE rewrites every descendant's path prefix, whatever the subtree size.
        Union.objects.filter(path__startswith=old_path).exclude(pk=union.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
    union.save()
    return union


# --- unions: activation ------------------------------------------------------------


def union_deactivate(*, union: Union) -> Union:
    """Marks a union inactive; unions are never deleted once anything refers to them."""
    if not union.is_active:
        return union
    active_children = union.children.filter(is_active=True).count()
    if active_children:
        raise ValidationError(
            ngettext(
                "%(count)s sub-union of this union is still active; deactivate it first.",
                "%(count)s sub-unions of this union are still active; deactivate them first.",
                active_children,
            )
            % {"count": active_children}
        )
    return union_update(union=union, is_active=False)


def union_activate(*, union: Union) -> Union:
    if union.is_active:
        return union
    if union.parent_id and not union.parent.is_active:
        raise ValidationError(
            _("Its higher union %(parent)s is inactive; activate that one first.")
            % {"parent": union.parent.name}
        )
    return union_update(union=union, is_active=True)


# --- people and positions ------------------------------------------------------------


PERSON_FIELDS = ("name", "gender", "birth_date", "phone", "id_number")


def person_save(*, person: Person, **fields) -> Person:
    """Creates or changes a person; the ID number is stored in its normal form."""
    for name, value in fields.items():
        if name not in (*PERSON_FIELDS, "union"):
            raise TypeError(name)
        setattr(person, name, value)
    person.id_number = normalise_resident_id(person.id_number)
    person.phone = (person.phone or "").strip()
    person.full_clean()
    person.save()
    return person


def person_find_or_create(
    *, union: Union, name: str, gender: str = "", phone: str = "", id_number: str = ""
) -> Person:
    """The person with this ID number if one is on record, or a new person."""
    id_number = normalise_resident_id(id_number)
    if id_number:
        existing = Person.objects.filter(id_number=id_number).first()
        if existing is not None:
            if existing.name != name:
                raise ValidationError(
                    _(
                        "The ID number given for %(name)s belongs to %(other)s, who is "
                        "already on record."
                    )
                    % {"name": name, "other": existing.name}
                )
            changes = {}
            if phone and phone != existing.phone:
                changes["phone"] = phone
            if gender and gender != existing.gender:
                changes["gender"] = gender
            return person_save(person=existing, **changes) if changes else existing
    return person_save(
        person=Person(union=union),
        name=name,
        gender=gender,
        phone=phone,
        id_number=id_number,
    )


def position_add(
    *, term: OfficeTerm, person: Person, role: str, start: date | None = None
) -> Position:
    if term.closed:
        raise ValidationError(_("Officers can only be added to a term that is open."))
    start = start or term.start
    if start < term.start:
        raise ValidationError(
            {
                "start": _("An office cannot start before its term (%(date)s).")
                % {"date": term.start.isoformat()}
            }
        )
    if (
        role == Position.Role.CHAIR
        and term.positions.filter(role=Position.Role.CHAIR, is_current=True).exists()
    ):
        raise ValidationError(
            {"role": _("This term already has a chair; end that office first.")}
        )
    position = Position(
        person=person, union=term.union, term=term, role=role, start=start
    )
    # The one-chair rule was checked above with a clear message, and a new current
    # office without an end cannot break the check constraints: validating them
    # again would cost three queries per officer. The database enforces them.
    position.full_clean(validate_constraints=False)
    position.save()
    return position


@transaction.atomic
def officer_add(
    *,
    term: OfficeTerm,
    name: str,
    role: str,
    start: date,
    gender: str = "",
    phone: str = "",
    id_number: str = "",
) -> Position:
    """Adds an officer to a term: the person on record with this ID number, or a
    new person."""
    person = person_find_or_create(
        union=term.union, name=name, gender=gender, phone=phone, id_number=id_number
    )
    return position_add(term=term, person=person, role=role, start=start)


def position_end(*, position: Position, end: date) -> Position:
    if not position.is_current:
        raise ValidationError(_("This office has already ended."))
    if end < position.start:
        raise ValidationError(
            {
                "end": _("An office cannot end before it started (%(date)s).")
                % {"date": position.start.isoformat()}
            }
        )
    position.end, position.is_current = end, False
    position.full_clean()
    position.save()
    return position


# --- office terms --------------------------------------------------------------------


def _set_term_dates(term: OfficeTerm) -> None:
    # The start is checked first: a date out of bounds (9999-12-31) has no
    # planned end to compute.
    check_date(OfficeTerm, "start", term.start)
    if term.start is not None and term.length_years:
        term.planned_end = planned_end_for(term.start, int(term.length_years))


@transaction.atomic
def term_open(
    *,
    union: Union,
    start: date,
    length_years: int,
    number: int | None = None,
) -> OfficeTerm:
    """Opens a union's current term; a union has one open term at a time."""
    if OfficeTerm.objects.filter(union=union, closed=False).exists():
        raise ValidationError(
            _("%(union)s already has a current term; close it by a change of term.")
            % {"union": union.name}
        )
    if number is None:
        last = union.terms.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
    elif union.terms.filter(number=number).exists():
        raise ValidationError(
            {
                "number": _("%(union)s already has a term %(number)s.")
                % {"union": union.name, "number": number}
            }
        )
    term = OfficeTerm(
        union=union, number=number, start=start, length_years=length_years
    )
    _set_term_dates(term)
    # The two unique constraints were checked above with messages naming the union,
    # and a new open term cannot break the check constraints; skipping their
    # one-query-each validation keeps an import of hundreds of unions quick. The
    # database still enforces all of them.
    term.full_clean(validate_constraints=False)
    term.save()
    return term


@transaction.atomic
def term_update(
    *,
    term: OfficeTerm,
    start: date,
    length_years: int,
    number: int,
    version: int | None = None,
) -> OfficeTerm:
    """Corrects a term's number, start or length; its planned end follows.

    ``version`` is the one the edit form was drawn from: when the term was saved
    since (by someone else, or by a step of a change of term), the save is refused
    and nothing changes, rather than overwriting what they saved.
    """
    stored = OfficeTerm.objects.select_for_update().get(pk=term.pk)
    if version is not None and stored.version != version:
        raise ValidationError(
            _(
                "Someone else saved this term while you were editing it. Reload "
                "the page to see their changes, then make yours again."
            ),
            code="stale",
        )
    term.version = stored.version
    if (
        number != term.number
        and term.union.terms.filter(number=number).exclude(pk=term.pk).exists()
    ):
        raise ValidationError(
            {
                "number": _("%(union)s already has a term %(number)s.")
                % {"union": term.union.name, "number": number}
            }
        )
    if term.actual_end is not None and start > term.actual_end:
        raise ValidationError(
            {
                "start": _("A term cannot start after it ended (%(date)s).")
                % {"date": term.actual_end.isoformat()}
            }
        )
    term.number, term.start, term.length_years = number, start, length_years
    _set_term_dates(term)
    term.full_clean()
    term.save()
    return term


@transaction.atomic
def term_close(*, term: OfficeTerm, end: date) -> OfficeTerm:
    """Closes a term and ends every office held in it on the same day."""
    if term.closed:
        raise ValidationError(_("This term is already closed."))
    if end < term.start:
        raise ValidationError(
            _("A term cannot end before it started (%(date)s).")
            % {"date": term.start.isoformat()}
        )
    term.actual_end, term.closed = end, True
    term.full_clean()
    term.save()
    # Saved one by one so that each ended office gets its history record.
    for position in term.positions.filter(is_current=True):
        position.end = max(end, position.start)
        position.is_current = False
        # end >= start and "ended, so not current" hold by construction.
        position.full_clean(validate_constraints=False)
        position.save()
    return term


# --- reminders ----------------------------------------------------------------------


def _admins_with_scope():
    """Active administrators, each with the union path their scope starts at."""
    admins = (
        User.objects.filter(is_active=True)
        .filter(Q(is_union_admin=True) | Q(is_superuser=True))
        .select_related("union")
    )
    return [
        (admin, admin.union.path if admin.union_id else "/")
        for admin in admins
        if admin.union_id or admin.is_superuser
    ]


def term_reminders_send(*, at: date) -> int:
    """Tells admins in scope and the union's cadres that a term became due or overdue.

    Each term notifies once per threshold: the ``dedupe_key`` is unique per
    recipient, so a job that runs every day (or twice) sends nothing new.
    """
    terms = list(
        OfficeTerm.objects.open()
        .with_status_in([OfficeTerm.Status.DUE, OfficeTerm.Status.OVERDUE], at)
        .select_related("union")
    )
    if not terms:
        return 0
    admins = _admins_with_scope()
    cadres: dict[int, list] = {}
    for cadre in User.objects.filter(
        is_active=True, is_cadre=True, union_id__in={t.union_id for t in terms}
    ):
        cadres.setdefault(cadre.union_id, []).append(cadre)
    keys = {f"term-{t.pk}-{t.status_today}" for t in terms}
    already = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    sent = 0
    for term in terms:
        key = f"term-{term.pk}-{term.status_today}"
        recipients = [a for a, path in admins if term.union.path.startswith(path)]
        recipients += cadres.get(term.union_id, [])
        recipients = [r for r in recipients if (r.pk, key) not in already]
        sent += len(
            notification_send(
                recipients=recipients,
                kind=TERM_OVERDUE
                if term.status_today == OfficeTerm.Status.OVERDUE
                else TERM_DUE,
                params={
                    "union": notices.bilingual(term.union),
                    "number": term.number,
                    "end": term.planned_end.isoformat(),
                },
                url=term.get_absolute_url(),
                dedupe_key=key,
            )
        )
    return sent


TERM_DUE = "unions.term_due"
TERM_OVERDUE = "unions.term_overdue"


def _term_values(params) -> dict:
    return {
        "union": notices.pick(params["union"]),
        "number": params["number"],
        "end": date_format(date.fromisoformat(params["end"])),
    }


def _render_term_overdue(params):
    values = _term_values(params)
    return (
        _("Term overdue: %(union)s") % values,
        _(
            "Term %(number)s of %(union)s was planned to end on %(end)s and no "
            "new term has been elected yet. Start the change of term now."
        )
        % values,
    )


def _render_term_due(params):
    values = _term_values(params)
    return (
        _("Term due: %(union)s") % values,
        _(
            "Term %(number)s of %(union)s ends on %(end)s. Plan the change of "
            "term and submit the request to the higher union in good time."
        )
        % values,
    )


def register_notice_kinds() -> None:
    notices.register(
        TERM_DUE,
        label=gettext_lazy("An office term falls due"),
        render=_render_term_due,
    )
    notices.register(
        TERM_OVERDUE,
        label=gettext_lazy("An office term is overdue"),
        render=_render_term_overdue,
    )
