"""The project page is kept rendered under its project's version (one statement:
the project, its plan and item, users named on it, participants, milestones,
reports, evidence files, the unions' last save), the reader's rights and the day:
every write shows on the next request, and one reader's page (buttons, forms,
CSRF token, language, or that they may not see it) never reaches another."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from planning.models import EvidenceFile, KeyWorkProject, Milestone
from planning.services import plans, proposals
from planning.services import reports as report_services
from tests.accounts.factories import UserFactory
from tests.conftest import EN
from unions.services import union_update

from .factories import (
    PDF_BYTES,
    MilestoneFactory,
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    past_period,
)

pytestmark = pytest.mark.django_db

REPORT_BUTTON = "Report progress"
MILESTONE_FORM = "/toggle/"


def _page(client, project, status=200, **headers):
    response = client.get(project.get_absolute_url(), headers=headers)
    assert response.status_code == status
    return response.content.decode()


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _milestones(html: str) -> str:
    """The milestones card (the history panel names removed ones too)."""
    return html.split('id="milestones"')[1].split('class="col-lg-4')[0]


# --- what the warm page costs ---------------------------------------------------------


def test_a_warm_page_reads_the_version_and_nothing_of_the_project(
    client_for, cadre_grass, project
):
    ReportFactory(project=project)
    MilestoneFactory(project=project)
    client = client_for(cadre_grass)
    _page(client, project)
    with CaptureQueriesContext(connection) as warm:
        html = _page(client, project)
    assert project.title in html
    sql = [q["sql"] for q in warm.captured_queries]
    # The version statement only: no query of the project through visible_to,
    # its reports, milestones, participants or files.
    assert sum("planning_keyworkproject" in q for q in sql) == 1
    assert not any("planning_historical" in q for q in sql)


# --- one reader's page is never another's ---------------------------------------------


def test_each_reader_gets_the_buttons_of_their_own_rights(
    client_for, cadre_grass, leader, admin_user, cadre_sub, project
):
    MilestoneFactory(project=project)
    cadre = _page(client_for(cadre_grass), project)
    assert REPORT_BUTTON in cadre
    assert MILESTONE_FORM in cadre
    leader_page = _page(client_for(leader), project)
    assert REPORT_BUTTON not in leader_page
    assert MILESTONE_FORM not in leader_page
    assert f"/projects/{project.pk}/edit/" not in leader_page
    admin = _page(client_for(admin_user), project)
    assert f"/projects/{project.pk}/edit/" in admin
    assert REPORT_BUTTON not in admin
    reviewer = _page(client_for(cadre_sub), project)
    assert REPORT_BUTTON not in reviewer
    assert f"/projects/{project.pk}/edit/" not in reviewer
    # And the first reader's page is still theirs.
    assert REPORT_BUTTON in _page(client_for(cadre_grass), project)


def test_a_reader_who_may_not_see_the_project_gets_404_after_one_who_may(
    client, cadre_grass, outsider, project
):
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    _page(client, project)
    client.force_login(outsider, backend="accounts.backends.UnionModelBackend")
    _page(client, project, status=404)
    _page(client, project, status=404)  # the kept answer too
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    _page(client, project)


def test_a_missing_project_is_404(client_for, cadre_grass, project):
    client = client_for(cadre_grass)
    _page(client, project)
    project_pk = project.pk
    project.delete()
    assert client.get(f"/projects/{project_pk}/").status_code == 404
    assert client.get("/projects/99999999999999999999999/").status_code == 404


def test_a_project_shown_to_a_new_participant_on_the_next_request(
    client_for, outsider, other_grassroots, project
):
    client = client_for(outsider)
    _page(client, project, status=404)
    project.participants.add(other_grassroots)  # the m2m alone, as the admin may
    assert project.title in _page(client, project)


def test_two_readers_of_one_kind_each_get_a_token_of_their_own(
    cadre_grass, grassroots, project
):
    """The second reader is served the first one's kept page, with a token of
    their own session that CSRF accepts."""
    milestone = MilestoneFactory(project=project)
    other = UserFactory(username="cadre_grass_2", union=grassroots, is_cadre=True)
    pages = []
    for user in (cadre_grass, other):
        client = Client(enforce_csrf_checks=True, headers=EN)
        client.force_login(user, backend="accounts.backends.UnionModelBackend")
        pages.append((client, _page(client, project)))
    tokens = [_token(html) for _client, html in pages]
    assert tokens[0] != tokens[1]
    client, html = pages[1]
    response = client.post(
        reverse("planning:milestone_toggle", args=[milestone.pk]),
        {"csrfmiddlewaretoken": _token(html)},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on is not None


def test_the_page_is_kept_per_language(client_for, cadre_grass, project):
    client = client_for(cadre_grass)
    assert REPORT_BUTTON in _page(client, project)
    chinese = _page(client, project, **{"accept-language": "zh-hans"})
    assert REPORT_BUTTON not in chinese
    assert "填报进度" in chinese
    assert REPORT_BUTTON in _page(client, project)


def test_a_cadre_of_a_deactivated_union_no_longer_gets_the_writers_buttons(
    client_for, cadre_grass, grassroots, project
):
    client = client_for(cadre_grass)
    assert REPORT_BUTTON in _page(client, project)
    # Even written past ``updated_at``: the reader's union is in the key.
    type(grassroots).objects.filter(pk=grassroots.pk).update(is_active=False)
    assert REPORT_BUTTON not in _page(client, project)


def test_a_milestone_becomes_overdue_the_next_day(
    client_for, cadre_grass, project, monkeypatch
):
    today = timezone.localdate()
    MilestoneFactory(project=project, title="Due today", due_date=today)
    client = client_for(cadre_grass)
    assert "overdue" not in _page(client, project)
    real = timezone.localdate

    def tomorrow(value=None, timezone=None):
        return real(value, timezone) if value else real() + timedelta(days=1)

    monkeypatch.setattr("django.utils.timezone.localdate", tomorrow)
    assert "overdue" in _page(client, project)


# --- every write shows on the next request --------------------------------------------


def test_the_project_form_shows(client_for, cadre_grass, admin_user, project):
    reader = client_for(cadre_grass)
    _page(reader, project)
    admin = Client(headers=EN)
    admin.force_login(admin_user, backend="accounts.backends.UnionModelBackend")
    response = admin.post(
        reverse("planning:project_edit", args=[project.pk]),
        {
            "title": "Edited on the form",
            "category": project.category,
            "responsible_person": "Chen",
            "target_value": "250",
            "target_unit": "people",
            "weight": "1",
            "start_date": f"{project.start_date:%Y-%m-%d}",
            "due_date": f"{project.due_date:%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    html = _page(reader, project)
    assert "Edited on the form" in html
    assert "250 people" in html
    assert "Chen" in html


def test_a_change_through_the_api_shows(client_for, cadre_grass, admin_user, project):
    reader = client_for(cadre_grass)
    _page(reader, project)
    _token_obj, key = api_token_create(user=admin_user, name="test")
    api = APIClient(headers={"accept-language": "en"})
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/projects/{project.pk}/"
    etag = api.get(url)["ETag"]
    response = api.patch(
        url, {"title": "Renamed through the API"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert "Renamed through the API" in _page(reader, project)


def test_closing_the_plan_takes_the_writers_buttons_away(
    client_for, cadre_grass, project
):
    MilestoneFactory(project=project)
    reader = client_for(cadre_grass)
    html = _page(reader, project)
    assert REPORT_BUTTON in html
    assert MILESTONE_FORM in html
    plans.plan_close(plan=project.plan)
    html = _page(reader, project)
    assert REPORT_BUTTON not in html
    assert MILESTONE_FORM not in html


def test_a_renamed_plan_shows(client_for, cadre_grass, project):
    reader = client_for(cadre_grass)
    _page(reader, project)
    plans.plan_update(plan=project.plan, data={"title": "The renamed plan"})
    assert "The renamed plan" in _page(reader, project)


def test_an_item_description_shows(client_for, cadre_grass, project, item):
    reader = client_for(cadre_grass)
    _page(reader, project)
    plans.item_save(item=item, data={"description": "What the item asks for"})
    assert "What the item asks for" in _page(reader, project)


def test_a_renamed_responsible_user_shows(client_for, cadre_grass, project):
    person = UserFactory(first_name="Fang", last_name="Wang")
    project.responsible_user = person
    project.save()
    reader = client_for(cadre_grass)
    assert "Fang Wang" in _page(reader, project)
    person.first_name = "Lin"
    person.save()
    assert "Lin Wang" in _page(reader, project)


def _report_post(project, period, **fields):
    return {
        "achieved_value": "30",
        "percent_complete": "30",
        "narrative": "Held two courses.",
        "version": "0",
        "action": "save",
        "period": f"{period.start:%Y-%m-%d}",
    } | fields


def test_a_report_written_submitted_reviewed_and_edited_shows(
    client_for, cadre_grass, cadre_sub, leader, project
):
    reader = client_for(leader)
    assert "No reports yet." in _page(reader, project)
    period = past_period(project)
    writer = Client(headers=EN)
    writer.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    response = writer.post(
        reverse("planning:report_entry", args=[project.pk]),
        _report_post(project, period),
    )
    assert response.status_code == 302
    html = _page(reader, project)
    assert "No reports yet." not in html
    assert "Draft" in html
    assert 'data-label="Achieved">30</td>' in html
    report = project.reports.get()
    # Edited (a second save of the draft), then submitted.
    report_services.report_save(
        report=report,
        data={"achieved_value": Decimal("35"), "percent_complete": Decimal("35")},
        version=report.version,
        by=cadre_grass,
    )
    assert 'data-label="Achieved">35</td>' in _page(reader, project)
    report.refresh_from_db()
    report_services.report_submit(
        report=report, data={}, version=report.version, by=cadre_grass
    )
    assert "Submitted" in _page(reader, project)
    assert 'data-testid="progress-chart"' not in _page(reader, project)
    reviewer = Client(headers=EN)
    reviewer.force_login(cadre_sub, backend="accounts.backends.UnionModelBackend")
    response = reviewer.post(
        reverse("planning:report_review", args=[report.pk]),
        {"decision": "approve", "comment": ""},
    )
    assert response.status_code == 302
    html = _page(reader, project)
    assert "Approved" in html
    assert 'data-testid="progress-chart"' in html


def test_a_deleted_report_leaves_the_page(client_for, leader, project):
    kept = ReportFactory(project=project, period=past_period(project, 2))
    gone = ReportFactory(project=project, period=past_period(project, 1))
    gone_url = reverse("planning:report_detail", args=[gone.pk])
    reader = client_for(leader)
    assert gone_url in _page(reader, project)
    gone.delete()  # the admin's delete: the latest change does not move on
    html = _page(reader, project)
    assert gone_url not in html
    assert reverse("planning:report_detail", args=[kept.pk]) in html


def test_a_report_saved_outside_the_services_shows(client_for, leader, project):
    report = ReportFactory(project=project, status="submitted")
    reader = client_for(leader)
    assert "Submitted" in _page(reader, project)
    report.status = "returned"  # the admin's save: updated_at only
    report.save()
    assert "Returned" in _page(reader, project)


def test_evidence_uploaded_and_deleted_shows(
    client_for, cadre_grass, leader, project, media_root
):
    report = ReportFactory(project=project, status="draft", submitted_at=None)
    reader = client_for(leader)
    assert "No files attached" in _page(reader, project)
    writer = Client(headers=EN)
    writer.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    writer.post(
        reverse("planning:report_evidence_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("minutes.pdf", PDF_BYTES)},
    )
    evidence = EvidenceFile.objects.get()
    assert "minutes.pdf" in _page(reader, project)
    writer.post(reverse("planning:evidence_delete", args=[evidence.pk]))
    assert not EvidenceFile.objects.exists()
    assert "minutes.pdf" not in _page(reader, project)


def test_milestones_added_ticked_and_removed_show(client_for, cadre_grass, project):
    client = client_for(cadre_grass)
    _page(client, project)
    due = timezone.localdate() + timedelta(days=20)
    client.post(
        reverse("planning:milestone_create", args=[project.pk]),
        {"title": "Hire the trainer", "due_date": f"{due:%Y-%m-%d}"},
    )
    assert "Hire the trainer" in _page(client, project)
    milestone = Milestone.objects.get()
    client.post(reverse("planning:milestone_toggle", args=[milestone.pk]))
    assert "Reopen" in _page(client, project)
    client.post(reverse("planning:milestone_delete", args=[milestone.pk]))
    assert "Hire the trainer" not in _milestones(_page(client, project))


def test_a_milestone_changed_in_the_admin_shows(client_for, cadre_grass, project):
    milestone = MilestoneFactory(project=project, title="First wording")
    client = client_for(cadre_grass)
    assert "First wording" in _page(client, project)
    milestone.title = "Second wording"
    milestone.save()  # no service: the project's updated_at stays
    assert "Second wording" in _page(client, project)


def test_participants_changed_show(
    client_for, cadre_grass, project, grassroots_sibling, subdistrict
):
    reader = client_for(cadre_grass)
    _page(reader, project)
    plans.project_update(project=project, data={}, participants=[grassroots_sibling])
    assert grassroots_sibling.name in _page(reader, project)
    project.participants.set([subdistrict])  # the m2m alone
    html = _page(reader, project)
    assert subdistrict.name in html
    assert grassroots_sibling.name not in html


def test_renamed_unions_show(
    client_for, leader, project, grassroots, grassroots_sibling
):
    project.participants.add(grassroots_sibling)
    ReportFactory(project=project, union=grassroots_sibling)
    reader = client_for(leader)
    _page(reader, project)
    union_update(union=grassroots, name_en="Renamed Owner Union")
    union_update(union=grassroots_sibling, name_en="Renamed Partner Union")
    html = _page(reader, project)
    assert "Renamed Owner Union" in html
    assert html.count("Renamed Partner Union") >= 2  # participants and reports


def test_a_handed_down_project_has_a_page_of_its_own(
    client_for, cadre_sub, cadre_grass, item, subdistrict, grassroots
):
    mine = ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=subdistrict)
    client = client_for(cadre_sub)
    assert 'data-testid="hand-down"' in _page(client, mine)
    response = client.post(
        reverse("planning:project_hand_down", args=[mine.pk]),
        {"unions": [grassroots.pk]},
    )
    assert response.status_code == 302
    handed = KeyWorkProject.objects.get(owner=grassroots, item=mine.item)
    assert 'data-testid="hand-down"' in _page(client, mine)
    assert REPORT_BUTTON in _page(client_for(cadre_grass), handed)


@pytest.fixture
def proposed(plan, grassroots, cadre_grass):
    year = timezone.localdate().year
    return proposals.project_propose(
        owner=grassroots,
        plan=plan,
        data={
            "title": "Lakeside reading corner",
            "category": "service",
            "responsible_person": "Wang Fang",
            "target_value": Decimal(12),
            "target_unit": "sessions",
            "weight": Decimal(1),
            "start_date": timezone.localdate().replace(year=year, month=1, day=1),
            "due_date": timezone.localdate().replace(year=year, month=12, day=31),
        },
        by=cadre_grass,
    )


def test_a_decided_proposal_shows_to_both_sides(
    client_for, cadre_sub, cadre_grass, proposed
):
    proposer = client_for(cadre_grass)
    assert 'data-testid="correct-proposal"' in _page(proposer, proposed)
    decider = Client(headers=EN)
    decider.force_login(cadre_sub, backend="accounts.backends.UnionModelBackend")
    assert 'data-testid="proposal-decision"' in _page(decider, proposed)
    response = decider.post(
        reverse("planning:project_proposal_decide", args=[proposed.pk]),
        {"decision": "approve", "comment": ""},
    )
    assert response.status_code == 302
    assert 'data-testid="proposal-decision"' not in _page(decider, proposed)
    html = _page(proposer, proposed)
    assert 'data-testid="correct-proposal"' not in html
    assert 'data-testid="proposal-panel"' not in html


def test_a_corrected_proposal_shows(client_for, cadre_sub, cadre_grass, proposed):
    proposals.project_proposal_decide(
        project=proposed, by=cadre_sub, approve=False, comment="Monthly, please"
    )
    reader = client_for(cadre_grass)
    assert "Monthly, please" in _page(reader, proposed)
    response = reader.post(
        reverse("planning:project_proposal_edit", args=[proposed.pk]),
        {
            "title": "Lakeside reading corner, monthly",
            "category": "service",
            "responsible_person": "Wang Fang",
            "target_value": "12",
            "target_unit": "sessions",
            "weight": "1",
            "start_date": f"{proposed.start_date:%Y-%m-%d}",
            "due_date": f"{proposed.due_date:%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    assert "Lakeside reading corner, monthly" in _page(reader, proposed)
