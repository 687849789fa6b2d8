"""The checks of every row: the same rules as the union and officer forms."""

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from unionportal.xlsx import (
    choice_lookup,
    header_key,
)

from ..models import Gender, OfficeTerm, Person, Position, Union
from ..validators import normalise_resident_id, validate_phone, validate_resident_id
from .columns import (
    CODE_PATTERN,
    UNION_COLUMNS,
    Row,
    _date,
    _int,
    _text,
)


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
