"""The import's columns and rows: one definition for the template and the reader."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.xlsx import (
    header_key,
)

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")

UNION_COLUMNS = [
    ("code", gettext_lazy("Code")),
    ("name_zh", gettext_lazy("Name (Chinese)")),
    ("name_en", gettext_lazy("Name (English)")),
    ("kind", gettext_lazy("Kind")),
    ("parent_code", gettext_lazy("Higher union code")),
    ("member_count", gettext_lazy("Members")),
    ("term_number", gettext_lazy("Term number")),
    ("term_start", gettext_lazy("Term start")),
    ("term_years", gettext_lazy("Term length (years)")),
]
OFFICER_COLUMNS = [
    ("union_code", gettext_lazy("Union code")),
    ("name", gettext_lazy("Full name")),
    ("gender", gettext_lazy("Gender")),
    ("role", gettext_lazy("Office")),
    ("phone", gettext_lazy("Phone")),
    ("id_number", gettext_lazy("ID number")),
]


@dataclass
class Row:
    sheet: str
    number: int
    values: dict
    errors: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return _text(self.values.get("code") or self.values.get("name"))


@dataclass
class ImportPreview:
    unions: list[Row]
    officers: list[Row]
    sheet_errors: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[Row]:
        return [r for r in (*self.unions, *self.officers) if r.errors]

    @property
    def is_valid(self) -> bool:
        return not self.sheet_errors and not self.error_rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value, *, label, row: Row, minimum=0):
    text = _text(value)
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        row.errors.append(
            _("%(column)s must be a whole number, not “%(value)s”.")
            % {"column": label, "value": text}
        )
        return None
    if number < minimum:
        row.errors.append(
            _("%(column)s must be at least %(minimum)s.")
            % {"column": label, "minimum": minimum}
        )
        return None
    return number


def _date(value, *, label, row: Row):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        row.errors.append(
            _("%(column)s must be a date such as 2024-03-31, not “%(value)s”.")
            % {"column": label, "value": _text(value)}
        )
        return None


def _keyed(values: dict, aliases: dict) -> dict:
    return {
        aliases[header_key(h)]: v for h, v in values.items() if header_key(h) in aliases
    }
