"""A report's files: an .xlsx workbook and a PDF, in one language each.

Both are built by the report job from the lines it has just computed (no query of
their own) and kept through Django's storage API. The PDF's charts are SVG drawn
here, because WeasyPrint runs no JavaScript; its text uses a CJK font so Chinese
renders on any server that has fonts-wqy-microhei (see docs/scoring.md).
"""

import io
import logging
from decimal import Decimal
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.xlsx import new_workbook, write_sheet

from .explain import explain, local_name
from .models import Grade, Indicator, UnitLevel
from .scoring import GRADES

# WeasyPrint logs every layout step at INFO; a report job would flood the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

GRADE_COLOURS = {
    "excellent": "#198754",
    "good": "#0d6efd",
    "qualified": "#0dcaf0",
    "unqualified": "#dc3545",
}


def peer_group_label(line_or_row, unit_level: str) -> str:
    if unit_level == UnitLevel.SUBDISTRICT:
        return _("All sub-district unions")
    unit = line_or_row.unit
    return unit.parent.name if unit.parent_id else "–"


def _decimal(value) -> float | None:
    return None if value is None else float(value)


def _group_path(line) -> str:
    """Peer groups in the order of the tree (sub-districts by their path)."""
    unit = line.unit
    return unit.parent.path if line.peer_union_id and unit.parent_id else ""


def _sorted(lines):
    return sorted(
        lines, key=lambda line: (_group_path(line), line.rank, line.unit.path)
    )


def report_xlsx(*, period, rules: dict, lines: list, language: str) -> bytes:
    with translation.override(language):
        return _report_xlsx(period, rules, lines)


def _report_xlsx(period, rules, lines) -> bytes:
    level = rules["scheme"]["unit_level"]
    workbook = new_workbook()
    headers = [
        _("Peer group"),
        _("Rank"),
        _("Code"),
        _("Unit"),
        _("Base"),
        _("Bonus"),
        _("Deduction"),
        _("Total"),
        _("Grade"),
        _("Veto"),
        _("Previous total"),
        _("vs. previous"),
    ]
    rows = [
        [
            peer_group_label(line, level),
            line.rank,
            line.unit.code,
            line.unit.name,
            _decimal(line.base),
            _decimal(line.bonus),
            _decimal(line.deduction),
            _decimal(line.total),
            str(Grade(line.grade).label),
            _("yes") if line.veto else "",
            _decimal(line.previous_total),
            _decimal(line.change),
        ]
        for line in _sorted(lines)
    ]
    points = "0.00"
    write_sheet(
        workbook,
        _("Totals and ranks"),
        headers,
        rows,
        widths=[24, 7, 14, 34, 10, 10, 11, 10, 12, 7, 14, 10],
        number_formats={
            1: "0",
            4: points,
            5: points,
            6: points,
            7: points,
            10: points,
            11: "+0.00;-0.00;0.00",
        },
    )
    if period.is_year:
        _year_sheet(workbook, lines)
    else:
        _detail_sheet(workbook, rules, lines)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _detail_sheet(workbook, rules, lines):
    indicators = {i["id"]: i for i in rules["indicators"]}
    categories = {c["id"]: c for c in rules["categories"]}
    headers = [
        _("Code"),
        _("Unit"),
        _("Category"),
        _("Indicator code"),
        _("Indicator"),
        _("Kind"),
        _("Max points"),
        _("Self score"),
        _("Reviewed score"),
        _("Points"),
        _("How it was computed"),
    ]
    rows = []
    for line in sorted(lines, key=lambda line: line.unit.path):
        for detail in line.indicators:
            indicator = indicators.get(detail["id"])
            if indicator is None:
                continue
            rows.append(
                [
                    line.unit.code,
                    line.unit.name,
                    local_name(categories.get(indicator["category_id"], {})),
                    indicator["code"],
                    local_name(indicator),
                    str(Indicator.Kind(indicator["kind"]).label),
                    float(Decimal(indicator["max_points"])),
                    _decimal(_maybe(detail["self"])),
                    _decimal(_maybe(detail["reviewed"])),
                    float(Decimal(detail["points"])),
                    explain(detail["how"]),
                ]
            )
    write_sheet(
        workbook,
        _("Indicator detail"),
        headers,
        rows,
        widths=[14, 30, 26, 10, 36, 18, 10, 10, 12, 10, 48],
        number_formats={6: "0.00", 7: "0.00", 8: "0.00", 9: "0.00"},
    )


