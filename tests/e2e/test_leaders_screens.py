"""Issue 16: the leader's dashboard and home in Chinese, on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

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


PLACES = "桃源 梅园 柳巷 滨江 渔港 云谷 湖光 星河 青松 松林 金鼎 长乐 新华 东风 南湖 西园 北关 文昌 和平 丰收"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_large_district_folds_who_is_late_to_the_most_to_chase(
    portal,
    assessment,  # noqa: F811
    leader,
    password,
    width,
):
    """Twenty more sub-districts (23 rows with the district level): the table
    shows the 15 with the most to chase, and "show all" puts the rest in place."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.unions.factories import (
        grassroots_factory,
        subdistrict_factory,
        term_factory,
    )

    today = timezone.localdate()
    for n, place in enumerate(PLACES.split()):
        sub = subdistrict_factory(
            leader.union,
            code=f"TD-{n:02d}",
            name_zh=f"{place}街道总工会",
            name_en=f"{place} Sub-district",
        )
        for k in range(n % 4):  # 0 to 3 overdue terms below each
            term_factory(
                grassroots_factory(sub, code=f"TD-{n:02d}-{k}"),
                planned_end=today - timedelta(days=30 + k),
            )
    leader.language = "zh-hans"
    leader.save(update_fields=["language"])
    page = portal.page
    page.set_viewport_size({"width": width, "height": 900})
    portal.sign_in(leader.username, password)
    portal.goto("/dashboard/")
    late = page.get_by_test_id("who-is-late")
    rows = late.locator("tbody tr")
    assert rows.count() == 15
    # Three overdue terms below it, and the first of those by code.
    expect(rows.first.locator("th")).to_have_text("滨江街道总工会")
    fold = page.get_by_test_id("late-fold")
    expect(fold).to_contain_text("显示待催办事项最多的 15 个，共 23 个。")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    portal.screenshot(f"leaders-dashboard-late-folded-zh-{width}")
    fold.get_by_test_id("late-show-all").click()
    expect(page.get_by_test_id("who-is-late").locator("tbody tr")).to_have_count(23)
    expect(page.get_by_test_id("late-fold")).to_contain_text("全部 23 个")
    assert page.url.endswith("/dashboard/")  # swapped in place
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    portal.screenshot(f"leaders-dashboard-late-all-zh-{width}")
