"""Issue 16: the leader's home and dashboard of the demo district, in Chinese, on
a desktop (1366 px) and a phone (390 px): who is late, and every number a link.
The screenshots are kept in screenshots/ (docs/screenshots/ holds copies)."""

import pytest

from accounts.demo import DEMO_PASSWORD


@pytest.fixture
def demo_district(transactional_db):
    from unionportal.demo import seed_demo

    return seed_demo()


def test_leader_home_and_dashboard_of_the_demo_in_chinese(portal, demo_district):
    page = portal.page
    portal.sign_in("leader", DEMO_PASSWORD)
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": portal.base_url}]
    )
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        portal.goto("/")
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("进度报告逾期未报").first.is_visible()
        portal.screenshot(f"leader-home-demo-zh-{width}")
        portal.goto("/dashboard/")
        page.locator("[data-chart=chart-grades] svg").first.wait_for()
        late = page.get_by_test_id("who-is-late")
        assert late.is_visible()
        assert late.get_by_test_id("door").count() == 9 * 5
        portal.screenshot(f"leader-dashboard-demo-zh-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A bar of the category chart is a door: clicking it opens the list.
    page.set_viewport_size({"width": 1366, "height": 900})
    portal.goto("/dashboard/")
    chart = page.locator("[data-chart=chart-categories] svg").first
    chart.wait_for()
    bar = chart.locator("path[fill='#a4231b']").first
    with page.expect_navigation():
        bar.click()
    assert "/reports/" in page.url
