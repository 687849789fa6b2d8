"""Issue 16: the leader's dashboard and home in Chinese, on a desktop and a phone."""

import pytest

from assessments import services
from tests.e2e.test_assessments_journey import assessment  # noqa: F401 - fixture


@pytest.mark.parametrize("width", [1366, 390])
def test_leader_dashboard_and_home_in_chinese(
    portal,
    assessment,  # noqa: F811
    admin_user,
    leader,
    password,
    width,
):
    q2 = assessment["q2"]
    services.period_close(period=q2, by=admin_user)
    services.report_build(period_id=q2.pk)
    services.period_publish(period=q2, by=admin_user)
    leader.language = "zh-hans"
    leader.save(update_fields=["language"])
    portal.page.set_viewport_size({"width": width, "height": 900})
    portal.sign_in(leader.username, password)
    portal.goto("/")
    portal.page.wait_for_load_state("networkidle")
    assert portal.page.get_by_text("已发布考核结果").first.is_visible()
    portal.screenshot(f"leaders-home-zh-{width}")
    portal.goto("/dashboard/")
    portal.page.locator("[data-chart=chart-grades] svg").first.wait_for()
    doors = portal.page.get_by_test_id("grade-count")
    assert doors.count() == 4
    portal.screenshot(f"leaders-dashboard-zh-{width}")
    assert portal.page.evaluate("document.documentElement.scrollWidth") <= width


def test_admin_sees_a_provisional_dashboard_marked_on_every_panel(
    portal,
    assessment,  # noqa: F811
    admin_user,
    password,
):
    q2 = assessment["q2"]
    services.period_close(period=q2, by=admin_user)
    services.report_build(period_id=q2.pk)
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    portal.page.set_viewport_size({"width": 1366, "height": 900})
    portal.sign_in(admin_user.username, password)
    portal.goto(f"/dashboard/?period={q2.pk}")
    portal.page.locator("[data-chart=chart-grades] svg").first.wait_for()
    assert portal.page.get_by_test_id("provisional-note").is_visible()
    portal.screenshot("leaders-dashboard-provisional-zh-1366")
