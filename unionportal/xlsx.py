"""Safe Excel in and out.

Reading: the archive is inspected before openpyxl expands it, so a small file that
would unpack to hundreds of megabytes (a zip bomb) is refused while memory stays
small; openpyxl parses XML through defusedxml when it is installed (it is), which
stops entity-expansion attacks.

Writing: cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are
prefixed with an apostrophe; exports are written in openpyxl's write-only mode.
"""

import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .text import strip_control
from .uploads import SPREADSHEET_KINDS, validate_upload

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 20000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def open_uploaded_workbook(file, *, max_bytes: int = 5 * 1024 * 1024):
    """Returns a read-only workbook, or raises ValidationError with the reason."""
    validate_upload(file, kinds=SPREADSHEET_KINDS, max_bytes=max_bytes)
    data = file.read()
    file.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(
                len(data), 1
            ):
                raise ValidationError(
                    _(
                        "The workbook would expand to an unreasonable size; it was refused."
                    )
                )
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("This is not a readable .xlsx workbook.")) from exc
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ValidationError(_("This is not a readable .xlsx workbook.")) from exc


def sheet_rows(worksheet, *, header_row: int = 1) -> Iterator[tuple[int, dict]]:
    """Yields (row number, {header: value}) for each non-empty row below the header."""
    try:
        yield from _sheet_rows(worksheet, header_row=header_row)
    except ValidationError:
        raise
    except Exception as exc:
        # The sheet is read as it streams: XML or zip damage after the first rows
        # shows only now, and must reach the user as a message, not a server error.
        raise ValidationError(_("This is not a readable .xlsx workbook.")) from exc


def _sheet_rows(worksheet, *, header_row: int) -> Iterator[tuple[int, dict]]:
    rows = worksheet.iter_rows(values_only=True)
    headers = None
    for number, row in enumerate(rows, start=1):
        if number < header_row:
            continue
        if headers is None:
            headers = [str(h).strip() if h is not None else "" for h in row]
            continue
        if number > MAX_ROWS + header_row:
            raise ValidationError(
                _("The sheet has more than %(max)s rows; split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        values = {}
        for header, value in zip(headers, row, strict=False):
            if header:
                values[header] = (
                    strip_control(value).strip() if isinstance(value, str) else value
                )
        yield number, values


def header_key(text) -> str:
    """A header or a choice as typed, reduced to what identifies it: full-width
    characters folded to half-width (（）→ ()), spaces dropped, case ignored. So
    "基层工会（企业）", "基层工会(企业)" and "基层工会 (企业)" are one value."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(folded.split()).lower()


def column_aliases(columns, extra: dict | None = None) -> dict[str, str]:
    """Every header accepted for a column, keyed by ``header_key``: the column's key
    and its label in each of the portal's languages. ``columns`` are
    ``(key, lazy label)`` pairs: the one definition the template writer uses too,
    so a template downloaded in either language always reads back."""
    from django.conf import settings
    from django.utils import translation

    aliases = {}
    for key, label in columns:
        aliases[header_key(key)] = key
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[header_key(label)] = key
    for key, alternatives in (extra or {}).items():
        for alternative in alternatives:
            aliases[header_key(alternative)] = key
    return aliases


def choice_lookup(choices) -> dict[str, str]:
    """A choice by its value or its label in any language, keyed by ``header_key``."""
    from django.conf import settings
    from django.utils import translation

    lookup = {}
    for value, label in choices:
        lookup[header_key(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup[header_key(label)] = value
    return lookup


def add_validation(sheet, column: int, rows: int, **options) -> None:
    """A drop-down list or a number range on ``column`` (0-based) of the data rows,
    e.g. ``type="list", formula1='"是,否"'`` or ``type="decimal", operator=
    "between", formula1="0", formula2="F2"`` (a formula is relative to row 2)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column + 1)
    validation = DataValidation(allow_blank=True, showErrorMessage=True, **options)
    validation.add(f"{letter}2:{letter}{max(rows, 1) + 1}")
    sheet.data_validations.append(validation)


def excel_safe(value):
    """Text a spreadsheet can hold and will not evaluate: control characters
    removed (unionportal/text.py), a leading formula character neutralised."""
    value = strip_control(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="A4231B")


def write_sheet(
    workbook: Workbook,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable],
    widths: list[int] | None = None,
    number_formats: dict[int, str] | None = None,
):
    """Adds a write-only sheet with a styled, frozen header and escaped cells."""
    from openpyxl.cell import WriteOnlyCell

    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=strip_control(str(header)))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = number_formats or {}
    for row in rows:
        out = []
        for index, value in enumerate(row):
            if index in formats and isinstance(value, int | float):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[index]
                out.append(cell)
            else:
                out.append(excel_safe(value))
        sheet.append(out)
    return sheet


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


