"""At 390 px (a phone), no main page of any role scrolls sideways, in Chinese."""

import pytest

from accounts.demo import DEMO_PASSWORD

PAGES = {
    "cadre_grass": ["/", "/progress/", "/projects/", "/activities/", "/assessments/"],
    "cadre_sub": ["/", "/progress/review/", "/projects/", "/unions/"],
    "reviewer": ["/", "/progress/review/", "/assessments/"],
    "admin": ["/", "/unions/", "/terms/", "/assessments/", "/administration/users/"],
    "leader": ["/", "/reports/", "/projects/"],
}


@pytest.fixture
def demo_district(transactional_db):
    from unionportal.demo import seed_demo

    return seed_demo()


def test_no_main_page_scrolls_sideways_on_a_phone(portal, demo_district):
    page = portal.page
    page.set_viewport_size({"width": 390, "height": 844})
    failures = []
    for username, paths in PAGES.items():
        portal.sign_in(username, DEMO_PASSWORD)
        page.context.add_cookies(
            [{"name": "django_language", "value": "zh-hans", "url": portal.base_url}]
        )
        for path in paths:
            response = portal.goto(path)
            page.wait_for_load_state("networkidle")
            assert response.status == 200, (username, path)
            assert page.locator("html").get_attribute("lang") == "zh-hans"
            scroll, width = page.evaluate(
                "[document.documentElement.scrollWidth,"
                " document.documentElement.clientWidth]"
            )
            if scroll > width + 1:
                failures.append(f"{username} {path}: {scroll} > {width}")
        if username in ("cadre_grass", "cadre_sub"):
            portal.goto(PAGES[username][1])
            portal.screenshot(f"phone-{username}")
        portal.sign_out()
    assert failures == []
