"""The review queue's rows and filter bar come from the cache, kept under the
latest change of plans, projects, reports, unions and evidence files: each write
that changes the queue shows on the next request, one reader's rows are never
served to another, and what is the reader's alone (the CSRF token, the ticks
kept from a failed bulk decision, how long ago a report came in) is put in on
each request."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from planning.models import EvidenceFile, ProgressReport
from planning.services import reports as report_services
from tests.accounts.factories import UserFactory
from tests.conftest import EN

from .factories import (
    PDF_BYTES,
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    WorkPlanFactory,
    past_period,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("planning:review_queue")
BULK = reverse("planning:review_bulk")
ROWS_QUERY = 'SELECT "planning_progressreport"."id"'


def _client(user, **headers) -> Client:
    client = Client(headers={**EN, **headers})
    client.force_login(user, backend="accounts.backends.UnionModelBackend")
    return client


def _get(client, query="", **extra) -> str:
    response = client.get(QUEUE + query, **extra)
    assert response.status_code == 200
    return response.content.decode()


def _row_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="review-row-(\d+)"', html)}


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.fixture
def waiting(project):
    """A report of the grassroots union, waiting for cadre_sub's review."""
    return ReportFactory(project=project)


# --- served from the cache ------------------------------------------------------------


def test_a_warm_queue_reads_the_versions_and_no_rows(client_for, cadre_sub, waiting):
    client = client_for(cadre_sub)
    cold = _get(client)
    with CaptureQueriesContext(connection) as warm:
        html = _get(client)
    sql = [q["sql"] for q in warm.captured_queries]
    assert not any(q.startswith(ROWS_QUERY) for q in sql)
    assert not any('FROM "planning_evidencefile"' in q for q in sql)
    # Each version is read once.
    assert sum('FROM "planning_progressreport")' in q for q in sql) == 1
    assert sum('FROM "planning_historicalevidencefile"' in q for q in sql) == 1
    # The same page, but for the token of its forms.
    assert _without_tokens(html) == _without_tokens(cold)
    assert _row_ids(html) == {waiting.pk}


def test_the_htmx_rows_and_the_page_are_kept_apart(client_for, cadre_sub, waiting):
    client = client_for(cadre_sub)
    for _ in range(2):
        page = _get(client)
        rows = _get(client, HTTP_HX_REQUEST="true")
        assert "<html" in page
        assert 'id="review-filters"' in page
        assert "<html" not in rows
        assert 'id="review-filters"' not in rows
        # The rows name their order out of band, for the subtitle.
        assert 'id="review-order" hx-swap-oob="true"' in rows
        assert 'hx-swap-oob="true"' not in page
        assert _row_ids(rows) == _row_ids(page) == {waiting.pk}


def test_each_reader_gets_their_own_csrf_token(cadre_sub, subdistrict, waiting):
    """Two reviewers of the same union share the kept rows, not the token: each
    one's bulk decision passes the CSRF check."""
    colleague = UserFactory(username="colleague_t", union=subdistrict, is_reviewer=True)
    tokens = []
    for user in (cadre_sub, colleague):
        client = _client(user)
        client.handler.enforce_csrf_checks = True
        html = _get(client)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        tokens.append(token)
        response = client.post(
            BULK,
            {
                "csrfmiddlewaretoken": token,
                "reports": [waiting.pk],
                "decision": "return",
                "comment": "",  # refused by the service, after the CSRF check
                "next": QUEUE,
            },
        )
        assert response.status_code == 302
    assert tokens[0] != tokens[1]


def test_the_age_of_a_report_is_written_for_each_request(
    client_for, cadre_sub, project, monkeypatch
):
    start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    ReportFactory(project=project, submitted_at=start - timedelta(hours=3))
    client = client_for(cadre_sub)
    monkeypatch.setattr(timezone, "now", lambda: start)
    assert "3\xa0hours ago" in _get(client)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=2))
    with CaptureQueriesContext(connection) as warm:
        html = _get(client)
    assert not any(q["sql"].startswith(ROWS_QUERY) for q in warm.captured_queries)
    assert "3\xa0hours, 2\xa0minutes ago" in html


