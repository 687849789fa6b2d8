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


def test_values_a_spreadsheet_cannot_hold_become_harmless(tmp_path):
    import datetime
    from decimal import Decimal

    path = tmp_path / "odd.xlsx"
    with StreamingWorkbook(path) as workbook:
        sheet = workbook.add_sheet("Odd", ["a", "b", "c", "d", "e", "f"])
        sheet.append(
            [
                float("nan"),
                float("inf"),
                float("-inf"),
                Decimal("12.50"),
                datetime.date(2026, 3, 31),
                datetime.datetime(2026, 3, 31, 9, 30, tzinfo=datetime.UTC),
            ]
        )
        sheet.append(["名字\x00带\x1b控制符\x7f", "line\nbreak", "+1", "@x", "-3", 7])
    sheet = load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[2]][:4] == [None, None, None, 12.5]
    assert sheet["E2"].value == datetime.datetime(2026, 3, 31)
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    # An aware time is written in the portal's time zone (Asia/Shanghai: UTC+8).
    assert sheet["F2"].value == datetime.datetime(2026, 3, 31, 17, 30)
    assert sheet["F2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A3"].value == "名字带控制符"
    assert sheet["B3"].value == "line\nbreak"
    # Text that a spreadsheet would run stays text, neutralised.
    assert [sheet["C3"].value, sheet["D3"].value, sheet["E3"].value] == [
        "'+1",
        "'@x",
        "'-3",
    ]
    assert sheet["F3"].value == 7


def test_long_and_colliding_sheet_titles_are_made_unique(tmp_path):
    path = tmp_path / "titles.xlsx"
    long = "街道总工会考核结果" * 5
    with StreamingWorkbook(path) as workbook:
        for title in (long, long, "Totals", "TOTALS", "a/b:c", "'quoted'"):
            workbook.add_sheet(title, ["x"]).append([1])
    titles = load_workbook(path).sheetnames
    assert len(titles) == len({t.lower() for t in titles}) == 6
    assert all(len(t) <= 31 for t in titles)
    assert titles[0] == long[:31]
    assert titles[1].endswith(" (2)")
    assert titles[3] == "TOTALS (2)"
    assert titles[4] == "a b c"
    assert titles[5] == "quoted"


def test_a_large_sheet_round_trips(tmp_path):
    path = tmp_path / "large.xlsx"
    with StreamingWorkbook(path) as workbook:
        sheet = workbook.add_sheet("Rows", ["n", "text"], number_formats={0: "0"})
        for n in range(5000):
            sheet.append([n, f"单位{n}"])
    rows = list(
        load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert len(rows) == 5001
    assert rows[-1] == (4999, "单位4999")
