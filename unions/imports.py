"""The union list and its officers in and out of Excel.

An import is always: upload → preview with every row's errors → confirm → all rows
in one transaction. Nothing is written while any row is wrong.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.xlsx import (
    choice_lookup,
    column_aliases,
    header_key,
    new_workbook,
    sheet_rows,
    write_sheet,
)

from .models import Gender, OfficeTerm, Person, Position, Union
from .services import (
    person_find_or_create,
    position_add,
    term_open,
    union_create,
)
from .validators import normalise_resident_id, validate_phone, validate_resident_id

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


def _classify(workbook):
    """Finds the unions sheet and the officers sheet by their headers."""
    union_aliases, officer_aliases = (
        column_aliases(UNION_COLUMNS),
        column_aliases(OFFICER_COLUMNS),
    )
    unions_sheet = officers_sheet = None
    for sheet in workbook.worksheets:
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        headers = {header_key(h) for h in first if h is not None}
        keys_u = {union_aliases[h] for h in headers if h in union_aliases}
        keys_o = {officer_aliases[h] for h in headers if h in officer_aliases}
        if unions_sheet is None and {"code", "name_zh", "kind"} <= keys_u:
            unions_sheet = sheet
        elif officers_sheet is None and {"union_code", "name", "role"} <= keys_o:
            officers_sheet = sheet
    return unions_sheet, officers_sheet


def union_import_parse(*, workbook, user) -> ImportPreview:
    """Reads and checks every row; writes nothing."""
    unions_sheet, officers_sheet = _classify(workbook)
    if unions_sheet is None:
        return ImportPreview(
            unions=[],
            officers=[],
            sheet_errors=[
                _(
                    "No sheet with the columns Code, Name (Chinese) and Kind was found. "
                    "Start from the template."
                )
            ],
        )
    union_aliases = column_aliases(UNION_COLUMNS)
    union_rows = [
        Row(unions_sheet.title, number, _keyed(values, union_aliases))
        for number, values in sheet_rows(unions_sheet)
    ]
    officer_rows = []
    if officers_sheet is not None:
        officer_aliases = column_aliases(OFFICER_COLUMNS)
        officer_rows = [
            Row(officers_sheet.title, number, _keyed(values, officer_aliases))
            for number, values in sheet_rows(officers_sheet)
        ]
    preview = ImportPreview(unions=union_rows, officers=officer_rows)
    if not union_rows and not officer_rows:
        preview.sheet_errors.append(_("The sheet has no rows to import."))
        return preview
    _check_unions(union_rows, user)
    _check_officers(officer_rows, union_rows, user)
    return preview


def _first_by_code(rows: list[Row]) -> dict[str, Row]:
    """Rows by code; a duplicated code keeps its first row (the others are errors)."""
    found: dict[str, Row] = {}
    for row in rows:
        code = (row.values.get("code") or "").lower()
        if code and code not in found:
            found[code] = row
    return found


def _check_unions(rows: list[Row], user) -> None:
    labels = dict(UNION_COLUMNS)
    kinds = choice_lookup(Union.Kind.choices)
    codes_in_sheet: dict[str, int] = {}
    for row in rows:
        code = _text(row.values.get("code"))
        row.values["code"] = code
        if not code:
            row.errors.append(_("The code is missing."))
        elif len(code) > 30 or not CODE_PATTERN.fullmatch(code):
            row.errors.append(
                _(
                    "The code “%(code)s” may only hold letters, digits, hyphens and "
                    "underscores (30 at most)."
                )
                % {"code": code}
            )
        elif code.lower() in codes_in_sheet:
            row.errors.append(
                _("The code %(code)s appears twice: also in row %(row)s.")
                % {"code": code, "row": codes_in_sheet[code.lower()]}
            )
        else:
            codes_in_sheet[code.lower()] = row.number
        name_zh = _text(row.values.get("name_zh"))
        row.values["name_zh"] = name_zh
        if not name_zh:
            row.errors.append(_("The Chinese name is missing."))
        elif len(name_zh) > 200:
            row.errors.append(_("The Chinese name is longer than 200 characters."))
        row.values["name_en"] = _text(row.values.get("name_en"))[:200]
        kind_text = _text(row.values.get("kind"))
        kind = kinds.get(header_key(kind_text))
        if kind is None:
            row.errors.append(
                _("Unknown kind “%(kind)s”; use one of: %(choices)s.")
                % {
                    "kind": kind_text,
                    "choices": ", ".join(
                        str(label) for _v, label in Union.Kind.choices
                    ),
                }
            )
        row.values["kind"] = kind
        row.values["kind_label"] = Union.Kind(kind).label if kind else ""
        row.values["member_count"] = (
            _int(row.values.get("member_count"), label=labels["member_count"], row=row)
            or 0
        )
        start = _date(row.values.get("term_start"), label=labels["term_start"], row=row)
        row.values["term_start"] = start
        number = _int(
            row.values.get("term_number"),
            label=labels["term_number"],
            row=row,
            minimum=1,
        )
        years = _int(row.values.get("term_years"), label=labels["term_years"], row=row)
        if years is not None and years not in (3, 5):
            row.errors.append(
                _("A term lasts 3 or 5 years, not %(years)s.") % {"years": years}
            )
        if start is None and (number or years):
            row.errors.append(
                _("Give the term start, or leave the term columns empty.")
            )
        if start is not None:
            # The model's own bounds, as the form and the API apply them.
            try:
                OfficeTerm._meta.get_field("start").run_validators(start)
            except ValidationError as exc:
                row.errors.extend(
                    f"{labels['term_start']}: {message}" for message in exc.messages
                )
        row.values["term_number"] = number or 1
        row.values["term_years"] = years or 5

    sheet_codes = [r.values["code"] for r in rows if r.values["code"]]
    existing = set(
        Union.objects.annotate(code_upper=Upper("code"))
        .filter(code_upper__in=[c.upper() for c in sheet_codes])
        .values_list("code", flat=True)
    )
    existing_lower = {c.lower() for c in existing}
    parent_codes = {_text(r.values.get("parent_code")) for r in rows} - {""}
    visible_parents = {
        u.code.lower(): u
        for u in Union.objects.visible_to(user).filter(code__in=parent_codes)
    }
    by_code = _first_by_code(rows)
    for row in rows:
        code = row.values["code"]
        if code and code.lower() in existing_lower:
            row.errors.append(
                _("A union with the code %(code)s already exists.") % {"code": code}
            )
        parent_code = _text(row.values.get("parent_code"))
        row.values["parent_code"] = parent_code
        row.values["parent"] = None
        if not parent_code:
            if not (user.is_superuser and user.union_id is None):
                row.errors.append(_("The higher union code is missing."))
            continue
        if parent_code.lower() == code.lower():
            row.errors.append(_("A union cannot be its own higher union."))
            continue
        parent = visible_parents.get(parent_code.lower())
        parent_row = by_code.get(parent_code.lower())
        if parent is not None:
            row.values["parent"] = parent
            if parent.is_grassroots:
                row.errors.append(
                    _("%(code)s is a grassroots union; it cannot have sub-unions.")
                    % {"code": parent_code}
                )
        elif parent_row is not None and parent_row is not row:
            if parent_row.values.get("kind") in Union.GRASSROOTS_KINDS:
                row.errors.append(
                    _("%(code)s is a grassroots union; it cannot have sub-unions.")
                    % {"code": parent_code}
                )
        else:
            row.errors.append(
                _(
                    "Unknown higher union code %(code)s: it is neither in this sheet "
                    "nor among the unions you manage."
                )
                % {"code": parent_code}
            )
    _check_loops(rows, by_code)


def _check_loops(rows: list[Row], by_code: dict) -> None:
    for row in rows:
        seen = set()
        current = row
        while current is not None and current.values.get("parent") is None:
            code = current.values.get("code", "").lower()
            if code in seen:
                row.errors.append(
                    _("The higher-union codes in this sheet go round in a circle.")
                )
                break
            seen.add(code)
            parent_code = current.values.get("parent_code", "").lower()
            current = by_code.get(parent_code) if parent_code else None


def _check_officers(rows: list[Row], union_rows: list[Row], user) -> None:
    roles = choice_lookup(Position.Role.choices)
    genders = choice_lookup(Gender.choices)
    sheet_unions = _first_by_code(union_rows)
    codes = {_text(r.values.get("union_code")) for r in rows} - {""}
    db_unions = {
        u.code.lower(): u
        for u in Union.objects.visible_to(user)
        .filter(code__in=codes)
        .prefetch_related("terms")
    }
    chairs: dict[str, int] = {}
    ids_in_sheet: dict[str, int] = {}
    for code in Position.objects.filter(
        union__in=list(db_unions.values()), is_current=True, role=Position.Role.CHAIR
    ).values_list("union__code", flat=True):
        chairs[code.lower()] = 0
    id_numbers = {
        normalise_resident_id(_text(r.values.get("id_number"))) for r in rows
    } - {""}
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=id_numbers)}
    for row in rows:
        values = row.values
        code = _text(values.get("union_code"))
        values["union_code"] = code
        values["union"] = None
        if not code:
            row.errors.append(_("The union code is missing."))
        elif code.lower() in sheet_unions:
            if sheet_unions[code.lower()].values.get("term_start") is None:
                row.errors.append(
                    _(
                        "Union %(code)s has no term start in the unions sheet, so its "
                        "officers have no term to belong to."
                    )
                    % {"code": code}
                )
        elif code.lower() in db_unions:
            union = db_unions[code.lower()]
            values["union"] = union
            if not any(not t.closed for t in union.terms.all()):
                row.errors.append(
                    _("Union %(code)s has no current term to add officers to.")
                    % {"code": code}
                )
        else:
            row.errors.append(
                _(
                    "Unknown union code %(code)s: it is neither in the unions sheet "
                    "nor among the unions you manage."
                )
                % {"code": code}
            )
        name = _text(values.get("name"))
        values["name"] = name
        if not name:
            row.errors.append(_("The name is missing."))
        elif len(name) > 100:
            row.errors.append(_("The name is longer than 100 characters."))
        role_text = _text(values.get("role"))
        values["role"] = roles.get(header_key(role_text))
        values["role_label"] = (
            Position.Role(values["role"]).label if values["role"] else ""
        )
        if values["role"] is None:
            row.errors.append(
                _("Unknown office “%(role)s”; use one of: %(choices)s.")
                % {
                    "role": role_text,
                    "choices": ", ".join(
                        str(label) for _v, label in Position.Role.choices
                    ),
                }
            )
        elif values["role"] == Position.Role.CHAIR and code:
            if code.lower() in chairs:
                row.errors.append(
                    _("Union %(code)s already has a chair%(where)s.")
                    % {
                        "code": code,
                        "where": (
                            _(" (row %(row)s)") % {"row": chairs[code.lower()]}
                            if chairs[code.lower()]
                            else ""
                        ),
                    }
                )
            else:
                chairs[code.lower()] = row.number
        gender_text = _text(values.get("gender"))
        values["gender"] = (
            genders.get(header_key(gender_text), "") if gender_text else ""
        )
        if gender_text and not values["gender"]:
            row.errors.append(
                _("Unknown gender “%(gender)s”.") % {"gender": gender_text}
            )
        phone = _text(values.get("phone"))
        values["phone"] = phone
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                row.errors.extend(exc.messages)
        number = normalise_resident_id(_text(values.get("id_number")))
        values["id_number"] = number
        if number:
            try:
                validate_resident_id(number)
            except ValidationError as exc:
                row.errors.extend(exc.messages)
            else:
                if number in ids_in_sheet:
                    row.errors.append(
                        _("The same ID number is in row %(row)s.")
                        % {"row": ids_in_sheet[number]}
                    )
                else:
                    ids_in_sheet[number] = row.number
                known = people.get(number)
                if known is not None and known.name != name:
                    row.errors.append(
                        _(
                            "This ID number belongs to %(other)s, who is already on record."
                        )
                        % {"other": known.name}
                    )


@transaction.atomic
def union_import_apply(*, preview: ImportPreview) -> dict:
    """Writes every row of a checked preview, or nothing."""
    if not preview.is_valid:
        raise ValidationError(_("The sheet has errors; nothing was imported."))
    created: dict[str, Union] = {}
    pending = list(preview.unions)
    # Parents first: a row waits until its higher union exists.
    while pending:
        progressed = False
        for row in list(pending):
            parent = row.values["parent"]
            if parent is None and row.values["parent_code"]:
                parent = created.get(row.values["parent_code"].lower())
                if parent is None:
                    continue
            union = union_create(
                parent=parent,
                code=row.values["code"],
                name_zh=row.values["name_zh"],
                name_en=row.values["name_en"],
                kind=row.values["kind"],
                member_count=row.values["member_count"],
            )
            created[union.code.lower()] = union
            pending.remove(row)
            progressed = True
        if not progressed:  # cannot happen after _check_loops; never loop forever
            raise ValidationError(_("The higher-union codes could not be resolved."))
    terms: dict[str, OfficeTerm] = {}
    for row in preview.unions:
        if row.values["term_start"] is not None:
            union = created[row.values["code"].lower()]
            terms[union.code.lower()] = term_open(
                union=union,
                start=row.values["term_start"],
                length_years=row.values["term_years"],
                number=row.values["term_number"],
            )
    positions = 0
    for row in preview.officers:
        code = row.values["union_code"].lower()
        union = created.get(code) or row.values["union"]
        term = terms.get(code) or union.terms.get(closed=False)
        person = person_find_or_create(
            union=union,
            name=row.values["name"],
            gender=row.values["gender"],
            phone=row.values["phone"],
            id_number=row.values["id_number"],
        )
        position_add(
            term=term, person=person, role=row.values["role"], start=term.start
        )
        positions += 1
    return {"unions": len(created), "terms": len(terms), "officers": positions}


def union_import_template() -> bytes:
    example_unions = [
        [
            "JB-S01-G90",
            "滨江示范企业工会",
            "Binjiang Model Enterprise Union",
            str(Union.Kind.ENTERPRISE.label),
            "JB-S01",
            150,
            1,
            "2023-06-30",
            5,
        ]
    ]
    example_officers = [
        [
            "JB-S01-G90",
            "王晓燕",
            str(Gender.FEMALE.label),
            str(Position.Role.CHAIR.label),
            "138 0000 0001",
            "",
        ],
        [
            "JB-S01-G90",
            "李国强",
            str(Gender.MALE.label),
            str(Position.Role.VICE_CHAIR.label),
            "",
            "",
        ],
    ]
    notes = [
        _(
            "Fill in one row per union on the first sheet, and one row per officer on the second."
        ),
        _("Code: letters, digits, hyphens and underscores; it must not exist yet."),
        _("Kind: one of %(choices)s.")
        % {"choices": ", ".join(str(label) for _v, label in Union.Kind.choices)},
        _(
            "Higher union code: a union you manage, or a union earlier or later in this sheet."
        ),
        _(
            "Term start, number and length (3 or 5 years) open the union's current "
            "term; leave them empty if it has none yet."
        ),
        _("Office: one of %(choices)s.")
        % {"choices": ", ".join(str(label) for _v, label in Position.Role.choices)},
        _(
            "ID number: 18 characters, checked with its check digit. It may be left empty."
        ),
        _(
            "Nothing is imported while any row has an error; the preview lists them all."
        ),
    ]
    workbook = new_workbook()
    write_sheet(
        workbook,
        _("Unions"),
        [str(label) for _k, label in UNION_COLUMNS],
        example_unions,
        widths=[16, 28, 32, 26, 18, 10, 12, 14, 18],
    )
    write_sheet(
        workbook,
        _("Officers"),
        [str(label) for _k, label in OFFICER_COLUMNS],
        example_officers,
        widths=[16, 16, 10, 30, 18, 22],
    )
    write_sheet(
        workbook,
        _("Notes"),
        [_("How to fill in this sheet")],
        [[n] for n in notes],
        widths=[110],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def union_export(*, unions, at: date, include_personal: bool) -> bytes:
    """The unions (a queryset with open terms prefetched) and their current officers."""
    unions = list(unions)
    workbook = new_workbook()
    rows = []
    for union in unions:
        term = union.open_terms[0] if union.open_terms else None
        rows.append(
            [
                union.code,
                union.name_zh,
                union.name_en,
                union.get_kind_display(),
                union.parent.code if union.parent_id else "",
                union.member_count,
                term.number if term else "",
                term.start if term else "",
                term.length_years if term else "",
                term.planned_end if term else "",
                term.get_status_display() if term else "",
                _("yes") if union.is_active else _("no"),
            ]
        )
    headers = [str(label) for _k, label in UNION_COLUMNS] + [
        _("Planned end"),
        _("Status"),
        _("Active"),
    ]
    write_sheet(
        workbook,
        _("Unions"),
        headers,
        rows,
        widths=[16, 28, 32, 26, 18, 10, 12, 14, 18, 14, 12, 8],
    )
    positions = (
        Position.objects.filter(union__in=[u.pk for u in unions], is_current=True)
        .select_related("person", "union")
        .order_by("union__path", "pk")
    )
    officer_headers = [
        str(label)
        for key, label in OFFICER_COLUMNS
        if include_personal or key not in ("phone", "id_number")
    ]
    officer_rows = []
    for position in positions:
        row = [
            position.union.code,
            position.person.name,
            position.person.get_gender_display(),
            position.get_role_display(),
        ]
        if include_personal:
            row += [position.person.phone, position.person.id_number]
        officer_rows.append(row)
    write_sheet(
        workbook,
        _("Officers"),
        officer_headers,
        officer_rows,
        widths=[16, 16, 10, 30, 18, 22],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
