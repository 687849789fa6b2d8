"""At 390 px (a phone), no main page of any role scrolls sideways, and no table
squeezes a name to a character a line, in Chinese."""

import pytest

from accounts.demo import DEMO_PASSWORD

PAGES = {
    "cadre_grass": ["/", "/progress/", "/projects/", "/activities/", "/assessments/"],
    "cadre_sub": ["/", "/progress/review/", "/projects/", "/unions/"],
    "reviewer": ["/", "/progress/review/", "/assessments/"],
    "admin": [
        "/",
        "/unions/",
        "/terms/",
        "/assessments/",
        "/administration/users/",
        "/administration/audit/",
        "/activities/",
    ],
    "leader": ["/", "/reports/", "/projects/", "/dashboard/"],
}

# Table cells with two or more characters of text whose content box is narrower
# than two characters and taller than two lines: "赵/敏" a character a line.
SQUEEZED = """() => Array.from(document.querySelectorAll('table td, table th'))
  .filter(cell => cell.offsetParent !== null)
  .filter(cell => {
    const text = cell.innerText.trim();
    if (text.length < 2) return false;
    const style = getComputedStyle(cell);
    const size = parseFloat(style.fontSize);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    return inner < 1.9 * size && cell.clientHeight > 2.5 * size;
  })
  .map(cell => cell.innerText.trim().slice(0, 20))"""


@pytest.fixture
def demo_district(transactional_db):
    from unionportal.demo import seed_demo

    return seed_demo()


def detail_pages() -> dict[str, list[str]]:
    """Pages of the seeded demo's objects: a grassroots project with its monthly
    reports, an active scheme with its indicators, a published report."""
    from assessments.models import QuarterReport, Scheme
    from planning.models import KeyWorkProject

    project = (
        KeyWorkProject.objects.filter(owner__users__username="cadre_grass")
        .order_by("pk")
        .first()
    )
    scheme = Scheme.objects.filter(status=Scheme.Status.ACTIVE).order_by("pk").first()
    report = QuarterReport.objects.filter(is_published=True).order_by("-pk").first()
    return {
        "cadre_grass": [project.get_absolute_url()],
        "admin": [
            project.get_absolute_url(),
            f"/assessments/schemes/{scheme.pk}/",
            f"/reports/{report.pk}/",
        ],
    }


def test_no_main_page_scrolls_sideways_on_a_phone(portal, demo_district):
    page = portal.page
    page.set_viewport_size({"width": 390, "height": 844})
    failures = []
    details = detail_pages()
    for username, paths in PAGES.items():
        paths = paths + details.get(username, [])
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
            squeezed = page.evaluate(SQUEEZED)
            if squeezed:
                failures.append(f"{username} {path}: squeezed cells {squeezed}")
        if username in ("cadre_grass", "cadre_sub"):
            portal.goto(PAGES[username][1])
            portal.screenshot(f"phone-{username}")
        portal.sign_out()
    assert failures == []
