from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)
from tests.snapshots import assert_unchanged

from .factories import (
    CampaignFactory,
    EventFactory,
    MilestoneFactory,
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    WorkPlanFactory,
    past_period,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def _entry_url(project, period=None):
    url = reverse("planning:report_entry", args=[project.pk])
    return f"{url}?period={period.start:%Y-%m-%d}" if period else url


def _report_post(project, *, action="save", version=0, **fields):
    data = {
        "achieved_value": "30",
        "percent_complete": "30",
        "narrative": "Held two courses.",
        "version": str(version),
        "action": action,
        "period": f"{past_period(project).start:%Y-%m-%d}",
    }
    data.update(fields)
    return data


# --- reporting: who may report on which project ---------------------------------------


def test_outsider_gets_404_on_report_entry(client_for, outsider, project):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(_entry_url(project), _report_post(project))
    assert response.status_code == 404


def test_leader_gets_403_on_report_entry(client_for, leader, project):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(_entry_url(project), _report_post(project))
    assert response.status_code == 403


def test_cadre_of_a_union_that_neither_owns_nor_takes_part_gets_403(
    client_for, cadre_sub, project
):
    client = client_for(cadre_sub)
    assert (
        client.get(reverse("planning:project_detail", args=[project.pk])).status_code
        == 200
    )
    assert client.get(_entry_url(project)).status_code == 403
    with assert_unchanged():
        assert (
            client.post(_entry_url(project), _report_post(project)).status_code == 403
        )
    assert not ProgressReport.objects.exists()


def test_cadre_of_the_owner_saves_a_draft(client_for, cadre_grass, project):
    response = client_for(cadre_grass).post(_entry_url(project), _report_post(project))
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.status, report.union_id) == ("draft", cadre_grass.union_id)


def test_cadre_of_a_participating_union_may_report(
    client_for, grassroots_sibling, project
):
    from tests.accounts.factories import UserFactory

    project.participants.add(grassroots_sibling)
    sibling = UserFactory(union=grassroots_sibling, is_cadre=True)
    response = client_for(sibling).post(_entry_url(project), _report_post(project))
    assert response.status_code == 302
    assert ProgressReport.objects.get().union == grassroots_sibling


