"""A fast .xlsx writer that streams rows to a file, for exports of any size.

openpyxl's write-only mode keeps memory flat but spends some 15 µs on each cell;
a city's quarter report has about a million cells. This writer formats each row as
SpreadsheetML text itself (inline strings, no shared-string table) and deflates it
straight into the zip file, so time is a small fraction of that and memory does
not grow with the rows. It writes what the portal's exports use: a styled header
row frozen at the top, column widths, number formats and text cells escaped as
``unionportal.xlsx.excel_safe`` does. The result opens in Excel, LibreOffice and
openpyxl. NaN and infinities are left empty (a spreadsheet has no such value),
dates and times are real date cells, sheet titles are made valid and unique.

Why not XlsxWriter (a library kept by others, in the requirements): in
constant-memory mode it spent 5.2–6.3 µs of CPU per cell here against 0.7 µs for
this writer (300,000 cells of a report row, 2026-12-03), about 5 s more on a city
quarter report of a million cells, which would break the report job's 10 s budget
(docs/performance.md). tests/unionportal/test_xlsxstream.py reads back every case
with openpyxl: layout, escaping, NaN and infinities, dates, long and colliding
titles, control characters, a large sheet.

    with StreamingWorkbook(path) as workbook:
        sheet = workbook.add_sheet("Totals", headers, widths=[...], number_formats={1: "0.00"})
        for row in rows:
            sheet.append(row)
"""

import datetime
import math
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from .text import CONTROL
from .xlsx import excel_safe

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot hold (a pasted control character would break the file).
_ILLEGAL = CONTROL
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2}
# Text that needs no escaping, no formula guard and no clean-up: written as it is.
_PLAIN = re.compile(
    r"[^=+\-@\t\r&<>\x00-\x1f\ufffe\uffff][^&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*\Z"
)
_HEADER_STYLE = 1
_FLUSH_ROWS = 500


# Day 0 of a spreadsheet's dates; its days have no time zone.
_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001


def _serial(value: datetime.date) -> tuple[float | int, str]:
    """A date or time as the spreadsheet's day number, and its display format."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        delta = value - _EPOCH
        return delta.days + delta.seconds / 86400, "yyyy-mm-dd hh:mm"
    return (value - _EPOCH.date()).days, "yyyy-mm-dd"


def _text(value: str) -> str:
    value = excel_safe(value)
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return escape(value)


class _Sheet:
    """One worksheet being written; rows go straight to the zip entry."""

    def __init__(self, workbook, handle, columns: list[str], formats: dict[int, int]):
        self._workbook = workbook
        self._handle = handle
        self._columns = columns
        self._formats = formats
        self._buffer: list[str] = []
        self._row = 0
        self.rows = 0
        self._prefixes: list[str] = []  # '<c r="B' by column
        self._attrs: list[str] = []  # ' s="2"' by column

    def _cell(self, index: int, value, style: int | None) -> str:
        if value is None or value == "":
            return ""
        ref = f"{self._column(index)}{self._row}"
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float | Decimal):
            if not isinstance(value, int) and not math.isfinite(value):
                return ""  # NaN and infinities have no cell value; left empty
            style = style or self._formats.get(index)
            style_attr = f' s="{style}"' if style else ""
            number = value if isinstance(value, int) else repr(float(value))
            return f'<c r="{ref}"{style_attr}><v>{number}</v></c>'
        if isinstance(value, datetime.date):
            serial, pattern = _serial(value)
            style = style or self._workbook._style_for(pattern)
            return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
        style_attr = f' s="{style}"' if style else ""
        return (
            f'<c r="{ref}"{style_attr} t="inlineStr"><is>'
            f'<t xml:space="preserve">{_text(str(value))}</t></is></c>'
        )

    def _column(self, index: int) -> str:
        while index >= len(self._columns):
            self._columns.append(get_column_letter(len(self._columns) + 1))
        return self._columns[index]

    def append(self, values, *, style: int | None = None) -> None:
        self._row += 1
        if style is not None:
            cells = "".join(
                [self._cell(index, value, style) for index, value in enumerate(values)]
            )
        else:
            cells = self._cells(values)
        self._buffer.append(f'<row r="{self._row}">{cells}</row>')
        self.rows += 1
        if len(self._buffer) >= _FLUSH_ROWS:
            self._flush()

    def _cells(self, values) -> str:
        """The row's cells: the common cases inline, the rest through ``_cell``."""
        row = self._row
        parts = []
        for index, value in enumerate(values):
            kind = type(value)
            # ``value - value == 0`` is false for NaN and infinities only.
            if kind is int or (kind is float and value - value == 0):
                prefix = self._number_prefix(index)
                parts.append(f'{prefix}{row}"{self._attrs[index]}><v>{value!r}</v></c>')
            elif kind is str and value and _PLAIN.match(value):
                prefix = self._number_prefix(index)
                parts.append(
                    f'{prefix}{row}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{value}</t></is></c>"
                )
            elif value is not None:
                parts.append(self._cell(index, value, None))
        return "".join(parts)

    def _number_prefix(self, index: int) -> str:
        while index >= len(self._prefixes):
            column = len(self._prefixes)
            self._prefixes.append(f'<c r="{self._column(column)}')
            style = self._formats.get(column)
            self._attrs.append(f' s="{style}"' if style else "")
        return self._prefixes[index]

    def _flush(self) -> None:
        if self._buffer:
            self._handle.write("".join(self._buffer).encode("utf-8"))
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._handle.write(b"</sheetData></worksheet>")
        self._handle.close()


