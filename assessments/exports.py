"""A report's files: an .xlsx workbook and a PDF, in one language each.

Both are made by the files job (``services.reports.report_files_build``) from the
report's stored snapshot, each into a temporary file that the job then keeps
through Django's storage API:

- the workbook holds every unit: its rows are streamed from the database with
  ``.iterator()`` into ``unionportal.xlsxstream``, so memory stays flat whatever
  the number of units;
- the PDF is the summary a meeting reads (totals, grades, charts, averages by
  category and by sub-district, the top and bottom units, key work); the full
  list is in the workbook, and the PDF says so. Its charts are SVG drawn here,
  because WeasyPrint runs no JavaScript; its text uses a CJK font so Chinese
  renders on any server that has fonts-wqy-microhei (see docs/scoring.md).
"""

import json
import logging
import tempfile
from xml.sax.saxutils import escape

from django.db import connection
from django.db.models import F, Func, JSONField, Value
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.xlsxstream import StreamingWorkbook
from unions.models import Union

from .explain import local_name
from .models import Grade, Period, QuarterReportRow, UnitLevel
from .scoring import GRADES
from .sources import category_label

# WeasyPrint logs every layout step at INFO; a report job would flood the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

GRADE_COLOURS = {
    "excellent": "#198754",
    "good": "#0d6efd",
    "qualified": "#0dcaf0",
    "unqualified": "#dc3545",
}
# The PDF lists every unit up to this many, else the top and bottom ones.
PDF_ALL_UNITS = 20
PDF_TOP = 10
# Up to this many sub-districts get a bar each in the PDF's chart.
PDF_GROUP_BARS = 30
_CHUNK = 2000


def _name(zh: str, en: str) -> str:
    """A union's name in the active language (as ``Union.name``), from values."""
    if (translation.get_language() or "").startswith("en") and en:
        return en
    return zh


def _float(value) -> float | None:
    return None if value is None else float(value)


def _temporary(suffix: str) -> str:
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the job removes it
        prefix="report-", suffix=suffix, delete=False
    )
    handle.close()
    return handle.name


def report_xlsx_file(report, *, language: str) -> str:
    """Writes the report's workbook to a temporary file and returns its path."""
    path = _temporary(".xlsx")
    with translation.override(language), StreamingWorkbook(path) as workbook:
        _totals_sheet(workbook, report)
        if report.period.is_year:
            _year_sheet(workbook, report)
        else:
            _points_sheet(workbook, report)
            _notes_sheet(workbook)
    return path


