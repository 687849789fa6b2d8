"""The results notice (考核结果通报): a published quarter or year as the .docx an
office edits, signs and sends.

Laid out as official documents are (GB/T 9704): A4, margins 37 mm top, 35 mm bottom,
28 mm left, 26 mm right; the title in 方正小标宋简体 at 二号 (22 pt), the body in
仿宋_GB2312 at 三号 (16 pt), level-one headings in 黑体. Word substitutes a font the
computer lacks; each run also names a common fallback (宋体/SimSun, FangSong,
SimHei) in the document's font table order. An English reader gets the same notice
in English (Times New Roman). The text stays editable: the office fills in its
document number and signs.
"""

import io
from collections import defaultdict

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from unionportal.text import strip_control

from .models import Grade, QuarterReport

TITLE_FONT = ("方正小标宋简体", "SimSun")
BODY_FONT = ("仿宋_GB2312", "FangSong")
HEADING_FONT = ("黑体", "SimHei")
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(12)  # 小四, so a ranking table fits the width


def _run(paragraph, text: str, font: tuple, size, *, bold=False):
    run = paragraph.add_run(strip_control(text))
    run.font.size = size
    run.font.bold = bold
    run.font.name = LATIN_FONT
    east_asian, _fallback = font
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    return run


def _paragraph(document, text="", font=BODY_FONT, size=BODY_SIZE, **options):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(28)  # 28-point lines, as offices set
    if options.get("indent", True):
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    if options.get("align"):
        paragraph.alignment = options["align"]
    if text:
        _run(paragraph, text, font, size, bold=options.get("bold", False))
    return paragraph


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        qn("w:eastAsia"), BODY_FONT[0]
    )


def _rows_by_group(report: QuarterReport):
    rows = list(
        report.rows.select_related("unit", "peer_union").order_by(
            "peer_group", "rank", "unit__code"
        )
    )
    groups = defaultdict(list)
    for row in rows:
        groups[row.peer_group].append(row)
    return rows, groups


def _grade_lists(document, rows) -> None:
    by_grade = defaultdict(list)
    for row in rows:
        by_grade[row.grade].append(row.unit.name)
    for index, (grade, label) in enumerate(Grade.choices, start=1):
        names = by_grade.get(grade, [])
        paragraph = _paragraph(document)
        _run(
            paragraph,
            _("(%(number)s) %(grade)s (%(count)s): ")
            % {"number": index, "grade": label, "count": len(names)},
            HEADING_FONT,
            BODY_SIZE,
        )
        _run(
            paragraph,
            pgettext("list of names", ", ").join(names) if names else _("none"),
            BODY_FONT,
            BODY_SIZE,
        )


def _ranking_table(document, rows) -> None:
    headers = [_("Rank"), _("Unit"), _("Total"), _("Grade"), _("Remark")]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], text, HEADING_FONT, TABLE_SIZE)
    for row in rows:
        values = [
            str(row.rank),
            row.unit.name,
            f"{row.total:.2f}",
            str(row.get_grade_display()),
            _("veto: ranked after the units without one") if row.veto else "",
        ]
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _run(cell.paragraphs[0], text, BODY_FONT, TABLE_SIZE)
    # The header repeats on every page the table runs over.
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = header.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    header.append(repeat)


def results_notice(report: QuarterReport, *, language: str) -> bytes:
    """The notice of ``report`` (a published period's) as .docx bytes."""
    period = report.period
    scheme = period.scheme
    with translation.override(language):
        document = Document()
        _page_setup(document)
        issuer = scheme.owner.name
        level = scheme.get_unit_level_display()
        rows, groups = _rows_by_group(report)
        # The document number line, left for the office to fill in.
        _paragraph(
            document,
            _("%(issuer)s document 〔%(year)s〕 No. ___")
            % {"issuer": issuer, "year": timezone.localdate().year},
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )
        title = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.line_spacing = Pt(36)
        title.paragraph_format.space_before = Pt(24)
        title.paragraph_format.space_after = Pt(24)
        _run(
            title,
            _(
                "Notice on the results of the %(period)s key-work assessment of %(level)s"
            )
            % {"period": period.label, "level": level},
            TITLE_FONT,
            TITLE_SIZE,
        )
        _paragraph(
            document,
            _("To the %(level)s:") % {"level": level},
            indent=False,
        )
        _paragraph(
            document,
            _(
                "Under the %(scheme)s, %(issuer)s has assessed the key work of "
                "%(count)s units for %(period)s. The results are announced as "
                "follows."
            )
            % {
                "scheme": scheme.name,
                "issuer": issuer,
                "count": len(rows),
                "period": period.label,
            },
        )
        heading = _paragraph(document)
        _run(heading, _("1. Grades"), HEADING_FONT, BODY_SIZE)
        _grade_lists(document, rows)
        heading = _paragraph(document)
        _run(heading, _("2. Ranking"), HEADING_FONT, BODY_SIZE)
        _paragraph(
            document,
            _(
                "Units rank by total within their group; equal totals share a rank. "
                "A unit with a one-vote veto is graded unqualified and ranks after "
                "every unit without one."
            ),
        )
        for group_rows in groups.values():
            if len(groups) > 1:
                first = group_rows[0]
                name = first.peer_union.name if first.peer_union_id else level
                _paragraph(document, name, HEADING_FONT, BODY_SIZE, indent=False)
            _ranking_table(document, group_rows)
        _paragraph(
            document,
            _(
                "Units are asked to study the results, keep up their strengths and "
                "put right their shortcomings, so that the year's key work is "
                "carried out in full."
            ),
        )
        signature = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        signature.paragraph_format.space_before = Pt(32)
        _run(signature, issuer, BODY_FONT, BODY_SIZE)
        signature.add_run().add_break(WD_BREAK.LINE)
        when = timezone.localtime(period.published_at or timezone.now()).date()
        _run(
            signature,
            _("%(year)s-%(month)s-%(day)s")
            % {"year": when.year, "month": when.month, "day": when.day},
            BODY_FONT,
            BODY_SIZE,
        )
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()