def test_a_filter_by_age_follows_the_clock(client_for, cadre_sub, project, monkeypatch):
    start = timezone.now()
    report = ReportFactory(project=project, submitted_at=start - timedelta(days=7))
    client = client_for(cadre_sub)
    monkeypatch.setattr(timezone, "now", lambda: start - timedelta(minutes=1))
    assert _row_ids(_get(client, "?age=7")) == set()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=1))
    assert _row_ids(_get(client, "?age=7")) == {report.pk}


def test_ticks_kept_from_a_failed_bulk_decision_show_on_a_warm_queue(
    client_for, cadre_sub, project
):
    reports = [
        ReportFactory(project=project, period=past_period(project, n)) for n in (1, 2)
    ]
    client = client_for(cadre_sub)
    _get(client)
    _get(client)  # kept
    client.post(
        BULK,
        # Returning without a comment is refused: the tick is kept for the queue.
        {"reports": [reports[1].pk], "decision": "return", "comment": ""},
    )
    html = _get(client)
    assert re.findall(r'name="reports" value="(\d+)" checked', html) == [
        str(reports[1].pk)
    ]
    # Shown once: the next page is the kept one, with nothing ticked.
    assert " checked" not in _get(client).split('id="review-rows"')[1]


# --- each write shows on the next request ---------------------------------------------


def test_a_submitted_report_comes_in(client_for, cadre_sub, cadre_grass, project):
    draft = ReportFactory(
        project=project, status="draft", submitted_at=None, first_submitted_at=None
    )
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == set()
    report_services.report_submit(
        report=draft, data={}, version=draft.version, by=cadre_grass
    )
    assert _row_ids(_get(client)) == {draft.pk}


