"""An administrator walks a change of term from planned to completed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.unions.factories import officer_factory, resident_id, term_factory
from unions.models import OfficeTerm, Position

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def due_union(grassroots):
    term = term_factory(
        grassroots, planned_end=timezone.localdate() + timedelta(days=45), years=5
    )
    officer_factory(term, role=Position.Role.CHAIR, name="周建国", gender="male")
    officer_factory(term, role=Position.Role.VICE_CHAIR, name="吴秀英")
    return grassroots


def _take_step(page, step, comment, *, document=None):
    form = page.get_by_test_id("next-step")
    page.locator(f"#id_{step}-comment").fill(comment)
    if document is not None:
        page.locator(f"#id_{step}-document").set_input_files(document)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_admin_walks_a_change_of_term_from_planned_to_completed(
    portal, admin_user, due_union, password, tmp_path
):
    page = portal.page
    page.on("dialog", lambda dialog: dialog.accept())
    request_pdf = tmp_path / "换届请示.pdf"
    request_pdf.write_bytes(PDF)
    old_term = OfficeTerm.objects.get(union=due_union)

    portal.sign_in(admin_user.username, password)
    portal.goto(due_union.get_absolute_url())
    assert (
        page.get_by_test_id("current-term")
        .get_by_text("Due soon", exact=True)
        .is_visible()
    )
    portal.screenshot("terms-change-01-union-due")

    page.get_by_role("link", name="Plan a change of term").click()
    planned = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.get_by_label("Planned election date").fill(planned)
    page.get_by_label("Comment").fill("拟于下月召开会员大会。")
    portal.screenshot("terms-change-02-plan-form")
    page.get_by_role("button", name="Plan the change of term").click()
    page.wait_for_load_state("networkidle")
    assert (
        page.get_by_test_id("change-state")
        .get_by_text("Planned", exact=True)
        .is_visible()
    )
    portal.screenshot("terms-change-03-planned")

    _take_step(page, "submitted", "已报送上级工会。", document=str(request_pdf))
    assert page.get_by_role("link", name="换届请示.pdf").is_visible()
    portal.screenshot("terms-change-04-submitted")

    _take_step(page, "approved", "同意换届。")
    page.locator("#id_election_held-new_term_years").select_option("3")
    rows = [
        ("孙红梅", "female", "chair", "139 0000 0001", resident_id()),
        ("郭振华", "male", "vice_chair", "", ""),
        ("林静", "female", "women_committee_member", "", ""),
        ("王磊", "male", "committee_member", "", ""),
        ("赵敏", "female", "committee_member", "", ""),
        ("钱进", "male", "committee_member", "", ""),
        ("陈晓东", "male", "funds_review_member", "", ""),
    ]
    # The page shows five empty rows; "Add a row" adds the others (portal.js).
    shown = page.locator("[data-formset-rows] tr").count()
    for index, (name, gender, role, phone, id_number) in enumerate(rows):
        if index >= shown:
            page.get_by_test_id("officer-add").click()
        page.locator(f"#id_officers-{index}-name").fill(name)
        page.locator(f"#id_officers-{index}-gender").select_option(gender)
        page.locator(f"#id_officers-{index}-role").select_option(role)
        page.locator(f"#id_officers-{index}-phone").fill(phone)
        page.locator(f"#id_officers-{index}-id_number").fill(id_number)
    portal.screenshot("terms-change-05-election-form")
    _take_step(page, "election_held", "会员大会选举产生新一届委员会。")
    assert page.get_by_test_id("elected").get_by_text("孙红梅").is_visible()
    assert page.get_by_test_id("elected").get_by_text("陈晓东").is_visible()
    portal.screenshot("terms-change-06-election-held")

    _take_step(page, "result_approved", "同意选举结果。")
    portal.screenshot("terms-change-07-result-approved")
    _take_step(page, "completed", "")
    assert (
        page.get_by_test_id("change-state")
        .get_by_text("Completed", exact=True)
        .is_visible()
    )
    portal.screenshot("terms-change-08-completed")

    portal.goto(due_union.get_absolute_url())
    current = page.get_by_test_id("current-term")
    assert current.get_by_text(f"Term {old_term.number + 1}").is_visible()
    assert current.get_by_text("孙红梅").is_visible()
    assert current.get_by_text("周建国").count() == 0
    history = page.get_by_test_id("term-history")
    assert history.get_by_text("Ended", exact=True).is_visible()
    portal.screenshot("terms-change-09-union-new-term")
    old_term.refresh_from_db()
    assert old_term.closed


def test_out_of_order_step_is_not_offered_to_a_cadre(
    portal, cadre_grass, admin_user, due_union, password
):
    from unions.workflow import term_change_advance, term_change_plan

    today = timezone.localdate()
    change = term_change_plan(union=due_union, by=cadre_grass, day=today)
    term_change_advance(change=change, step="submitted", by=cadre_grass, day=today)
    portal.sign_in(cadre_grass.username, password)
    portal.goto(change.get_absolute_url())
    assert portal.page.get_by_test_id("next-step").count() == 0
    assert portal.page.get_by_text("Waiting for the higher union").is_visible()
    portal.screenshot("terms-change-cadre-waiting")