def test_htmx_draft_save_answers_with_the_panel_only(client_for, cadre_grass, project):
    response = client_for(cadre_grass).post(
        _entry_url(project), _report_post(project), **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="report-panel"' in content
    assert "<html" not in content
    assert "Draft saved at" in content


def test_htmx_submit_redirects_the_whole_page(client_for, cadre_grass, project):
    response = client_for(cadre_grass).post(
        _entry_url(project), _report_post(project, action="submit"), **HTMX
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(_entry_url(project))
    assert ProgressReport.objects.get().status == "submitted"


def test_bad_numbers_are_refused_with_a_message(client_for, cadre_grass, project):
    response = client_for(cadre_grass).post(
        _entry_url(project),
        _report_post(project, percent_complete="140", achieved_value="lots"),
        **HTMX,
    )
    assert response.status_code == 200
    assert b"Ensure this value is less than or equal to 100" in response.content
    assert b"Enter a number" in response.content
    assert not ProgressReport.objects.exists()


def test_stale_version_gets_a_clear_message(client_for, cadre_grass, project):
    client = client_for(cadre_grass)
    client.post(_entry_url(project), _report_post(project))
    client.post(_entry_url(project), _report_post(project, version=1))
    response = client.post(
        _entry_url(project),
        _report_post(project, version=1, narrative="old tab"),
        **HTMX,
    )
    assert b"Someone else saved this report" in response.content
    assert ProgressReport.objects.get().narrative == "Held two courses."


def test_posting_to_an_approved_report_is_refused(client_for, cadre_grass, project):
    ReportFactory(project=project, status="approved")
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(_entry_url(project), _report_post(project, version=1))
    assert response.status_code == 403
    assert ProgressReport.objects.get().narrative == "Two courses held."


def test_returned_report_shows_the_reviewers_comment_on_top(
    client_for, cadre_grass, project
):
    period = past_period(project)
    ReportFactory(project=project, status="returned", review_comment="Add the photos.")
    response = client_for(cadre_grass).get(_entry_url(project, period))
    content = response.content.decode()
    assert 'data-testid="review-comment"' in content
    assert content.index("Add the photos.") < content.index('data-testid="report-form"')


def test_unknown_period_answers_404(client_for, cadre_grass, project):
    response = client_for(cadre_grass).get(_entry_url(project) + "?period=1999-01-01")
    assert response.status_code == 404
    response = client_for(cadre_grass).get(_entry_url(project) + "?period=garbage")
    assert response.status_code == 404


def test_unknown_project_answers_404(client_for, cadre_grass, db):
    assert client_for(cadre_grass).get("/projects/999999/").status_code == 404
    assert (
        client_for(cadre_grass).get("/progress/projects/999999/report/").status_code
        == 404
    )


# --- review -------------------------------------------------------------------------


def _review(client, report, decision="approve", comment=""):
    return client.post(
        reverse("planning:report_review", args=[report.pk]),
        {"decision": decision, "comment": comment},
    )


def test_foreign_reviewer_gets_404_on_review(client_for, foreign_reviewer, project):
    report = ReportFactory(project=project)
    signed_in = client_for(foreign_reviewer)
    with assert_unchanged():
        response = _review(signed_in, report)
    assert response.status_code == 404


def test_leader_gets_403_on_review(client_for, leader, project):
    report = ReportFactory(project=project)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = _review(signed_in, report)
    assert response.status_code == 403


def test_cadre_cannot_review_own_unions_report(client_for, cadre_grass, project):
    report = ReportFactory(project=project)
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = _review(signed_in, report)
    assert response.status_code == 403


def test_reviewer_above_approves(client_for, cadre_sub, project):
    report = ReportFactory(project=project)
    response = _review(client_for(cadre_sub), report)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"


def test_return_without_comment_is_refused(client_for, cadre_sub, project):
    report = ReportFactory(project=project)
    client = client_for(cadre_sub)
    response = client.post(
        reverse("planning:report_review", args=[report.pk]),
        {"decision": "return", "comment": "  "},
    )
    assert b"Say what must be corrected" in response.content
    report.refresh_from_db()
    assert report.status == "submitted"


def test_htmx_approve_in_the_queue_returns_the_row(client_for, cadre_sub, project):
    report = ReportFactory(project=project)
    response = client_for(cadre_sub).post(
        reverse("planning:report_review", args=[report.pk]),
        {"decision": "approve", "row": "1", "comment": ""},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.content.decode().strip().startswith("<tr")
    assert b'data-status="approved"' in response.content


def test_bulk_review_approves_the_ticked_reports(client_for, cadre_sub, project):
    reports = [
        ReportFactory(project=project, period=past_period(project, n)) for n in (1, 2)
    ]
    response = client_for(cadre_sub).post(
        reverse("planning:review_bulk"),
        {"reports": [r.pk for r in reports], "decision": "approve", "comment": ""},
    )
    assert response.status_code == 302
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"approved"}


def test_bulk_return_needs_a_comment(client_for, cadre_sub, project):
    report = ReportFactory(project=project)
    client_for(cadre_sub).post(
        reverse("planning:review_bulk"),
        {"reports": [report.pk], "decision": "return", "comment": ""},
    )
    report.refresh_from_db()
    assert report.status == "submitted"


def test_bulk_review_ignores_reports_outside_the_queue(
    client_for, foreign_reviewer, project
):
    report = ReportFactory(project=project)
    client_for(foreign_reviewer).post(
        reverse("planning:review_bulk"),
        {"reports": [report.pk], "decision": "approve", "comment": ""},
    )
    report.refresh_from_db()
    assert report.status == "submitted"


def test_leader_gets_403_on_bulk_review(client_for, leader, project):
    report = ReportFactory(project=project)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:review_bulk"),
            {"reports": [report.pk], "decision": "approve"},
        )
    assert response.status_code == 403


def test_review_queue_is_for_reviewers_only(client_for, cadre_grass, db):
    assert (
        client_for(cadre_grass).get(reverse("planning:review_queue")).status_code == 403
    )


def test_district_reviewer_sees_direct_units_by_default(
    client_for, reviewer, project, subdistrict, item
):
    sub_report = ReportFactory(project=ProjectFactory(item=item, owner=subdistrict))
    grass_report = ReportFactory(project=project)
    client = client_for(reviewer)
    response = client.get(reverse("planning:review_queue"))
    ids = {r.pk for r in response.context["page"].object_list}
    assert ids == {sub_report.pk}
    response = client.get(reverse("planning:review_queue") + "?level=all")
    ids = {r.pk for r in response.context["page"].object_list}
    assert ids == {sub_report.pk, grass_report.pk}


# --- plans --------------------------------------------------------------------------


@pytest.fixture
def draft_plan(district):
    plan = WorkPlanFactory(owner=district, status=WorkPlan.Status.DRAFT)
    PlanItemFactory(plan=plan)
    return plan


def test_draft_plans_are_hidden_from_unions(client_for, cadre_grass, draft_plan):
    response = client_for(cadre_grass).get(
        reverse("planning:plan_detail", args=[draft_plan.pk])
    )
    assert response.status_code == 404


def test_foreign_admin_gets_404_on_publish(client_for, foreign_admin, draft_plan):
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:plan_publish", args=[draft_plan.pk])
        )
    assert response.status_code == 404


