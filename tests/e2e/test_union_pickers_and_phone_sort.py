"""In Chinese: the hand-out's unit picker finds a union as one types part of its
name, keeps the pick after a form error and hands the item to it; at 390 px the
review queue sorts through its "排序" select (screenshots in screenshots/)."""

import re

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD


@pytest.fixture
def demo_district(transactional_db):
    from unionportal.demo import seed_demo

    return seed_demo()


def _chinese(portal):
    portal.page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": portal.base_url}]
    )


def _no_sideways_scroll(page):
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width + 1, (scroll, width)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_hand_out_picker_finds_a_union_by_part_of_its_chinese_name(
    portal, demo_district, width
):
    from planning.models import KeyWorkProject, WorkPlan
    from unions.models import Union

    page = portal.page
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    portal.sign_in("admin", DEMO_PASSWORD)
    _chinese(portal)
    huguang = Union.objects.get(name_zh="湖光纺织厂工会")
    plan = WorkPlan.objects.get(owner__code="JB", year=timezone.localdate().year)
    item = plan.items.exclude(projects__owner=huguang).order_by("order").first()
    assert item is not None

    portal.goto(f"/plans/{plan.pk}/")
    form = page.get_by_test_id("hand-out-form")
    box = form.get_by_test_id("union-typeahead")
    box.click()
    box.fill("湖光")
    option = form.locator('.union-typeahead-menu [role="option"]', has_text="湖光纺织")
    option.first.wait_for()
    labels = form.locator('.union-typeahead-menu [role="option"]').all_inner_texts()
    assert labels
    assert all("湖光" in label for label in labels)
    option.first.click()
    # The pick chose "the unions picked below" too.
    assert form.locator('input[name="mode"][value="picked"]').is_checked()
    tags = form.get_by_test_id("union-tags")
    assert "湖光纺织厂工会" in tags.inner_text()
    assert form.locator('select[name="unions"]').evaluate(
        "s => [...s.selectedOptions].map(o => o.value)"
    ) == [str(huguang.pk)]
    _no_sideways_scroll(page)
    form.scroll_into_view_if_needed()
    portal.screenshot(f"hand-out-picker-{width}", full_page=False)
    # Escape shuts the menu (it stays open for more picks), the pick kept.
    box.press("Escape")
    assert form.locator(".union-typeahead-menu").is_hidden()
    assert "湖光纺织厂工会" in tags.inner_text()

    # No item chosen: the form comes back with its error, the pick kept.
    form.get_by_role("button", name="生成项目").click()
    page.wait_for_load_state("networkidle")
    form = page.get_by_test_id("hand-out-form")
    assert "湖光纺织厂工会" in form.get_by_test_id("union-tags").inner_text()
    assert form.locator(".invalid-feedback, .is-invalid").count() >= 1
    assert not KeyWorkProject.objects.filter(item=item, owner=huguang).exists()

    form.locator('select[name="item"]').select_option(str(item.pk))
    form.get_by_role("button", name="生成项目").click()
    page.wait_for_load_state("networkidle")
    assert KeyWorkProject.objects.filter(item=item, owner=huguang).exists()
    assert page.locator(".alert-success").count() >= 1
    portal.screenshot(f"hand-out-done-{width}", full_page=False)


def _percents(page) -> list[float]:
    cells = page.locator(
        '[data-testid="review-table"] tbody tr td.text-end:nth-child(5)'
    )
    values = []
    for text in cells.all_inner_texts():
        match = re.match(r"\s*([\d.]+)%", text)
        values.append(float(match.group(1)))
    return values


def test_the_review_queue_sorts_through_its_select_on_a_phone(portal, demo_district):
    page = portal.page
    page.set_viewport_size({"width": 390, "height": 844})
    portal.sign_in("cadre_sub", DEMO_PASSWORD)
    _chinese(portal)
    portal.goto("/progress/review/")
    page.wait_for_load_state("networkidle")
    select = page.locator("select#sort-select")
    assert select.is_visible()
    # The headers' sorts are out of reach at this width; the select has them.
    assert not page.locator('a.sort-link[href*="sort=unit"]').first.is_visible()
    assert "排序" in page.get_by_test_id("sort-select").inner_text()
    order = page.locator("#review-order").inner_text()
    before = page.locator('[data-testid="review-table"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.id)"
    )
    assert len(before) >= 2
    portal.screenshot("review-sort-390", full_page=False)

    select.select_option("percent")
    page.wait_for_url("**sort=percent**")
    page.wait_for_load_state("networkidle")
    ascending = _percents(page)
    assert ascending == sorted(ascending)
    # The subtitle no longer claims the submission order.
    assert page.locator("#review-order").inner_text() != order

    page.locator("select#sort-select").select_option("-percent")
    page.wait_for_url("**sort=-percent**")
    page.wait_for_load_state("networkidle")
    descending = _percents(page)
    assert descending == sorted(descending, reverse=True)
    after = page.locator('[data-testid="review-table"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.id)"
    )
    assert after != before or ascending == descending
    assert page.locator("select#sort-select").evaluate("s => s.value") == "-percent"
    _no_sideways_scroll(page)
    portal.screenshot("review-sorted-390", full_page=False)
