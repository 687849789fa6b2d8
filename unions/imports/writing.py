"""Writing: the checked rows into the database, the template, the export."""

import io
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.xlsx import (
    TemplateSheet,
    new_workbook,
    template_book,
    write_sheet,
)

from ..models import Gender, OfficeTerm, Position, Union
from ..services import (
    person_find_or_create,
    position_add,
    term_open,
    union_create,
)
from .columns import OFFICER_COLUMNS, UNION_COLUMNS, ImportPreview


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


def _example_codes(parent_code: str, count: int) -> list[str]:
    """Codes below ``parent_code`` that no union holds yet, so that the template's
    examples import unchanged (a round trip any administrator can try)."""
    base = parent_code[:24]
    candidates = [f"{base}-N{index:02d}" for index in range(1, 60)]
    taken = {
        code.lower()
        for code in Union.objects.filter(code__in=candidates).values_list(
            "code", flat=True
        )
    }
    return [c for c in candidates if c.lower() not in taken][:count]


def union_import_template(*, user=None) -> bytes:
    """The template: two example unions below the user's own union (so the file
    imports unchanged), drop-down lists for kind, term length, gender and office,
    and a sheet of instructions."""
    parent = getattr(user, "union", None)
    parent_code = parent.code if parent is not None else "JB-S01"
    first, second = _example_codes(parent_code, 2)
    start = date(timezone.localdate().year - 1, 6, 30).isoformat()
    example_unions = [
        [
            first,
            "滨江示范企业工会",
            "Binjiang Model Enterprise Union",
            str(Union.Kind.ENTERPRISE.label),
            parent_code,
            150,
            1,
            start,
            5,
        ],
        [
            second,
            "滨江社区工会",
            "Binjiang Community Union",
            str(Union.Kind.COMMUNITY.label),
            parent_code,
            60,
            "",
            "",
            "",
        ],
    ]
    example_officers = [
        [
            first,
            "王晓燕",
            str(Gender.FEMALE.label),
            str(Position.Role.CHAIR.label),
            "13800000001",
            "",
        ],
        [
            first,
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
            "Higher union code: a union you manage (see the sheet of union codes), or "
            "a union earlier or later in this sheet."
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
        _("Columns with a fixed set of values offer a drop-down list."),
        _(
            "Nothing is imported while any row has an error; the preview lists them all."
        ),
    ]
    return template_book(
        [
            TemplateSheet(
                _("Unions"),
                [str(label) for _k, label in UNION_COLUMNS],
                example_unions,
                choices={
                    3: [label for _v, label in Union.Kind.choices],
                    8: ["3", "5"],
                },
                validations=[
                    {
                        "column": 5,
                        "type": "whole",
                        "operator": "greaterThanOrEqual",
                        "formula1": "0",
                    }
                ],
                widths=[16, 28, 32, 26, 18, 10, 12, 14, 18],
            ),
            TemplateSheet(
                _("Officers"),
                [str(label) for _k, label in OFFICER_COLUMNS],
                example_officers,
                choices={
                    2: [label for _v, label in Gender.choices],
                    3: [label for _v, label in Position.Role.choices],
                },
                widths=[16, 16, 10, 30, 18, 22],
            ),
            *([union_codes_sheet(user)] if user is not None else []),
        ],
        notes,
    )


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


# Unions listed on a template's reference sheet, at most.
REFERENCE_LIMIT = 3000


def union_codes_sheet(user) -> TemplateSheet:
    """The unions ``user`` may name in an import, with their codes and names: the
    reference sheet of every template that asks for union codes."""
    unions = (
        Union.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("parent")
        .order_by("path")[:REFERENCE_LIMIT]
    )
    return TemplateSheet(
        _("Union codes"),
        [_("Union code"), _("Union name"), _("Kind"), _("Higher union")],
        [
            [
                union.code,
                union.name,
                union.get_kind_display(),
                union.parent.name if union.parent_id else "",
            ]
            for union in unions
        ],
        widths=[16, 32, 24, 32],
        reference=True,
    )