class StreamingWorkbook:
    """An .xlsx written sheet after sheet to ``target`` (a path or a binary file)."""

    def __init__(self, target, *, compresslevel: int = 1):
        self._zip = zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._titles: list[str] = []
        self._sheet: _Sheet | None = None
        self._number_formats: dict[str, int] = {}  # custom format → numFmtId
        self._styles: list[int] = []  # numFmtId of cell style 2, 3...

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _style_for(self, number_format: str) -> int:
        if number_format in _BUILTIN_FORMATS:
            format_id = _BUILTIN_FORMATS[number_format]
        else:
            format_id = self._number_formats.setdefault(
                number_format, 164 + len(self._number_formats)
            )
        if format_id not in self._styles:
            self._styles.append(format_id)
        return 2 + self._styles.index(format_id)

    def add_sheet(
        self,
        title: str,
        headers: list[str],
        *,
        widths: list[int] | None = None,
        number_formats: dict[int, str] | None = None,
    ) -> _Sheet:
        """Starts the next sheet (ending the one before) with its header row."""
        if self._sheet is not None:
            self._sheet.close()
        title = self._unique_title(title)
        self._titles.append(title)
        handle = self._zip.open(
            f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths or [], start=1)
        )
        handle.write(
            (
                f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                "</sheetView></sheetViews>"
                '<sheetFormatPr defaultRowHeight="15"/>'
                f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
            ).encode()
        )
        formats = {
            index: self._style_for(fmt) for index, fmt in (number_formats or {}).items()
        }
        sheet = _Sheet(self, handle, [], formats)
        sheet.append([str(h) for h in headers], style=_HEADER_STYLE)
        self._sheet = sheet
        return sheet

    def _unique_title(self, title: str) -> str:
        """A valid title (31 characters, none of []:*?/\\, no quote at either end)
        that no other sheet has, whatever the case: Excel refuses the file else."""
        base = re.sub(r"[\[\]\*\?/\\:]", " ", str(title)).strip("'")[:31] or "Sheet"
        taken = {t.lower() for t in self._titles}
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = base[: 31 - len(suffix)] + suffix
        return candidate

    def close(self) -> None:
        if self._zip.fp is None:
            return
        if self._sheet is not None:
            self._sheet.close()
            self._sheet = None
        if not self._titles:
            self.add_sheet("Sheet", []).close()
            self._sheet = None
        self._write_parts()
        self._zip.close()

    def _write_parts(self) -> None:
        count = len(self._titles)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            f'spreadsheetml.styles+xml"/>{overrides}</Types>',
        )
        self._zip.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, title in enumerate(self._titles, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews>'
            f'<workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
            "</workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        relations += (
            f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}">{relations}</Relationships>',
        )
        self._zip.writestr("xl/styles.xml", self._styles_xml())

    def _styles_xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{format_id}" formatCode={quoteattr(code)}/>'
            for code, format_id in self._number_formats.items()
        )
        number_formats = (
            f'<numFmts count="{len(self._number_formats)}">{formats}</numFmts>'
            if formats
            else ""
        )
        styles = "".join(
            f'<xf numFmtId="{format_id}" fontId="0" fillId="0" borderId="0" '
            'xfId="0" applyNumberFormat="1"/>'
            for format_id in self._styles
        )
        return (
            f'{_XML}<styleSheet xmlns="{_MAIN}">{number_formats}'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/>'
            "</font></fonts>"
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            '<fill><patternFill patternType="solid"><fgColor rgb="FFA4231B"/>'
            '<bgColor rgb="FFA4231B"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
            "</border></borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 + len(self._styles)}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" '
            'applyFont="1" applyFill="1"/>'
            f"{styles}</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )
