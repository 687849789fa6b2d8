"""Lists sort by their column headers and the union filters find any union as one
types, in Chinese at 1366 and 390 px (screenshots in screenshots/)."""

import pytest

from accounts.demo import DEMO_PASSWORD


@pytest.fixture
def demo_district(transactional_db):
    from unionportal.demo import seed_demo

    return seed_demo()


def _chinese(portal):
    portal.page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": portal.base_url}]
    )


WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .slice(0, 8)
    .map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right));
}"""


def _no_sideways_scroll(page):
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width + 1, (scroll, width, page.evaluate(WIDEST))


@pytest.mark.parametrize("width", [1366, 390])
def test_sorted_list_and_union_type_ahead(portal, demo_district, width):
    page = portal.page
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    portal.sign_in("admin", DEMO_PASSWORD)
    _chinese(portal)

    # The project list, sorted by progress: the header carries the arrow, and
    # clicking it again reverses the order.
    portal.goto("/projects/?sort=-progress")
    page.wait_for_load_state("networkidle")
    header = page.locator('a.sort-link[data-sort="descending"]')
    assert header.count() >= 1
    assert "进度" in header.first.inner_text()
    portal.screenshot(f"list-sorted-{width}")
    _no_sideways_scroll(page)

    # The owner filter: typing part of a grassroots union's name finds it.
    box = page.get_by_test_id("union-typeahead").first
    if width < 576:
        toggle = page.locator('[data-bs-toggle="collapse"]')
        if toggle.count() and not box.is_visible():
            toggle.first.click()
    box.click()
    box.fill("湖光")
    option = page.locator(
        '.union-typeahead-menu [role="option"]', has_text="湖光纺织厂工会"
    )
    page.wait_for_function(
        """() => {
          const items = [...document.querySelectorAll('.union-typeahead-menu [role="option"]')];
          return items.length && items.every(li => li.textContent.includes("湖光"));
        }"""
    )
    assert "(JB-" in option.first.inner_text()  # name (code)
    _no_sideways_scroll(page)
    portal.screenshot(f"union-typeahead-{width}", full_page=False)
    option.first.click()
    page.wait_for_url("**owner=**")

    # The picker of "plan a change of term": name (code), searched by code.
    portal.goto("/terms/changes/new/")
    box = page.get_by_test_id("union-typeahead").first
    box.click()
    box.fill("JB-S01-G0")
    options = page.locator('.union-typeahead-menu [role="option"]')
    page.wait_for_function(
        """() => {
          const items = [...document.querySelectorAll('.union-typeahead-menu [role="option"]')];
          return items.length && items.every(li => li.textContent.includes("JB-S01-G0"));
        }"""
    )
    labels = options.all_inner_texts()
    assert labels
    assert all("JB-S01-G0" in label for label in labels)
    portal.screenshot(f"change-picker-{width}", full_page=False)
    options.first.click()
    chosen = page.locator("select#id_union").evaluate("s => s.value")
    assert chosen