@dataclass
class TemplateSheet:
    """One sheet of an import template: its header row, the example rows, a
    drop-down list per column with a fixed set of values (``choices``: column index
    → the values, written in the reader's language), other checks (``validations``:
    dicts with ``column`` and the DataValidation options) and column widths."""

    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    choices: dict[int, list[str]] = field(default_factory=dict)
    validations: list[dict] = field(default_factory=list)
    widths: list[int] | None = None
    # A sheet to look things up in (union codes), placed after the instructions.
    reference: bool = False


# Rows of a template that get its drop-downs and checks (the examples and more).
TEMPLATE_ROWS = 500


def template_book(sheets: list[TemplateSheet], notes: list[str] | None = None) -> bytes:
    """An import template: the data sheets, a sheet of instructions, and a hidden
    sheet holding the drop-down lists (a list typed into the validation itself is
    capped at 255 characters, too short for some Chinese choice lists)."""
    workbook = new_workbook()
    lists: list[list[str]] = []
    data = [spec for spec in sheets if not spec.reference]
    for spec in data:
        sheet = write_sheet(
            workbook,
            spec.title,
            spec.headers,
            spec.rows,
            widths=spec.widths or [22] * len(spec.headers),
        )
        rows = max(len(spec.rows), TEMPLATE_ROWS)
        for column, values in spec.choices.items():
            lists.append([str(v) for v in values])
            letter = get_column_letter(len(lists))
            add_validation(
                sheet,
                column,
                rows,
                type="list",
                formula1=f"'{LISTS_TITLE}'!${letter}$1:${letter}${len(values)}",
                error=str(_("Choose a value from the list.")),
            )
        for validation in spec.validations:
            add_validation(sheet, rows=rows, **validation)
    if notes:
        write_sheet(
            workbook,
            _("Notes"),
            [_("How to fill in this sheet")],
            [[n] for n in notes],
            widths=[110],
        )
    for spec in sheets:
        if spec.reference:
            write_sheet(
                workbook, spec.title, spec.headers, spec.rows, widths=spec.widths
            )
    if lists:
        hidden = workbook.create_sheet(title=LISTS_TITLE)
        hidden.sheet_state = "hidden"
        for index in range(max(len(values) for values in lists)):
            hidden.append(
                [excel_safe(v[index]) if index < len(v) else None for v in lists]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reference sheets a template can carry for the person filling it in offline (the
# codes of the unions they may name, with their names): each app that owns such a
# list registers its builder, ``build(user) -> TemplateSheet``, from ready(), so a
# lower app's template can carry a higher app's list without importing it.
_REFERENCES: dict[str, object] = {}


def register_reference(name: str, build) -> None:
    _REFERENCES[name] = build


def reference_sheet(name: str, user) -> TemplateSheet | None:
    build = _REFERENCES.get(name)
    return build(user) if build is not None and user is not None else None


# The hidden sheet of drop-down values: a fixed ASCII title, so that formulas need
# no quoting rules of other scripts and readers can skip it by name.
LISTS_TITLE = "lists"


def template_workbook(
    title: str,
    headers: list[str],
    example_rows: list[list],
    notes: list[str] | None = None,
    validations: list[dict] | None = None,
    widths: list[int] | None = None,
    choices: dict[int, list[str]] | None = None,
) -> bytes:
    """A template of one data sheet (see ``template_book``)."""
    return template_book(
        [
            TemplateSheet(
                title,
                headers,
                example_rows,
                choices=choices or {},
                validations=validations or [],
                widths=widths,
            )
        ],
        notes,
    )


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