def test_leader_gets_403_on_close(client_for, leader, plan):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:plan_close", args=[plan.pk]))
    assert response.status_code == 403


def test_cadre_gets_403_on_close(client_for, cadre_grass, plan):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:plan_close", args=[plan.pk]))
    assert response.status_code == 403


def test_admin_publishes_a_draft(client_for, admin_user, draft_plan):
    client_for(admin_user).post(reverse("planning:plan_publish", args=[draft_plan.pk]))
    draft_plan.refresh_from_db()
    assert draft_plan.status == "published"


def test_admin_creates_a_plan(client_for, admin_user, district):
    response = client_for(admin_user).post(
        reverse("planning:plan_create"),
        {
            "title": "Plan 2031",
            "year": "2031",
            "reporting_frequency": "quarterly",
            "report_due_days": "10",
        },
    )
    assert response.status_code == 302
    assert WorkPlan.objects.get().owner == district


def test_cadre_gets_403_on_plan_create(client_for, cadre_grass):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        assert signed_in.post(reverse("planning:plan_create"), {}).status_code == 403


def test_plan_with_bad_year_is_refused(client_for, admin_user, district):
    response = client_for(admin_user).post(
        reverse("planning:plan_create"),
        {
            "title": "x",
            "year": "20x1",
            "reporting_frequency": "monthly",
            "report_due_days": "5",
        },
    )
    assert response.status_code == 200
    assert b"Enter a whole number" in response.content
    assert not WorkPlan.objects.exists()


def test_foreign_admin_gets_404_on_item_create(client_for, foreign_admin, plan):
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:item_create", args=[plan.pk]), {})
    assert response.status_code == 404


def test_leader_gets_403_on_item_edit(client_for, leader, item):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:item_edit", args=[item.pk]), {})
    assert response.status_code == 403


def test_admin_adds_an_item(client_for, admin_user, plan):
    response = client_for(admin_user).post(
        reverse("planning:item_create", args=[plan.pk]),
        {
            "category": "service",
            "title": "Service stations",
            "target_value": "3",
            "target_unit": "stations",
            "weight": "1",
            "due_date": "2031-09-30",
        },
    )
    assert response.status_code == 302
    assert PlanItem.objects.filter(title="Service stations").exists()


def test_admin_hands_an_item_to_all_grassroots_under_a_subdistrict(
    client_for,
    admin_user,
    item,
    subdistrict,
    grassroots,
    grassroots_sibling,
    other_grassroots,
):
    response = client_for(admin_user).post(
        reverse("planning:plan_hand_out", args=[item.plan_id]),
        {"item": item.pk, "mode": "grassroots", "subdistrict": subdistrict.pk},
    )
    assert response.status_code == 302
    owners = set(
        KeyWorkProject.objects.filter(item=item).values_list("owner_id", flat=True)
    )
    assert owners == {grassroots.pk, grassroots_sibling.pk}


def test_hand_out_without_a_subdistrict_writes_nothing(client_for, admin_user, item):
    client_for(admin_user).post(
        reverse("planning:plan_hand_out", args=[item.plan_id]),
        {"item": item.pk, "mode": "grassroots"},
    )
    assert not KeyWorkProject.objects.exists()


