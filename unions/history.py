"""Change history (django-simple-history) turned into rows a page can show."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .masking import mask_id_number, mask_phone

PERSONAL_FIELDS = {"phone": mask_phone, "id_number": mask_id_number}
# Derived or bookkeeping fields: they change with others and say nothing new.
SKIPPED_FIELDS = {"path", "depth", "created_at", "updated_at", "planned_end", "order"}
KIND_LABELS = {"+": _("New record"), "~": _("Changed"), "-": _("Deleted")}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: object
    who: str
    kind: str
    subject: str
    changes: list


def _display(field, value, *, show_personal: bool) -> str:
    if value is None or value == "":
        return "–"
    if field.name in PERSONAL_FIELDS and not show_personal:
        return PERSONAL_FIELDS[field.name](str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    return str(value)


def _fields(record):
    return [
        f
        for f in record.instance_type._meta.concrete_fields
        if f.editable
        and f.name not in SKIPPED_FIELDS
        and not f.primary_key
        # Related rows are named by the page itself (the union, the term, the
        # person); showing their ids would only add noise.
        and not f.is_relation
    ]


def history_rows(
    records, *, show_personal: bool, subject=None, limit: int = 20
) -> list[HistoryRow]:
    """Rows for the newest ``limit`` records, each with what changed.

    ``records`` are historical records of one or more objects, newest first, with
    ``history_user`` loaded; each is compared with the object's previous record
    in the same list, so no further query is made.
    """
    records = list(records)
    previous_of = {}
    seen: dict = {}
    for record in reversed(records):
        previous_of[record.history_id] = seen.get(record.id)
        seen[record.id] = record
    rows = []
    for record in records[:limit]:
        previous = previous_of.get(record.history_id)
        changes = []
        for field in _fields(record):
            attname = field.attname
            new = getattr(record, attname, None)
            if previous is None:
                if record.history_type != "+" or new in (None, ""):
                    continue
                old = None
            else:
                old = getattr(previous, attname, None)
                if old == new:
                    continue
            changes.append(
                Change(
                    field=str(field.verbose_name),
                    old=_display(field, old, show_personal=show_personal),
                    new=_display(field, new, show_personal=show_personal),
                )
            )
        if record.history_type == "~" and not changes:
            continue
        user = record.history_user
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else "",
                kind=str(KIND_LABELS.get(record.history_type, record.history_type)),
                subject=str(subject(record)) if subject else "",
                changes=changes,
            )
        )
    return rows