def test_an_approved_report_leaves_the_queue(client_for, cadre_sub, waiting):
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == {waiting.pk}
    assert _row_ids(_get(client, "?status=approved")) == set()
    # Approved from its row (htmx), as the queue's button does.
    response = client.post(
        reverse("planning:report_review", args=[waiting.pk]),
        {"decision": "approve", "row": "1", "comment": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert _row_ids(_get(client)) == set()
    assert _row_ids(_get(client, "?status=approved")) == {waiting.pk}


def test_a_returned_report_moves_to_the_returned_list(client_for, cadre_sub, waiting):
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == {waiting.pk}
    assert _row_ids(_get(client, "?status=returned")) == set()
    client.post(
        reverse("planning:report_review", args=[waiting.pk]),
        {"decision": "return", "comment": "Add the list of names."},
    )
    assert _row_ids(_get(client)) == set()
    assert _row_ids(_get(client, "?status=returned")) == {waiting.pk}


def test_a_bulk_decision_shows_on_the_next_request(client_for, cadre_sub, project):
    reports = [
        ReportFactory(project=project, period=past_period(project, n)) for n in (1, 2)
    ]
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == {r.pk for r in reports}
    client.post(BULK, {"reports": [r.pk for r in reports], "decision": "approve"})
    assert _row_ids(_get(client)) == set()
    assert _row_ids(_get(client, "?status=approved")) == {r.pk for r in reports}


def test_an_edited_report_shows_its_new_figures(
    client_for, cadre_sub, cadre_grass, project
):
    returned = ReportFactory(project=project, status="returned")
    client = client_for(cadre_sub)
    assert "40.0%" in _get(client, "?status=returned")
    report_services.report_save(
        report=returned,
        data={"achieved_value": 75},
        version=returned.version,
        by=cadre_grass,
    )
    html = _get(client, "?status=returned")
    assert "75.0%" in html
    assert "40.0%" not in html


def test_evidence_uploaded_and_deleted_shows_in_the_count(
    cadre_sub, cadre_grass, project, media_root
):
    returned = ReportFactory(project=project, status="returned")
    reviewer, cadre = _client(cadre_sub), _client(cadre_grass)
    badge = '<i class="bi bi-paperclip" aria-hidden="true"></i> 1</span>'
    assert badge not in _get(reviewer, "?status=returned")
    cadre.post(
        reverse("planning:report_evidence_upload", args=[returned.pk]),
        {"file": SimpleUploadedFile("minutes.pdf", PDF_BYTES)},
    )
    evidence = EvidenceFile.objects.get()
    assert badge in _get(reviewer, "?status=returned")
    cadre.post(reverse("planning:evidence_delete", args=[evidence.pk]))
    assert not EvidenceFile.objects.exists()
    assert badge not in _get(reviewer, "?status=returned")


def test_a_renamed_unit_shows_in_the_rows_and_the_filter_bar(
    client_for, cadre_sub, waiting, grassroots
):
    client = client_for(cadre_sub)
    assert "North Factory Union" in _get(client)
    grassroots.name_en = "Riverside Factory Union"
    grassroots.save()
    html = _get(client)
    assert "North Factory Union" not in html
    rows, bar = html.split('id="review-rows"')[1], html.split('id="review-rows"')[0]
    assert "Riverside Factory Union" in rows
    assert "Riverside Factory Union (TD-N-1)" in bar


def test_a_renamed_project_shows_on_the_next_request(
    client_for, cadre_sub, waiting, project
):
    client = client_for(cadre_sub)
    assert project.title in _get(client)
    project.title = "Renamed after the queue was kept"
    project.save()
    assert "Renamed after the queue was kept" in _get(client)


def test_a_reviewer_moved_to_another_union_sees_its_queue(
    client_for, cadre_sub, waiting, other_subdistrict, other_grassroots, item
):
    theirs = ReportFactory(
        project=ProjectFactory(
            item=PlanItemFactory(plan=item.plan), owner=other_grassroots
        )
    )
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == {waiting.pk}
    cadre_sub.union = other_subdistrict
    cadre_sub.save()
    assert _row_ids(_get(client)) == {theirs.pk}
    cadre_sub.is_reviewer = False
    cadre_sub.save()
    assert client.get(QUEUE).status_code == 403


def test_a_deleted_report_leaves_the_queue(client_for, cadre_sub, project):
    """Deleted in the admin: the latest ``updated_at`` of reports does not move
    (a later one stays), the reports' history does."""
    first, later = (
        ReportFactory(project=project, period=past_period(project, n)) for n in (2, 1)
    )
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == {first.pk, later.pk}
    first.delete()
    assert _row_ids(_get(client)) == {later.pk}


# --- never another reader's rows -------------------------------------------------------


def test_reviewers_of_two_districts_never_get_each_others_rows(
    reviewer, subdistrict, other_district, far_subdistrict
):
    ours = ReportFactory(
        project=ProjectFactory(
            item=PlanItemFactory(plan=WorkPlanFactory(owner=subdistrict.parent)),
            owner=subdistrict,
        )
    )
    far_plan = WorkPlanFactory(owner=other_district)
    theirs = ReportFactory(
        project=ProjectFactory(
            item=PlanItemFactory(plan=far_plan), owner=far_subdistrict
        )
    )
    far_reviewer = UserFactory(
        username="far_reviewer_t", union=other_district, is_reviewer=True
    )
    near, far = _client(reviewer), _client(far_reviewer)
    for query in ("", "?level=all", "?status=submitted&level=direct"):
        for _ in range(2):  # computed, then kept
            near_html, far_html = _get(near, query), _get(far, query)
            assert _row_ids(near_html) == {ours.pk}
            assert _row_ids(far_html) == {theirs.pk}
            assert "Far District" not in near_html
            assert subdistrict.name_en not in far_html


def test_the_queue_is_kept_per_language(cadre_sub, waiting):
    english = _get(_client(cadre_sub))
    chinese = _get(_client(cadre_sub, **{"accept-language": "zh-hans"}))
    assert "Approve ticked" in english
    assert "Approve ticked" not in chinese
    assert "审核队列" in chinese
    assert "Approve ticked" in _get(_client(cadre_sub))  # kept, in English


def test_a_save_outside_the_services_shows_too(client_for, cadre_sub, waiting):
    """A save through the ORM anywhere (the admin, an import) moves the version."""
    client = client_for(cadre_sub)
    assert _row_ids(_get(client)) == {waiting.pk}
    waiting.status = ProgressReport.Status.APPROVED
    waiting.save()
    assert _row_ids(_get(client)) == set()


def test_late_is_judged_on_the_day_of_the_request(
    client_for, cadre_sub, project, monkeypatch
):
    """A report never submitted (one imported as approved) is late once its
    deadline has passed: the kept rows are the day's."""
    start = timezone.now()
    ReportFactory(
        project=project,
        status="approved",
        first_submitted_at=None,
        deadline=timezone.localdate(start),
    )
    client = client_for(cadre_sub)
    assert ">late</span>" not in _get(client, "?status=approved")
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=1))
    assert ">late</span>" in _get(client, "?status=approved")