def test_leader_gets_403_on_hand_out(client_for, leader, item):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:plan_hand_out", args=[item.plan_id]),
            {"item": item.pk, "mode": "subdistricts"},
        )
    assert response.status_code == 403


def test_foreign_admin_gets_404_on_hand_out(client_for, foreign_admin, item):
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:plan_hand_out", args=[item.plan_id]),
            {"item": item.pk, "mode": "subdistricts"},
        )
    assert response.status_code == 404


# --- projects and milestones -----------------------------------------------------------


def test_foreign_admin_gets_404_on_project_edit(client_for, foreign_admin, project):
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:project_edit", args=[project.pk]), {}
        )
    assert response.status_code == 404


def test_leader_gets_403_on_project_edit(client_for, leader, project):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:project_edit", args=[project.pk]), {}
        )
    assert response.status_code == 403


def test_admin_edits_a_projects_target(
    client_for, admin_user, project, grassroots_sibling
):
    response = client_for(admin_user).post(
        reverse("planning:project_edit", args=[project.pk]),
        {
            "title": project.title,
            "category": project.category,
            "target_value": "250",
            "target_unit": "people",
            "weight": "2",
            "start_date": f"{project.start_date:%Y-%m-%d}",
            "due_date": f"{project.due_date:%Y-%m-%d}",
            "participants": [grassroots_sibling.pk],
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.target_value == Decimal(250)
    assert list(project.participants.all()) == [grassroots_sibling]


def test_project_due_before_start_is_refused(client_for, admin_user, project):
    response = client_for(admin_user).post(
        reverse("planning:project_edit", args=[project.pk]),
        {
            "title": project.title,
            "category": project.category,
            "target_value": "250",
            "target_unit": "people",
            "weight": "1",
            "start_date": "2026-06-01",
            "due_date": "2026-05-01",
        },
    )
    assert response.status_code == 200
    assert b"The due date cannot be before the start." in response.content


def test_outsider_gets_404_on_milestone_create(client_for, outsider, project):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:milestone_create", args=[project.pk]),
            {"title": "x", "due_date": "2026-01-01"},
        )
    assert response.status_code == 404


def test_leader_gets_403_on_milestone_toggle(client_for, leader, project):
    milestone = MilestoneFactory(project=project)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:milestone_toggle", args=[milestone.pk])
        )
    assert response.status_code == 403


def test_owner_cadre_adds_and_completes_a_milestone(client_for, cadre_grass, project):
    client = client_for(cadre_grass)
    client.post(
        reverse("planning:milestone_create", args=[project.pk]),
        {"title": "Venue booked", "due_date": "2026-03-01"},
    )
    milestone = Milestone.objects.get()
    client.post(reverse("planning:milestone_toggle", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_on is not None


def test_participant_cadre_gets_403_on_milestones(client_for, cadre_sub, project):
    milestone = MilestoneFactory(project=project)
    signed_in = client_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:milestone_delete", args=[milestone.pk])
        )
    assert response.status_code == 403


def test_project_list_filters_by_status_and_text(
    client_for, admin_user, item, grassroots, subdistrict
):
    ProjectFactory(item=item, owner=grassroots, title="Train cadres")
    late = ProjectFactory(
        item=PlanItemFactory(plan=item.plan), owner=subdistrict, title="Build stations"
    )
    KeyWorkProject.objects.filter(pk=late.pk).update(status="delayed")
    response = client_for(admin_user).get(
        reverse("planning:project_list") + "?status=delayed&q=stations"
    )
    assert [p.pk for p in response.context["page"].object_list] == [late.pk]


def test_project_list_puts_the_cadres_own_projects_first(
    client_for, cadre_sub, item, grassroots, subdistrict
):
    ProjectFactory(item=item, owner=grassroots, due_date=item.due_date)
    own = ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=subdistrict)
    response = client_for(cadre_sub).get(reverse("planning:project_list"))
    assert response.context["page"].object_list[0].pk == own.pk


def test_project_list_htmx_answers_rows_only(client_for, cadre_grass, project):
    response = client_for(cadre_grass).get(reverse("planning:project_list"), **HTMX)
    assert b"<html" not in response.content
    assert project.title.encode() in response.content


def test_project_list_bad_filter_value_does_not_fail(client_for, cadre_grass, project):
    response = client_for(cadre_grass).get(
        reverse("planning:project_list") + "?owner=abc&due_after=notadate"
    )
    assert response.status_code == 200


