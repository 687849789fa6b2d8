"""Reading a workbook into a checked preview; nothing is written."""

from django.utils.translation import gettext as _

from unionportal.xlsx import (
    column_aliases,
    header_key,
    sheet_rows,
)

from .checks import _check_officers, _check_unions
from .columns import OFFICER_COLUMNS, UNION_COLUMNS, ImportPreview, Row, _keyed


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