def _year_sheet(workbook, lines):
    headers = [_("Code"), _("Unit"), _("Q1"), _("Q2"), _("Q3"), _("Q4"), _("Annual")]
    rows = []
    for line in sorted(lines, key=lambda line: line.unit.path):
        quarters = {item["quarter"]: item["total"] for item in line.indicators}
        rows.append(
            [
                line.unit.code,
                line.unit.name,
                *[_decimal(_maybe(quarters.get(q))) for q in (1, 2, 3, 4)],
                _decimal(line.total),
            ]
        )
    write_sheet(
        workbook,
        _("Quarterly totals"),
        headers,
        rows,
        widths=[14, 34, 10, 10, 10, 10, 10],
        number_formats={i: "0.00" for i in range(2, 7)},
    )


def _maybe(value):
    return None if value is None else Decimal(str(value))


# --- PDF ----------------------------------------------------------------------------


def bar_chart_svg(
    items: list[tuple[str, float, str]],
    *,
    maximum: float = 100.0,
    width: int = 640,
    bar_height: int = 18,
    label_width: int = 210,
) -> str:
    """A horizontal bar chart as an SVG string: items are (label, value, colour)."""
    gap = 8
    top = 6
    height = top + len(items) * (bar_height + gap) + 22
    plot = width - label_width - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="WenQuanYi Micro Hei, sans-serif" '
        'font-size="11">'
    ]
    for tick in range(0, 101, 20):
        x = label_width + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - 18}" '
            'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#6c757d">'
            f"{maximum * tick / 100:g}</text>"
        )
    for index, (label, value, colour) in enumerate(items):
        y = top + index * (bar_height + gap)
        length = max(0.0, min(value / maximum, 1.0)) * plot if maximum else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.72:.1f}" '
            f'text-anchor="end" fill="#212529">{escape(_truncate(label, 22))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'rx="2" fill="{colour}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.72:.1f}" '
            f'fill="#212529">{value:.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grade_chart_svg(counts: dict[str, int], *, width: int = 640) -> str:
    """Vertical bars: how many units got each grade."""
    height, base_y, bar = 170, 140, 70
    top = max(counts.values() or [0]) or 1
    slot = width / len(GRADES)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="WenQuanYi Micro Hei, sans-serif" '
        'font-size="12">'
        f'<line x1="0" y1="{base_y}" x2="{width}" y2="{base_y}" stroke="#adb5bd"/>'
    ]
    for index, grade in enumerate(GRADES):
        count = counts.get(grade, 0)
        bar_height = 110 * count / top
        x = slot * index + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base_y - bar_height:.1f}" width="{bar}" '
            f'height="{bar_height:.1f}" rx="3" fill="{GRADE_COLOURS[grade]}"/>'
            f'<text x="{x + bar / 2:.1f}" y="{base_y - bar_height - 5:.1f}" '
            f'text-anchor="middle" font-weight="bold">{count}</text>'
            f'<text x="{x + bar / 2:.1f}" y="{base_y + 18}" text-anchor="middle">'
            f"{escape(str(Grade(grade).label))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def report_pdf(
    *, period, rules: dict, lines: list, summary: dict, language: str, built_at=None
) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        level = rules["scheme"]["unit_level"]
        ordered = _sorted(lines)
        if len(ordered) <= 20:
            bars = [
                (line.unit.name, float(line.total), GRADE_COLOURS[line.grade])
                for line in sorted(
                    ordered, key=lambda line: (-line.total, line.unit.path)
                )
            ]
            bars_title = _("Total by unit")
        else:
            groups: dict = {}
            for line in ordered:
                label = peer_group_label(line, level)
                groups.setdefault(label, []).append(float(line.total))
            bars = [
                (label, sum(values) / len(values), "#a4231b")
                for label, values in groups.items()
            ]
            bars_title = _("Average total by sub-district")
        scheme = rules["scheme"]
        html = render_to_string(
            "assessments/report_pdf.html",
            {
                "period": period,
                "scheme_name": local_name(scheme),
                "scheme": scheme,
                "level_label": UnitLevel(level).label,
                "lines": [
                    {
                        "line": line,
                        "peer_group": peer_group_label(line, level),
                        "grade_label": Grade(line.grade).label,
                    }
                    for line in ordered
                ],
                "summary": summary,
                "grade_rows": [
                    (Grade(g).label, summary["grades"].get(g, 0), GRADE_COLOURS[g])
                    for g in GRADES
                ],
                "grade_svg": grade_chart_svg(summary["grades"]),
                "bars_svg": bar_chart_svg(bars),
                "bars_title": bars_title,
                "built_at": built_at or timezone.now(),
                "show_groups": level != UnitLevel.SUBDISTRICT,
                "language": language,
            },
        )
        return HTML(string=html).write_pdf()