def _totals_sheet(workbook, report) -> None:
    level = report.rules["scheme"]["unit_level"]
    all_peers = _("All sub-district unions")
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
    points = "0.00"
    sheet = workbook.add_sheet(
        _("Totals and ranks"),
        headers,
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
    grades = {g: str(Grade(g).label) for g in GRADES}
    yes = _("yes")
    rows = (
        QuarterReportRow.objects.filter(report=report)
        .order_by("peer_union__path", "rank", "unit__path")
        .values_list(
            "peer_union__name_zh",
            "peer_union__name_en",
            "rank",
            "unit__code",
            "unit__name_zh",
            "unit__name_en",
            "base",
            "bonus",
            "deduction",
            "total",
            "grade",
            "veto",
            "previous_total",
            "change",
        )
    )
    for (
        peer_zh,
        peer_en,
        rank,
        code,
        name_zh,
        name_en,
        base,
        bonus,
        deduction,
        total,
        grade,
        veto,
        previous_total,
        change,
    ) in rows.iterator(chunk_size=_CHUNK):
        if level == UnitLevel.SUBDISTRICT:
            peer = all_peers
        else:
            peer = _name(peer_zh, peer_en) if peer_zh else "–"
        sheet.append(
            [
                peer,
                rank,
                code,
                _name(name_zh, name_en),
                float(base),
                float(bonus),
                float(deduction),
                float(total),
                grades.get(grade, grade),
                yes if veto else "",
                _float(previous_total),
                _float(change),
            ]
        )


def _points_sheet(workbook, report) -> None:
    """One row per unit, one column per indicator: its points (empty where the
    indicator did not apply)."""
    indicators = report.rules["indicators"]
    headers = [
        _("Code"),
        _("Unit"),
        *[f"{i['code']} {local_name(i)}" for i in indicators],
    ]
    sheet = workbook.add_sheet(
        _("Indicator points"),
        headers,
        widths=[14, 30, *[14] * len(indicators)],
        number_formats={index: "0.00" for index in range(2, len(headers))},
    )
    position = {i["id"]: n for n, i in enumerate(indicators)}
    width = len(indicators)
    rows = QuarterReportRow.objects.filter(report=report).order_by("unit__path")
    if connection.vendor == "postgresql":
        # Only the ids and points of the applicable indicators leave the database,
        # not each row's whole JSON detail (a tenth of the bytes to read and decode).
        rows = rows.annotate(
            applied_ids=_applied_values("id"), applied_points=_applied_values("points")
        ).values_list(
            "unit__code",
            "unit__name_zh",
            "unit__name_en",
            "applied_ids",
            "applied_points",
        )
    else:
        rows = rows.values_list(
            "unit__code", "unit__name_zh", "unit__name_en", "indicators"
        )
    for code, name_zh, name_en, *detail in rows.iterator(chunk_size=_CHUNK):
        values = [None] * width
        for indicator_id, points in _applied(*detail):
            index = position.get(indicator_id)
            if index is not None:
                values[index] = float(points)
        sheet.append([code, _name(name_zh, name_en), *values])


def _applied_values(key: str) -> Func:
    """PostgreSQL: the ``key`` of each applicable indicator in a row's detail."""
    return Func(
        F("indicators"),
        Value(f"$[*] ? (@.applicable == true).{key}"),
        function="jsonb_path_query_array",
        output_field=JSONField(),
    )


def _applied(*detail):
    """(indicator id, points) of the applicable indicators of a row's detail."""
    if len(detail) == 2:
        return zip(*detail, strict=True)
    details = detail[0]
    if isinstance(details, str):  # a backend that hands JSON back as text
        details = json.loads(details)
    return (
        (d.get("id"), d["points"]) for d in details or [] if d.get("applicable", True)
    )


def _notes_sheet(workbook) -> None:
    sheet = workbook.add_sheet(_("Notes"), [_("About this workbook")], widths=[110])
    for note in (
        _("Totals and ranks: one row per unit, by peer group and rank."),
        _(
            "Indicator points: each unit's points on every indicator. An empty "
            "cell means the indicator did not apply to the unit; its base was "
            "rescaled over the indicators that did."
        ),
        _(
            "How each indicator's points were found (self score, reviewed score, "
            "the facts of automatic indicators) is on the unit's scorecard in the "
            "portal."
        ),
    ):
        sheet.append([note])


def _year_sheet(workbook, report) -> None:
    sheet = workbook.add_sheet(
        _("Quarterly totals"),
        [_("Code"), _("Unit"), _("Q1"), _("Q2"), _("Q3"), _("Q4"), _("Annual")],
        widths=[14, 34, 10, 10, 10, 10, 10],
        number_formats={i: "0.00" for i in range(2, 7)},
    )
    rows = (
        QuarterReportRow.objects.filter(report=report)
        .order_by("unit__path")
        .values_list(
            "unit__code", "unit__name_zh", "unit__name_en", "indicators", "total"
        )
    )
    for code, name_zh, name_en, details, total in rows.iterator(chunk_size=_CHUNK):
        if isinstance(details, str):
            details = json.loads(details)
        quarters = {item["quarter"]: item["total"] for item in details or []}
        sheet.append(
            [
                code,
                _name(name_zh, name_en),
                *[_float(quarters.get(q)) for q in (1, 2, 3, 4)],
                float(total),
            ]
        )


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


def report_pdf_file(report, *, language: str, built_at=None) -> str:
    """Writes the report's summary PDF to a temporary file and returns its path."""
    from weasyprint import HTML

    path = _temporary(".pdf")
    with translation.override(language):
        html = render_to_string(
            "assessments/report_pdf.html", pdf_context(report, language, built_at)
        )
        HTML(string=html).write_pdf(path)
    return path


def _unit_rows(report, order: list[str], limit: int) -> list[dict]:
    grades = {g: str(Grade(g).label) for g in GRADES}
    rows = (
        QuarterReportRow.objects.filter(report=report)
        .order_by(*order)
        .values(
            "unit_id",
            "rank",
            "peer_union__name_zh",
            "peer_union__name_en",
            "unit__name_zh",
            "unit__name_en",
            "base",
            "bonus",
            "deduction",
            "total",
            "grade",
            "veto",
            "change",
        )[:limit]
    )
    return [
        {
            **row,
            "unit_name": _name(row["unit__name_zh"], row["unit__name_en"]),
            "peer_group": _name(row["peer_union__name_zh"], row["peer_union__name_en"])
            if row["peer_union__name_zh"]
            else "–",
            "grade_label": grades.get(row["grade"], row["grade"]),
        }
        for row in rows
    ]


def _appendix(report, units: list[dict]) -> dict:
    """Per-unit indicator points of the units the PDF lists (all of a small
    report; the highest and lowest of a large one): a column per indicator,
    coded, with the codes explained (1 query). An annual report's units have
    their quarters' totals instead."""
    yearly = report.period.is_year
    if yearly:
        indicators = [
            {
                "id": n,
                "code": f"Q{n}",
                "name_zh": str(Period.Kind(f"q{n}").label),
                "name_en": str(Period.Kind(f"q{n}").label),
                "kind": "",
                "max_points": "",
            }
            for n in (1, 2, 3, 4)
        ]
    else:
        indicators = report.rules.get("indicators", [])
    order: list = []
    for row in units:
        if row["unit_id"] not in order:
            order.append(row["unit_id"])
    names = {row["unit_id"]: row["unit_name"] for row in units}
    details = dict(
        QuarterReportRow.objects.filter(report=report, unit_id__in=order).values_list(
            "unit_id", "indicators"
        )
    )
    rows = []
    for unit_id in order:
        detail = details.get(unit_id) or []
        if isinstance(detail, str):
            detail = json.loads(detail)
        if yearly:
            points = {
                int(item["quarter"]): item.get("total")
                for item in detail
                if str(item.get("quarter", "")).isdigit()
            }
        else:
            points = dict(_applied(detail))
        rows.append(
            {
                "name": names[unit_id],
                "points": [points.get(i["id"], "–") for i in indicators],
            }
        )
    return {
        "indicators": [
            {
                **i,
                "name": local_name(i),
                "kind_label": _kind_label(i["kind"]) if i["kind"] else _("Total"),
            }
            for i in indicators
        ],
        "rows": rows,
    }


def _kind_label(kind: str) -> str:
    from .models import Indicator

    try:
        return str(Indicator.Kind(kind).label)
    except ValueError:
        return kind


def pdf_context(report, language: str, built_at=None) -> dict:
    """What the summary PDF shows, read from the snapshot (a few small queries)."""
    period = report.period
    rules = report.rules
    summary = report.summary or {}
    scheme = rules["scheme"]
    level = scheme["unit_level"]
    count = summary.get("count", report.unit_count)
    grades = summary.get("grades", {})
    # Averages by category.
    names = {c["id"]: local_name(c) for c in rules.get("categories", [])}
    categories = [
        {**item, "name": names.get(item["id"], "–")}
        for item in summary.get("categories", [])
    ]
    # Averages by peer group (sub-district), best first.
    groups = summary.get("peer_groups", {})
    union_names = {
        pk: _name(zh, en)
        for pk, zh, en in Union.objects.filter(
            pk__in=[g["union_id"] for g in groups.values() if g.get("union_id")]
        ).values_list("pk", "name_zh", "name_en")
    }
    peer_groups = sorted(
        (
            {
                "name": union_names.get(g.get("union_id"), "–")
                if g.get("union_id")
                else _("All sub-district unions"),
                "count": g["count"],
                "average": g["average"],
            }
            for g in groups.values()
        ),
        key=lambda g: (-float(g["average"]), g["name"]),
    )
    # The units: all of a small report, else the top and the bottom ones.
    if count <= PDF_ALL_UNITS:
        everyone = _unit_rows(report, ["peer_union__path", "rank", "unit__path"], count)
        top, bottom = [], []
    else:
        everyone = []
        top = _unit_rows(report, ["-total", "unit__path"], PDF_TOP)
        bottom = _unit_rows(report, ["total", "-unit__path"], PDF_TOP)
    if level != UnitLevel.SUBDISTRICT and 1 < len(peer_groups) <= PDF_GROUP_BARS:
        bars = [(g["name"], float(g["average"]), "#a4231b") for g in peer_groups]
        bars_title = _("Average total by sub-district")
    elif everyone:
        bars = [
            (row["unit_name"], float(row["total"]), GRADE_COLOURS[row["grade"]])
            for row in sorted(everyone, key=lambda r: (-r["total"], r["unit_name"]))
        ]
        bars_title = _("Total by unit")
    else:
        bars, bars_title = [], ""
    category_bars = [
        (c["name"], float(c["percent"]), "#0d6efd") for c in categories if c["max"]
    ]
    key_work = [
        {**item, "label": category_label(item["category"])}
        for item in summary.get("key_work_categories", [])
    ]
    return {
        "period": period,
        "scheme_name": local_name(scheme),
        "scheme": scheme,
        "level_label": UnitLevel(level).label,
        "summary": summary,
        "count": count,
        "grade_rows": [
            (Grade(g).label, grades.get(g, 0), GRADE_COLOURS[g]) for g in GRADES
        ],
        "grade_svg": grade_chart_svg(grades),
        "bars_svg": bar_chart_svg(bars) if bars else "",
        "bars_title": bars_title,
        "categories": categories,
        "categories_svg": bar_chart_svg(category_bars) if category_bars else "",
        "peer_groups": peer_groups if level != UnitLevel.SUBDISTRICT else [],
        "everyone": everyone,
        "top": top,
        "bottom": bottom,
        "key_work": key_work,
        "appendix": _appendix(report, everyone or top + bottom),
        "built_at": built_at or timezone.now(),
        "show_groups": level != UnitLevel.SUBDISTRICT,
        "language": language,
    }