# --- activities ---------------------------------------------------------------------


def _event_post(union, **extra):
    data = {
        "kind": "activity",
        "union": union.pk,
        "date": "2026-05-01",
        "title": "Skills contest",
        "participants": "40",
        "trainees": "0",
    }
    data.update(extra)
    return data


def test_cadre_records_an_event_for_own_union(client_for, cadre_grass, grassroots):
    response = client_for(cadre_grass).post(
        reverse("planning:event_create"), _event_post(grassroots)
    )
    assert response.status_code == 302
    assert ActivityEvent.objects.get().union == grassroots


def test_cadre_cannot_record_for_another_union(
    client_for, cadre_grass, grassroots_sibling
):
    response = client_for(cadre_grass).post(
        reverse("planning:event_create"), _event_post(grassroots_sibling)
    )
    assert response.status_code == 200
    assert not ActivityEvent.objects.exists()


def test_publicity_without_media_level_is_refused(client_for, cadre_grass, grassroots):
    response = client_for(cadre_grass).post(
        reverse("planning:event_create"), _event_post(grassroots, kind="publicity")
    )
    assert b"Give the media level of a publicity item." in response.content
    assert not ActivityEvent.objects.exists()


def test_leader_gets_403_on_event_create(client_for, leader, grassroots):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:event_create"), _event_post(grassroots)
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_event_edit(client_for, outsider, grassroots):
    event = EventFactory(union=grassroots)
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:event_edit", args=[event.pk]), {})
    assert response.status_code == 404


def test_leader_gets_403_on_event_edit(client_for, leader, grassroots):
    event = EventFactory(union=grassroots)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:event_edit", args=[event.pk]), {})
    assert response.status_code == 403


def test_cadre_edits_own_event(client_for, cadre_grass, grassroots):
    event = EventFactory(union=grassroots)
    client_for(cadre_grass).post(
        reverse("planning:event_edit", args=[event.pk]),
        _event_post(grassroots, kind="training", trainees="25", title="Course"),
    )
    event.refresh_from_db()
    assert (event.kind, event.trainees) == ("training", 25)


def test_foreign_admin_gets_404_on_campaign_edit(client_for, foreign_admin, district):
    campaign = CampaignFactory(owner=district)
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:campaign_edit", args=[campaign.pk]), {}
        )
    assert response.status_code == 404


def test_leader_gets_403_on_campaign_item_add(client_for, leader, district):
    campaign = CampaignFactory(owner=district)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:campaign_detail", args=[campaign.pk]), {"title": "x"}
        )
    assert response.status_code == 403


def test_cadre_gets_403_on_campaign_item_add(client_for, cadre_grass, district):
    campaign = CampaignFactory(owner=district)
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:campaign_detail", args=[campaign.pk]), {"title": "x"}
        )
    assert response.status_code == 403


def test_admin_creates_a_campaign_and_adds_an_item(client_for, admin_user, district):
    client = client_for(admin_user)
    client.post(
        reverse("planning:campaign_create"),
        {"title": "Four qualities", "year": "2026", "is_active": "on"},
    )
    campaign = Campaign.objects.get()
    client.post(
        reverse("planning:campaign_detail", args=[campaign.pk]),
        {"title": "Show identity"},
    )
    assert CampaignItem.objects.get().campaign == campaign


# --- query counts -------------------------------------------------------------------


def _queries(client, url):
    # The first page after signing in also refreshes the session (a write that
    # later pages skip for a minute): count a warm request.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_project_list_query_count_is_constant(
    client_for, cadre_sub, item, subdistrict, grassroots, django_assert_num_queries
):
    from django.core.cache import cache

    client = client_for(cadre_sub)
    ProjectFactory(item=item, owner=grassroots, participants=[subdistrict])
    url = reverse("planning:project_list")
    # Warm: the rows and the filter bar come from the cache (kept under the
    # projects' latest change); cold: computed. Neither grows with the rows.
    warm = _queries(client, url)
    cache.clear()
    cold = _queries_cold(client, url)
    assert warm < cold
    for _ in range(4):
        ProjectFactory(
            item=PlanItemFactory(plan=item.plan),
            owner=grassroots,
            participants=[subdistrict],
        )
    cache.clear()
    with django_assert_num_queries(cold):
        client.get(url)
    with django_assert_num_queries(warm):
        client.get(url)


