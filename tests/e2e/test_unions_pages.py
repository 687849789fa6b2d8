"""The unions and office-term pages with the demo district, wide and narrow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_demo_users
from unions import demo
from unions.dates import add_months
from unions.models import Person, TermChange, Union
from unions.services import term_open, union_create


@pytest.fixture
def demo_district(transactional_db):
    context = {"unions": demo.seed_union_tree()}
    context["users"] = seed_demo_users(context["unions"])
    demo.seed(context)
    return context


def test_admin_and_cadre_tour_of_the_demo_district(portal, demo_district):
    page = portal.page
    portal.sign_in("admin", DEMO_PASSWORD)
    portal.screenshot("unions-home-admin")
    assert page.get_by_text("Overdue office terms").is_visible()

    portal.goto("/unions/")
    portal.screenshot("unions-list")
    page.get_by_label("Search").fill("东湖")
    page.wait_for_timeout(800)
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("union-count").is_visible()
    portal.screenshot("unions-list-search")

    sub = demo_district["unions"]["JB-S02"]
    portal.goto(sub.get_absolute_url())
    portal.screenshot("unions-detail-subdistrict")

    portal.goto("/terms/")
    assert page.get_by_test_id("attention").is_visible()
    page.wait_for_selector(".chart svg")
    portal.screenshot("terms-dashboard")

    # A sub-district with more due terms than the dashboard lists links to the rest.
    crowded = demo_district["unions"]["JB-S03"]
    for n in range(6):
        union = union_create(
            parent=crowded,
            code=f"JB-S03-X{n}",
            name_zh=f"测试企业工会{n}",
            name_en=f"Extra Works {n} Union",
            kind=Union.Kind.ENTERPRISE,
        )
        term_open(
            union=union,
            start=add_months(timezone.localdate(), -58) - timedelta(days=n),
            length_years=5,
        )
    portal.goto("/terms/")
    group = page.get_by_test_id("attention-group").filter(has_text=crowded.name_en)
    assert group.get_by_test_id("group-due").is_visible()
    more = page.get_by_test_id("group-more")
    assert more.count() == 1
    portal.screenshot("terms-dashboard-more")
    more.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Sub-district").input_value() == str(crowded.pk)
    assert page.get_by_label("Status").input_value() == "attention"
    assert page.get_by_test_id("term-table").locator("tbody tr").count() >= 7
    portal.screenshot("terms-list-sub-district")

    portal.goto("/terms/list/?status=due")
    portal.screenshot("terms-list-due")
    portal.goto("/terms/changes/")
    portal.screenshot("terms-changes")
    election = TermChange.objects.get(state="election_held")
    portal.goto(election.get_absolute_url())
    portal.screenshot("terms-change-election-held")

    chair = Person.objects.filter(positions__union=sub, positions__role="chair").first()
    portal.goto(chair.get_absolute_url())
    assert page.get_by_test_id("person-facts").get_by_text(chair.phone).is_visible()
    portal.screenshot("unions-person-admin")

    page.set_viewport_size({"width": 390, "height": 844})
    portal.goto("/unions/")
    portal.screenshot("unions-list-mobile")
    portal.goto("/terms/")
    page.wait_for_selector(".chart svg")
    portal.screenshot("terms-dashboard-mobile")
    portal.goto(sub.get_absolute_url())
    portal.screenshot("unions-detail-mobile")

    portal.sign_out()
    page.set_viewport_size({"width": 1360, "height": 900})
    portal.sign_in("cadre_grass", DEMO_PASSWORD)
    portal.screenshot("unions-home-cadre")
    union = demo_district["unions"]["JB-S02-G02"]
    portal.goto(union.get_absolute_url())
    person = Person.objects.filter(
        positions__union=union, positions__is_current=True
    ).first()
    assert page.get_by_text(person.phone).count() == 0
    portal.screenshot("unions-detail-cadre-masked")
    change = TermChange.objects.get(union=union)
    portal.goto(change.get_absolute_url())
    portal.screenshot("terms-change-cadre-view")
