"""Change history (django-simple-history) turned into rows a page can show.

Every app's history panel comes from ``history_rows``: one timeline, newest first, of
the records of one or more models, each row saying who changed what from which value
to which. Consecutive records of one object are compared with simple-history's
``diff_against`` on the fields a person would recognise, in Python: no query per row.
The rows render with ``templates/partials/history.html``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

# Derived or bookkeeping fields: they change with others and say nothing new.
SKIPPED_FIELDS = {
    "path",
    "depth",
    "created_at",
    "updated_at",
    "planned_end",
    "order",
    "version",
}
KIND_LABELS = {"+": _("New record"), "~": _("Changed"), "-": _("Deleted")}
EMPTY = "–"


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


def _display(field, value, masks) -> str:
    if value is None or value == "":
        return EMPTY
    if field.name in masks:
        return masks[field.name](str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    # As the pages show times: the reader's local time, to the minute (a stored
    # "2026-10-04 02:00:00+00:00" is 10:00 in Beijing).
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    return str(value)


def _shown_fields(model) -> dict[str, models.Field]:
    return {
        f.name: f
        for f in model._meta.concrete_fields
        if f.editable
        and f.name not in SKIPPED_FIELDS
        and not f.primary_key
        # Related rows are named by the page itself (the union, the term, the
        # project); their ids would only add noise.
        and not f.is_relation
    }


def _changes(record, previous, fields, masks) -> list[Change]:
    if previous is None:
        if record.history_type != "+":
            return []
        return [
            Change(str(f.verbose_name), EMPTY, _display(f, value, masks))
            for f in fields.values()
            if (value := getattr(record, f.attname, None)) not in (None, "")
        ]
    delta = record.diff_against(previous, included_fields=list(fields))
    return [
        Change(
            str(fields[change.field].verbose_name),
            _display(fields[change.field], change.old, masks),
            _display(fields[change.field], change.new, masks),
        )
        for change in delta.changes
    ]


def history_rows(
    *record_sets: tuple[Callable | None, Iterable],
    masks: dict[str, Callable[[str], str]] | None = None,
    limit: int = 30,
) -> list[HistoryRow]:
    """The newest ``limit`` changes across ``record_sets``.

    Each set is ``(subject, records)``: historical records with ``history_user``
    loaded, and a function naming a record's object on the page (or None). A record
    is compared with the previous record of the same object in its set, so a set
    should hold every record of the objects it shows. ``masks`` maps personal fields
    to a function that hides most of the value (phone and ID numbers).
    """
    masks = masks or {}
    rows = []
    for subject, records in record_sets:
        records = list(records)
        if not records:
            continue
        fields = _shown_fields(records[0].instance_type)
        by_object = defaultdict(list)
        for record in records:
            by_object[record.id].append(record)
        for versions in by_object.values():
            versions.sort(key=lambda r: (r.history_date, r.history_id))
            previous = None
            for record in versions:
                changes = _changes(record, previous, fields, masks)
                previous = record
                if record.history_type == "~" and not changes:
                    continue  # saved without a visible change
                user = record.history_user
                rows.append(
                    HistoryRow(
                        when=record.history_date,
                        who=(user.get_full_name() or user.get_username())
                        if user
                        else "",
                        kind=str(KIND_LABELS.get(record.history_type, "")),
                        subject=str(subject(record)) if subject else "",
                        changes=changes,
                    )
                )
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]
