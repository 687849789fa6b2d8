"""Hostile files, built in the test run: none of them is kept in the repository."""

import io
import struct
import zipfile

from openpyxl import Workbook

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
SHEET_TAIL = "</sheetData></worksheet>"


def _package(sheet_writer, *, workbook: str = WORKBOOK) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        sheet_writer(archive)
    return buffer.getvalue()


def zip_bomb_xlsx(unpacked_mb: int = 300) -> bytes:
    """A valid-looking .xlsx of a few hundred KB whose sheet expands to ``unpacked_mb``.

    The sheet is written in chunks, so building it never holds the expanded XML.
    """
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))

    def sheet(archive):
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as handle:
            handle.write(SHEET_HEAD.encode())
            for _ in range(unpacked_mb):
                handle.write(chunk)
            handle.write(SHEET_TAIL.encode())

    return _package(sheet)


def lying_zip_bomb_xlsx(unpacked_mb: int = 300, claimed: int = 2000) -> bytes:
    """As ``zip_bomb_xlsx``, but its zip headers claim the sheet is tiny."""
    data = bytearray(zip_bomb_xlsx(unpacked_mb))
    name = b"xl/worksheets/sheet1.xml"
    # (signature, offset of the uncompressed size, offset of the name length,
    # offset of the name) for the local header and the central directory entry.
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        position = data.find(signature)
        while position != -1:
            name_len = struct.unpack_from("<H", data, position + name_len_at)[0]
            start = position + name_at
            if data[start : start + name_len] == name:
                struct.pack_into("<I", data, position + size_at, claimed)
            position = data.find(signature, position + 4)
    return bytes(data)


def entity_bomb_xlsx(*, in_sheet: bool = True) -> bytes:
    """A workbook whose XML defines nested entities ("billion laughs")."""
    doctype = (
        '<?xml version="1.0"?><!DOCTYPE lolz ['
        '<!ENTITY lol "lolololololololololol">'
        '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
        '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
        '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
        '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
        '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
        '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">'
        "]>"
    )
    sheet_xml = (
        doctype
        + SHEET_HEAD.split("?>", 1)[1]
        + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        + SHEET_TAIL
    )
    plain_sheet = SHEET_HEAD + SHEET_TAIL
    workbook = (
        WORKBOOK
        if in_sheet
        else doctype
        + WORKBOOK.split("?>", 1)[1].replace('name="Sheet1"', 'name="&lol9;"')
    )

    def sheet(archive):
        archive.writestr(
            "xl/worksheets/sheet1.xml", sheet_xml if in_sheet else plain_sheet
        )

    return _package(sheet, workbook=workbook)


def external_entity_xlsx() -> bytes:
    """A workbook that asks the parser to read a local file (XXE)."""
    sheet_xml = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + SHEET_HEAD.split("?>", 1)[1]
        + '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        + SHEET_TAIL
    )
    return _package(
        lambda archive: archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    )


def truncated_sheet_xlsx(
    good_rows: int = 2000, header: list[str] | None = None
) -> bytes:
    """A workbook that opens (its dimension is declared first) but whose sheet XML
    breaks off after ``good_rows`` rows, so the damage shows only while reading.
    With ``header``, the first row holds those column names (so an import accepts
    the sheet and reads on into the damage)."""

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    head = ""
    if header:
        letters = "ABCDEFGHIJ"
        head = (
            '<row r="1">'
            + "".join(cell(f"{letters[i]}1", name) for i, name in enumerate(header))
            + "</row>"
        )
    start = 2 if header else 1
    rows = "".join(
        f'<row r="{i}">{cell(f"A{i}", f"v{i}")}</row>'
        for i in range(start, good_rows + 1)
    )
    xml = (
        SHEET_HEAD.replace(
            "<sheetData>", f'<dimension ref="A1:C{good_rows + 1}"/><sheetData>'
        )
        + head
        + rows
        + f'<row r="{good_rows + 1}"><c r="A{good_rows + 1}" t="inlineStr"><is><t>cut'
    )
    return _package(lambda archive: archive.writestr("xl/worksheets/sheet1.xml", xml))


def workbook_bytes(rows: list[list]) -> bytes:
    """An ordinary .xlsx with ``rows`` (the first is the header)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Small files whose content does not match the name they are sent under.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORGED = {
    "html-as-pdf": ("report.pdf", b"<html><script>alert(1)</script></html>"),
    "exe-as-jpg": ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64),
    "svg-image": (
        "chart.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ),
    "png-named-pdf": ("scan.pdf", PNG_BYTES),
    "pdf-named-xlsx": ("plan.xlsx", PDF_BYTES),
    "shell-script": ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
    "plain-zip": ("data.xlsx", b"PK\x03\x04" + b"\x00" * 60),
}
