"""The key-work journey: a grassroots cadre reports, the sub-district reviews."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from planning.models import KeyWorkProject, ProgressReport
from tests.planning.factories import (
    PDF_BYTES,
    PlanItemFactory,
    ProjectFactory,
    WorkPlanFactory,
)


@pytest.fixture
def journey_project(district, grassroots, subdistrict):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    plan = WorkPlanFactory(owner=district, title="District key-work plan")
    item = PlanItemFactory(plan=plan, title="Train union cadres")
    project = ProjectFactory(
        item=item,
        owner=grassroots,
        title="Train 100 union cadres",
        target_value=Decimal(100),
        target_unit="cadres",
        start_date=last_month,
        due_date=today + timedelta(days=60),
    )
    from planning.services.plans import project_refresh

    return project_refresh(project=project)


def _sign_in_as(portal, user, password):
    portal.sign_out()
    portal.sign_in(user.username, password)


def test_report_is_drafted_returned_corrected_and_approved(
    portal, cadre_grass, cadre_sub, password, journey_project, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = portal.page
    status_before = journey_project.status

    # The cadre opens the union's project from the list.
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/projects/")
    page.get_by_role("link", name="Train 100 union cadres").click()
    expect(page.get_by_role("heading", name="Train 100 union cadres")).to_be_visible()
    portal.screenshot("planning-1-project-before")

    # Saves a draft in place (htmx: the page does not reload).
    page.get_by_role("link", name="Report progress").click()
    entry_url = page.url
    page.get_by_label("Achieved so far").fill("60")
    page.get_by_label("Percent complete").fill("60")
    page.get_by_label("What was done").fill("Three courses held for 60 cadres.")
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("saved-at")).to_be_visible()
    assert page.evaluate("window.__noReload === true")
    assert page.url == entry_url
    portal.screenshot("planning-2-draft-saved")

    # Attaches a PDF.
    pdf = tmp_path / "sign-in-sheet.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.get_by_label("Evidence file").set_input_files(str(pdf))
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_test_id("evidence-list")).to_contain_text("sign-in-sheet.pdf")
    portal.screenshot("planning-3-pdf-attached")

    # Submits.
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("waiting for review")).to_be_visible()
    portal.screenshot("planning-4-submitted")

    # The sub-district reviewer returns it with a comment.
    _sign_in_as(portal, cadre_sub, password)
    portal.goto("/progress/review/")
    expect(page.get_by_test_id("review-table")).to_contain_text(
        "Train 100 union cadres"
    )
    portal.screenshot("planning-5-review-queue")
    page.get_by_test_id("review-table").get_by_role("link", name="Open").click()
    page.get_by_role("button", name="Return with comment").click()
    expect(
        page.get_by_text("Say what must be corrected when returning a report.")
    ).to_be_visible()
    page.get_by_label("Comment").fill("Please add the number of cadres per course.")
    page.get_by_role("button", name="Return with comment").click()
    expect(page.get_by_text("The report was returned.")).to_be_visible()
    portal.screenshot("planning-6-returned")

    # The cadre sees the comment at the top, corrects and submits again.
    _sign_in_as(portal, cadre_grass, password)
    portal.goto("/progress/")
    page.get_by_role("link", name="Correct").click()
    expect(page.get_by_test_id("review-comment")).to_contain_text(
        "Please add the number of cadres per course."
    )
    portal.screenshot("planning-7-comment-on-top")
    page.get_by_label("What was done").fill(
        "Three courses: 20, 25 and 15 cadres (60 in all)."
    )
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("waiting for review")).to_be_visible()

    # The reviewer approves it from the queue, in place.
    _sign_in_as(portal, cadre_sub, password)
    portal.goto("/progress/review/")
    row = page.get_by_test_id("review-table").locator("tbody tr").first
    row.get_by_role("button", name="Approve").click()
    expect(row).to_contain_text("Approved")
    portal.screenshot("planning-8-approved-in-queue")

    # The project's chart and status now show the approved progress.
    portal.goto(f"/projects/{journey_project.pk}/")
    expect(page.get_by_test_id("progress-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("project-percent")).to_have_text("60.0%")
    project = KeyWorkProject.objects.get(pk=journey_project.pk)
    assert project.status != status_before
    expect(page.get_by_test_id("project-status")).to_contain_text(
        project.get_status_display()
    )
    portal.screenshot("planning-9-project-after")
    report = ProgressReport.objects.get()
    assert (report.status, report.evidence.count()) == ("approved", 1)


def test_report_entry_fits_a_phone(portal, cadre_grass, password, journey_project):
    portal.page.set_viewport_size({"width": 390, "height": 844})
    portal.sign_in(cadre_grass.username, password)
    portal.goto(f"/progress/projects/{journey_project.pk}/report/")
    expect(portal.page.get_by_role("button", name="Submit for review")).to_be_visible()
    width = portal.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    portal.screenshot("planning-mobile-report-entry")
