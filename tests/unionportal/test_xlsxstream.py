"""The streaming .xlsx writer: what openpyxl reads back from it."""

from openpyxl import load_workbook

from unionportal.xlsxstream import StreamingWorkbook


def test_a_streamed_workbook_reads_back_with_its_layout(tmp_path):
    path = tmp_path / "out.xlsx"
    with StreamingWorkbook(path) as workbook:
        sheet = workbook.add_sheet(
            "Totals: [all]",
            ["Unit", "Rank", "Total", "Change"],
            widths=[30, 7, 10, 10],
            number_formats={1: "0", 2: "0.00", 3: "+0.00;-0.00;0.00"},
        )
        sheet.append(["北区 & <Co>", 1, 95.5, -2.25])
        sheet.append(['=HYPERLINK("x")\x07', 2, None, True])
        notes = workbook.add_sheet("Notes", ["About"])
        notes.append(["one line"])
    workbook = load_workbook(path)
    totals, notes = workbook.worksheets
    assert totals.title == "Totals   all "
    assert totals.freeze_panes == "A2"
    assert totals.column_dimensions["A"].width == 30
    assert [c.value for c in totals[1]] == ["Unit", "Rank", "Total", "Change"]
    assert totals["A1"].font.b is True
    assert [c.value for c in totals[2]] == ["北区 & <Co>", 1, 95.5, -2.25]
    assert (totals["B2"].number_format, totals["C2"].number_format) == ("0", "0.00")
    assert totals["D2"].number_format == "+0.00;-0.00;0.00"
    # Formula-like text is neutralised and control characters are dropped.
    assert totals["A3"].value == '\'=HYPERLINK("x")'
    assert (totals["C3"].value, totals["D3"].value) == (None, True)
    assert [c.value for c in notes["A"]] == ["About", "one line"]


def test_an_empty_workbook_still_opens(tmp_path):
    path = tmp_path / "empty.xlsx"
    StreamingWorkbook(path).close()
    assert load_workbook(path).worksheets[0].max_row == 1