def _queries_cold(client, url):
    from django.core.cache import cache

    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_project_detail_query_count_is_constant(
    client_for,
    cadre_grass,
    project,
    grassroots_sibling,
    django_assert_num_queries,
    media_root,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from planning.services.reports import evidence_attach

    from .factories import PDF_BYTES

    project.participants.add(grassroots_sibling)
    client = client_for(cadre_grass)
    url = reverse("planning:project_detail", args=[project.pk])

    def add(n):
        report = ReportFactory(
            project=project, period=past_period(project, n), status="approved"
        )
        ReportFactory(
            project=project, union=grassroots_sibling, period=past_period(project, n)
        )
        MilestoneFactory(project=project)
        report.status = "draft"
        evidence_attach(
            file=SimpleUploadedFile("p.pdf", PDF_BYTES), by=cadre_grass, report=report
        )
        report.status = "approved"

    from django.core.cache import cache

    add(1)
    # Warm: the page comes from the cache (kept under the project's version,
    # read in one statement); cold: read, with its history panel. Neither grows.
    warm = _queries(client, url)
    cold = _queries_cold(client, url)
    assert warm < cold
    for n in range(2, 6):
        add(n)
    cache.clear()
    with django_assert_num_queries(cold):
        client.get(url)
    with django_assert_num_queries(warm):
        client.get(url)


def test_review_queue_query_count_is_constant(
    client_for, cadre_sub, project, grassroots_sibling, item, django_assert_num_queries
):
    from django.core.cache import cache

    client = client_for(cadre_sub)
    ReportFactory(project=project)
    url = reverse("planning:review_queue")
    # Warm: the rows and the filter bar come from the cache (kept under the
    # latest change of reports, unions and evidence files); cold: computed.
    # Neither grows with the rows.
    warm = _queries(client, url)
    cold = _queries_cold(client, url)
    assert warm < cold
    for n in range(2, 6):
        ReportFactory(project=project, period=past_period(project, n))
    ReportFactory(
        project=ProjectFactory(
            item=PlanItemFactory(plan=item.plan), owner=grassroots_sibling
        )
    )
    cache.clear()
    with django_assert_num_queries(cold):
        client.get(url)
    with django_assert_num_queries(warm):
        client.get(url)


def test_progress_home_query_count_is_constant(
    client_for, cadre_grass, project, item, grassroots, django_assert_num_queries
):
    client = client_for(cadre_grass)
    ReportFactory(project=project)
    url = reverse("planning:progress_home")
    one = _queries(client, url)
    for _ in range(4):
        other = ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=grassroots)
        ReportFactory(project=other, status="returned")
    with django_assert_num_queries(one):
        client.get(url)


def test_activity_home_query_count_is_constant(
    client_for, cadre_grass, grassroots, district, django_assert_num_queries
):
    from .factories import CampaignItemFactory

    client = client_for(cadre_grass)
    campaign = CampaignFactory(owner=district)
    EventFactory(union=grassroots, item=CampaignItemFactory(campaign=campaign))
    url = reverse("planning:activity_home")
    one = _queries(client, url)
    for _ in range(4):
        EventFactory(
            union=grassroots,
            item=CampaignItemFactory(campaign=CampaignFactory(owner=district)),
        )
    with django_assert_num_queries(one):
        client.get(url)


def test_home_page_tasks_query_count_is_constant(
    client_for, cadre_grass, project, item, grassroots, django_assert_num_queries
):
    from planning.home import home_tasks

    with CaptureQueriesContext(connection) as ctx:
        home_tasks(cadre_grass)
    one = len(ctx)
    for _ in range(4):
        ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=grassroots)
    with django_assert_num_queries(one):
        home_tasks(cadre_grass)


def test_home_page_shows_late_reports_to_the_cadre(client_for, cadre_grass, project):
    response = client_for(cadre_grass).get("/")
    assert b"Late progress reports" in response.content


def test_home_page_shows_waiting_reviews_to_the_reviewer(
    client_for, cadre_sub, project
):
    ReportFactory(project=project)
    response = client_for(cadre_sub).get("/")
    assert b"Progress reports waiting for your review" in response.content
