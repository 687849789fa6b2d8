"""Issue 16: the summary PDF ends with each unit's indicator points, and its
tables hold together across pages."""

import re
from decimal import Decimal as D

from django.template.loader import render_to_string
from django.utils import translation

from assessments import exports
from assessments.models import Period

from .factories import PeriodFactory, ScoreFactory, build_report, indicator


def _report(period, units, admin_user):
    from assessments import services

    for unit, b1, b2 in ((units[0], "50", "30"), (units[1], "40", "35")):
        ScoreFactory(
            period=period,
            unit=unit,
            indicator=indicator(period.scheme, "B1"),
            self_score=D(b1),
        )
        ScoreFactory(
            period=period,
            unit=unit,
            indicator=indicator(period.scheme, "B2"),
            self_score=D(b2),
        )
    services.period_close(period=period, by=admin_user)
    return build_report(period)


def test_the_appendix_lists_every_units_indicator_points(period, units, admin_user):
    report = _report(period, units, admin_user)
    for language, heading in (
        ("en", "Appendix: indicator points by unit"),
        ("zh-hans", None),
    ):
        with translation.override(language):
            context = exports.pdf_context(report, language)
            html = render_to_string("assessments/report_pdf.html", context)
            heading = heading or translation.gettext(
                "Appendix: indicator points by unit"
            )
        assert heading in html
        appendix = html.split('data-testid="appendix"', 1)[1]
        rows = context["appendix"]["rows"]
        assert [r["points"] for r in rows] == [["50.00", "30.00"], ["40.00", "35.00"]]
        assert len(re.findall(r'<td class="unit">', appendix)) == len(units)
        assert "B1" in appendix
        assert "B2" in appendix
    # The tables keep together: rows unsplit, headers repeated, small tables whole.
    assert "tr { page-break-inside: avoid; break-inside: avoid; }" in html
    assert "thead { display: table-header-group; }" in html
    assert '<section class="keep">' in html


def test_the_rendered_pdf_ends_with_a_landscape_appendix(
    period, units, admin_user, real_pdf
):
    """Laid out by WeasyPrint: the report's pages in A4 portrait, the appendix
    on the last, across (landscape), holding each unit's name."""
    from weasyprint import HTML

    report = _report(period, units, admin_user)
    with translation.override("zh-hans"):
        html = render_to_string(
            "assessments/report_pdf.html", exports.pdf_context(report, "zh-hans")
        )
    document = HTML(string=html).render()
    sizes = [(page.width, page.height) for page in document.pages]
    assert sizes[0][0] < sizes[0][1]  # portrait
    assert sizes[-1][0] > sizes[-1][1]  # the appendix, landscape
    text = _page_text(document.pages[-1]._page_box)
    for unit in units:
        assert unit.name_zh in text
    path = exports.report_pdf_file(report, language="zh-hans")
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"


def _page_text(box) -> str:
    parts = [getattr(box, "text", "") or ""]
    for child in getattr(box, "children", []) or []:
        parts.append(_page_text(child))
    return "".join(parts)


def test_a_large_report_appends_the_listed_units_only(
    scheme, district, admin_user, monkeypatch
):
    from tests.unions.factories import subdistrict_factory

    monkeypatch.setattr(exports, "PDF_ALL_UNITS", 3)
    monkeypatch.setattr(exports, "PDF_TOP", 2)
    period = PeriodFactory(scheme=scheme, kind=Period.Kind.Q2)
    units = [subdistrict_factory(district, code=f"AP{n}") for n in range(5)]
    report = _report(period, units, admin_user)
    context = exports.pdf_context(report, "en")
    assert len(context["appendix"]["rows"]) == 4  # the two highest, the two lowest


def test_an_annual_report_appends_each_units_quarter_totals(scheme, units, admin_user):
    from assessments import services

    quarters = []
    for kind in (Period.Kind.Q1, Period.Kind.Q2, Period.Kind.Q3, Period.Kind.Q4):
        quarter = PeriodFactory(scheme=scheme, kind=kind)
        _report(quarter, units, admin_user)
        quarters.append(quarter)
    year = PeriodFactory(scheme=scheme, kind=Period.Kind.YEAR)
    services.period_close(period=year, by=admin_user)
    report = build_report(year)
    context = exports.pdf_context(report, "en")
    appendix = context["appendix"]
    assert [i["code"] for i in appendix["indicators"]] == ["Q1", "Q2", "Q3", "Q4"]
    assert [r["points"] for r in appendix["rows"]] == [["80.00"] * 4, ["75.00"] * 4]
