"""The assessment in the browser: an admin closes a quarter and builds its report, a
leader reads the dashboard, a unit's scorecard and the files, a cadre sees only
their own union's scorecard, and a cadre's running totals follow what they type."""

import re
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Indicator, Period
from tests.assessments.factories import (
    CategoryFactory,
    IndicatorFactory,
    PeriodFactory,
    SchemeFactory,
    ScoreFactory,
)
from tests.e2e.conftest import SCREENSHOTS


@pytest.fixture
def assessment(district, subdistrict, other_subdistrict, admin_user):
    """A sub-district scheme with Q1 published and Q2 scored and still open."""
    scheme = SchemeFactory(
        owner=district,
        year=2026,
        name_zh="2026年度街道总工会重点工作绩效考核方案",
        name_en="2026 assessment of sub-district unions",
    )
    politics = CategoryFactory(
        scheme=scheme,
        name_zh="政治引领与理论学习",
        name_en="Political guidance",
        order=1,
    )
    work = CategoryFactory(
        scheme=scheme, name_zh="重点工作项目化", name_en="Key-work projects", order=2
    )
    IndicatorFactory(
        category=politics, code="A1", name_en="Theory study", max_points=D("30")
    )
    IndicatorFactory(
        category=work, code="B1", name_en="Inclusive service", max_points=D("40")
    )
    IndicatorFactory(
        category=work,
        code="B2",
        name_en="Reports on time",
        max_points=D("30"),
        method=Indicator.Method.TIMELINESS,
    )
    IndicatorFactory(
        category=work, code="C1", name_en="Innovation", kind="bonus", max_points=D("3")
    )
    services.scheme_activate(scheme=scheme, by=admin_user)
    indicators = {i.code: i for i in scheme.indicators.all()}

    def scores(period, values):
        for unit, (a1, b1) in values.items():
            ScoreFactory(
                period=period, unit=unit, indicator=indicators["A1"], self_score=D(a1)
            )
            ScoreFactory(
                period=period, unit=unit, indicator=indicators["B1"], self_score=D(b1)
            )

    q1 = PeriodFactory(scheme=scheme, kind=Period.Kind.Q1)
    scores(q1, {subdistrict: ("26", "34"), other_subdistrict: ("22", "30")})
    services.period_close(period=q1, by=admin_user)
    services.report_build(period_id=q1.pk)
    services.period_publish(period=q1, by=admin_user)
    q2 = PeriodFactory(scheme=scheme, kind=Period.Kind.Q2)
    scores(q2, {subdistrict: ("28", "37"), other_subdistrict: ("20", "27")})
    return {"scheme": scheme, "q1": q1, "q2": q2, "indicators": indicators}


def _accept_confirmations(page):
    page.on("dialog", lambda dialog: dialog.accept())


