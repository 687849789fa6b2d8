"""Hostile input: every upload, import and form refuses it with a clear, translated
message and writes nothing; nothing a user typed runs in a browser or a spreadsheet.

The shared helpers (unionportal/uploads.py, unionportal/xlsx.py) are attacked
directly here; each app's forms and imports are attacked through its pages in
tests/trust/test_hostile_pages.py.
"""

import io
import re
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from tests.trust.hostile_files import (
    FORGED,
    PDF_BYTES,
    PNG_BYTES,
    entity_bomb_xlsx,
    external_entity_xlsx,
    lying_zip_bomb_xlsx,
    truncated_sheet_xlsx,
    workbook_bytes,
    zip_bomb_xlsx,
)
from unionportal.uploads import EVIDENCE_KINDS, validate_upload
from unionportal.xlsx import (
    excel_safe,
    new_workbook,
    open_uploaded_workbook,
    sheet_rows,
    write_sheet,
)

# Whatever a hostile workbook does, reading it must not cost more than this.
PEAK_MEMORY_LIMIT = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def zip_bomb():
    return zip_bomb_xlsx(unpacked_mb=300)


def _read_all(data: bytes, name: str = "import.xlsx") -> list:
    workbook = open_uploaded_workbook(SimpleUploadedFile(name, data))
    return list(sheet_rows(workbook.worksheets[0]))


def _refusal(data: bytes, name: str = "import.xlsx") -> tuple[str, int]:
    """The message a hostile workbook is refused with, and the peak memory spent."""
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refused:
            _read_all(data, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return " ".join(refused.value.messages), peak


# --- zip bombs and XML attacks ----------------------------------------------------------


def test_zip_bomb_is_small_on_disk_and_huge_unpacked(zip_bomb):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert len(zip_bomb) < 2 * 1024 * 1024
    assert unpacked >= 300_000_000


def test_zip_bomb_is_refused_before_it_is_expanded(zip_bomb):
    message, peak = _refusal(zip_bomb)
    assert "unreasonable size" in message
    assert peak < PEAK_MEMORY_LIMIT


def test_zip_bomb_that_lies_about_its_size_is_refused_with_little_memory():
    message, peak = _refusal(lying_zip_bomb_xlsx(unpacked_mb=300))
    assert "not a readable .xlsx" in message
    assert peak < PEAK_MEMORY_LIMIT


@pytest.mark.parametrize("in_sheet", [True, False], ids=["in-sheet", "in-workbook"])
def test_entity_expansion_is_refused(in_sheet):
    message, peak = _refusal(entity_bomb_xlsx(in_sheet=in_sheet))
    assert "not a readable .xlsx" in message
    assert peak < PEAK_MEMORY_LIMIT


def test_external_entity_is_not_resolved():
    message, _peak = _refusal(external_entity_xlsx())
    assert "root:" not in message


def test_sheet_broken_after_its_first_rows_is_refused_while_reading():
    message, _peak = _refusal(truncated_sheet_xlsx())
    assert "not a readable .xlsx" in message


def test_refusal_is_translated():
    with translation.override("zh-hans"):
        message, _peak = _refusal(zip_bomb_xlsx(unpacked_mb=60))
    assert "unreasonable size" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_ordinary_workbook_is_read():
    rows = _read_all(workbook_bytes([["Name", "Count"], ["Alpha", 3], ["Beta", 4]]))
    assert rows == [
        (2, {"Name": "Alpha", "Count": 3}),
        (3, {"Name": "Beta", "Count": 4}),
    ]


def test_workbook_over_the_row_limit_is_refused(settings, monkeypatch):
    monkeypatch.setattr("unionportal.xlsx.MAX_ROWS", 5)
    data = workbook_bytes([["Name"], *[[f"row {i}"] for i in range(10)]])
    with pytest.raises(ValidationError, match="more than 5 rows"):
        _read_all(data)


# --- uploads: size and type read from the content -----------------------------------------


@pytest.mark.parametrize("case", sorted(FORGED))
def test_forged_file_type_is_refused(case):
    name, content = FORGED[case]
    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile(name, content), kinds=EVIDENCE_KINDS)
    assert refused.value.messages


def test_oversize_upload_is_refused_with_both_sizes(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048)
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload)
    assert "largest allowed is 1.0\xa0KB" in refused.value.messages[0]


def test_empty_upload_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_upload(SimpleUploadedFile("empty.pdf", b""))


def test_content_and_name_must_agree():
    with pytest.raises(ValidationError, match="does not match its content"):
        validate_upload(SimpleUploadedFile("scan.pdf", PNG_BYTES))


def test_genuine_evidence_is_accepted():
    assert validate_upload(SimpleUploadedFile("scan.png", PNG_BYTES)).label == "PNG"
    assert validate_upload(SimpleUploadedFile("minutes.PDF", PDF_BYTES)).label == "PDF"


def test_upload_refusal_is_translated():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile("x.pdf", b"<html>"))
    assert "allowed" not in refused.value.messages[0]


# --- formula injection on export ---------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_text_that_a_spreadsheet_would_run_is_escaped(value):
    assert excel_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain text", "工会 2026", 42, -3.5, None, ""])
def test_ordinary_values_are_left_alone(value):
    assert excel_safe(value) == value


def test_exported_sheet_holds_text_not_formulas():
    workbook = new_workbook()
    write_sheet(workbook, "Export", ["Title", "Score"], [[v, -1] for v in FORMULAS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert all(title.data_type == "s" for title, _score in cells)
    assert all(title.value.startswith("'") for title, _score in cells)
    assert [title.value for title, _score in cells][:4] == [
        "'" + v for v in FORMULAS[:4]
    ]
    # Numbers stay numbers: a negative score is not text.
    assert all(score.value == -1 for _title, score in cells)


# --- nothing a user sends reaches the ORM's structure ----------------------------------------

APP_DIRS = ("unionportal", "accounts", "unions", "planning", "assessments")
STRUCTURAL_CALL = re.compile(
    r"\.(order_by|values|values_list|annotate|aggregate|extra|raw|only|defer)\((?P<args>[^)]*)"
)
USER_INPUT = re.compile(r"request\.|\.GET\b|\.POST\b|\.data\b|query_params|kwargs\[")


def _source_files():
    root = Path(settings.BASE_DIR)
    for app in APP_DIRS:
        for path in (root / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_user_input_reaches_order_by_values_or_annotate():
    problems = []
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        for match in STRUCTURAL_CALL.finditer(text):
            if USER_INPUT.search(match.group("args")):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(
                    f"{path.relative_to(settings.BASE_DIR)}:{line}: {match.group(0)}"
                )
    assert not problems, "\n".join(problems)


def test_no_raw_sql_from_the_orm():
    problems = [
        f"{path.relative_to(settings.BASE_DIR)}: .{name}("
        for path in _source_files()
        for name in ("extra", "raw")
        if re.search(rf"\.objects[^\n]*\.{name}\(", path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)