def _pdf_to_png(pdf_path, name):
    """Renders the PDF's pages with poppler, for a person to look at."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        return []
    prefix = SCREENSHOTS / name
    subprocess.run(  # noqa: S603 - fixed command line
        [pdftoppm, "-png", "-r", "60", str(pdf_path), str(prefix)], check=True
    )
    return sorted(SCREENSHOTS.glob(f"{name}-*.png"))


def test_admin_closes_a_period_and_builds_its_report(
    portal, assessment, admin_user, password
):
    q2 = assessment["q2"]
    _accept_confirmations(portal.page)
    portal.sign_in(admin_user.username, password)
    portal.goto(f"/assessments/periods/{q2.pk}/")
    portal.page.get_by_test_id("close-period").click()
    # The checklist page names what is missing before the period closes.
    portal.page.get_by_test_id("close-checklist").wait_for()
    portal.screenshot("assessments-close-checklist")
    portal.page.get_by_role("button", name="Close for entry").click()
    portal.page.wait_for_load_state("networkidle")
    assert portal.page.get_by_text("The period is closed for entry.").is_visible()
    portal.page.get_by_test_id("build-report").click()
    portal.page.wait_for_load_state("networkidle")
    status = portal.page.get_by_test_id("report-status")
    status.get_by_text("Ready").wait_for()
    assert status.get_attribute("data-report-status") == "done"
    portal.screenshot("assessments-period-built")
    portal.page.get_by_role("button", name="Publish").click()
    portal.page.wait_for_load_state("networkidle")
    q2.refresh_from_db()
    assert q2.status == Period.Status.PUBLISHED
    portal.screenshot("assessments-period-published")


def test_leader_reads_the_dashboard_scorecard_and_files(
    portal, assessment, admin_user, leader, subdistrict, password, tmp_path
):
    q2 = assessment["q2"]
    services.period_close(period=q2, by=admin_user)
    services.report_build(period_id=q2.pk)
    services.period_publish(period=q2, by=admin_user)
    portal.sign_in(leader.username, password)
    portal.page.get_by_test_id("main-menu").get_by_role(
        "link", name="Dashboard"
    ).click()
    portal.page.wait_for_load_state("networkidle")
    ranking = portal.page.get_by_test_id("ranking")
    assert ranking.get_by_role("link", name=subdistrict.name_en).is_visible()
    portal.page.locator("[data-chart=chart-trend] svg").first.wait_for()
    portal.screenshot("assessments-dashboard")

    ranking.get_by_role("link", name=subdistrict.name_en).click()
    portal.page.wait_for_load_state("networkidle")
    assert portal.page.get_by_role("heading", name=subdistrict.name_en).is_visible()
    assert portal.page.get_by_test_id("scorecard-total").inner_text() == "92.86"
    assert portal.page.get_by_text("No reports due: not applicable").first.is_visible()
    portal.screenshot("assessments-scorecard-leader")

    portal.goto(f"/reports/{q2.report.pk}/")
    rows = portal.page.get_by_test_id("report-rows")
    assert rows.get_by_role("link", name=subdistrict.name_en).is_visible()
    assert rows.locator("tbody tr").count() == 2
    portal.page.get_by_label("Search").fill("TD-S")
    portal.page.get_by_role("button", name="Show").click()
    portal.page.wait_for_load_state("networkidle")
    assert portal.page.get_by_test_id("report-rows").locator("tbody tr").count() == 1
    assert (
        portal.page.get_by_test_id("report-rows-count")
        .inner_text()
        .startswith("1 unit")
    )
    portal.screenshot("assessments-report-detail-search")
    portal.goto(f"/reports/{q2.report.pk}/")
    with portal.page.expect_download() as xlsx:
        portal.page.get_by_test_id("download-xlsx").click()
    assert xlsx.value.suggested_filename.endswith(
        "results of Sub-district general unions.xlsx"
    )
    with portal.page.expect_download() as pdf:
        portal.page.get_by_test_id("download-pdf").click()
    assert pdf.value.suggested_filename.endswith(
        "results of Sub-district general unions.pdf"
    )
    english = tmp_path / "report-en.pdf"
    pdf.value.save_as(english)
    assert english.read_bytes().startswith(b"%PDF")
    with portal.page.expect_download() as chinese_pdf:
        portal.page.get_by_role("link", name=re.compile(r"中文 \.pdf")).click()
    chinese = tmp_path / "report-zh.pdf"
    chinese_pdf.value.save_as(chinese)
    portal.screenshot("assessments-report-detail")
    _pdf_to_png(english, "assessments-report-pdf-en")
    _pdf_to_png(chinese, "assessments-report-pdf-zh")


def test_cadre_sees_only_their_unions_scorecard(
    portal, assessment, cadre_sub, subdistrict, other_subdistrict, password
):
    portal.sign_in(cadre_sub.username, password)
    portal.goto("/assessments/")
    portal.page.get_by_role("link", name="My union's scorecard").click()
    portal.page.wait_for_load_state("networkidle")
    assert portal.page.get_by_role("heading", name=subdistrict.name_en).is_visible()
    assert portal.page.get_by_test_id("peer-average").inner_text() == "80.00"
    portal.screenshot("assessments-scorecard-cadre")
    response = portal.goto(f"/assessments/scorecard/{other_subdistrict.pk}/")
    assert response.status == 404
    response = portal.goto("/dashboard/")
    assert response.status == 403
    menu = portal.page.get_by_test_id("main-menu")
    assert menu.get_by_role("link", name="Dashboard").count() == 0


def test_running_totals_follow_what_the_cadre_types(
    portal, assessment, cadre_sub, subdistrict, password
):
    q2 = assessment["q2"]
    a1 = assessment["indicators"]["A1"]
    portal.sign_in(cadre_sub.username, password)
    portal.goto(f"/assessments/periods/{q2.pk}/units/{subdistrict.pk}/")
    total = portal.page.get_by_test_id("self-total")
    assert total.inner_text() == "92.86"
    portal.page.locator(f"#id_self_score_{a1.pk}").fill("30")
    expect(portal.page.get_by_test_id("self-total")).to_have_text("95.71")
    portal.page.locator(f"#id_self_score_{a1.pk}").fill("31")
    portal.page.get_by_test_id("out-of-range").wait_for()
    portal.screenshot("assessments-scoring-out-of-range")
    portal.page.locator(f"#id_self_score_{a1.pk}").fill("29.5")
    portal.page.locator(f"#id_self_comment_{a1.pk}").fill("学习记录已上传")
    portal.page.get_by_test_id("save-scores").click()
    portal.page.wait_for_load_state("networkidle")
    assert portal.page.get_by_text("1 score was saved.").is_visible()
    portal.screenshot("assessments-scoring")
    score = q2.scores.get(unit=subdistrict, indicator=a1)
    assert (score.self_score, score.self_comment) == (D("29.5"), "学习记录已上传")


def test_pages_fit_a_phone(
    portal, assessment, admin_user, leader, subdistrict, password
):
    q2 = assessment["q2"]
    services.period_close(period=q2, by=admin_user)
    services.report_build(period_id=q2.pk)
    portal.page.set_viewport_size({"width": 390, "height": 844})
    portal.sign_in(leader.username, password)
    portal.goto("/dashboard/")
    portal.page.locator("[data-chart=chart-grades] svg").first.wait_for()
    portal.screenshot("assessments-dashboard-phone")
    portal.goto(f"/assessments/scorecard/{subdistrict.pk}/")
    portal.screenshot("assessments-scorecard-phone")
    width = portal.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
