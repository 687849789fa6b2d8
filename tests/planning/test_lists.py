"""The review queue, the project list and its export at city scale: short selects,
searches instead of selects of every project, counts that stop, pinned queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from planning.models import ProgressReport
from planning.services import plan_exports
from unionportal.pagination import CappedPaginator

from .factories import PlanItemFactory, ProjectFactory, ReportFactory, past_period

QUEUE = reverse("planning:review_queue")
PROJECTS = reverse("planning:project_list")


def _options(response, name: str) -> dict[str, str]:
    """value -> label of the select ``name`` in the page."""
    html = response.content.decode()
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1]))


def _selected(response, name: str) -> str | None:
    html = response.content.decode()
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option value="([^"]*)" selected>', select[1])
    return chosen[1] if chosen else None


def _rows(response) -> set[int]:
    return {r.pk for r in response.context["page"].object_list}


def _warm_queries(client, url) -> int:
    client.get(url)  # the first page after signing in refreshes the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


# --- the review queue ------------------------------------------------------------------


@pytest.fixture
def queue(item, subdistrict, other_subdistrict, grassroots, other_grassroots):
    """Waiting reports of both sub-districts and of a grassroots union of each."""

    def report(owner, title):
        project = ProjectFactory(
            item=PlanItemFactory(plan=item.plan), owner=owner, title=title
        )
        return ReportFactory(project=project)

    return {
        "sub": report(subdistrict, "Model workers"),
        "other_sub": report(other_subdistrict, "Legal aid"),
        "grass": report(grassroots, "Staff canteen"),
        "other_grass": report(other_grassroots, "Night school"),
    }


def test_review_queue_offers_only_the_units_directly_below(
    client_for, reviewer, queue, subdistrict, other_subdistrict
):
    response = client_for(reviewer).get(QUEUE)
    assert set(_options(response, "union")) == {
        "",
        str(subdistrict.pk),
        str(other_subdistrict.pk),
    }
    assert 'name="project"' in response.content.decode()  # kept for links
    assert _options(response, "status")  # the other selects are unchanged


def test_review_queue_keeps_a_chosen_deeper_unit_shown(
    client_for, reviewer, queue, grassroots
):
    response = client_for(reviewer).get(f"{QUEUE}?level=all&union={grassroots.pk}")
    assert _selected(response, "union") == str(grassroots.pk)
    assert _rows(response) == {queue["grass"].pk}


def test_review_queue_unit_covers_the_units_below_it(
    client_for, reviewer, queue, subdistrict
):
    response = client_for(reviewer).get(f"{QUEUE}?level=all&union={subdistrict.pk}")
    assert _rows(response) == {queue["sub"].pk, queue["grass"].pk}


def test_review_queue_ignores_a_unit_outside_the_reviewers_scope(
    client_for, cadre_sub, queue, other_subdistrict
):
    response = client_for(cadre_sub).get(
        f"{QUEUE}?level=all&union={other_subdistrict.pk}"
    )
    assert response.status_code == 200
    assert str(other_subdistrict.pk) not in _options(response, "union")
    assert _rows(response) == {queue["grass"].pk}


@pytest.mark.parametrize(
    ("search", "expected"),
    [("canteen", "grass"), ("TD-S-1", "other_grass"), ("td-n-1", "grass")],
)
def test_review_queue_searches_titles_and_unit_codes(
    client_for, reviewer, queue, search, expected
):
    response = client_for(reviewer).get(QUEUE, {"level": "all", "q": search})
    assert _rows(response) == {queue[expected].pk}


def test_review_queue_searches_a_project_number(client_for, reviewer, queue):
    project_id = queue["other_sub"].project_id
    response = client_for(reviewer).get(QUEUE, {"q": str(project_id)})
    assert _rows(response) == {queue["other_sub"].pk}


def test_review_queue_link_to_one_project_still_works(client_for, reviewer, queue):
    project = queue["grass"].project
    response = client_for(reviewer).get(f"{QUEUE}?level=all&project={project.pk}")
    assert _rows(response) == {queue["grass"].pk}
    page = response.content.decode()
    assert f'type="hidden" name="project" value="{project.pk}"' in page
    assert "review-project-filter" in page
    assert project.title in page


def test_review_queue_bad_project_link_is_ignored(client_for, reviewer, queue):
    response = client_for(reviewer).get(
        f"{QUEUE}?level=all&project=99999999999999999999"
    )
    assert response.status_code == 200
    assert len(_rows(response)) == 4


def test_review_queue_shows_decided_reports_newest_first(
    client_for, cadre_sub, project
):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    older = ReportFactory(
        project=project,
        period=past_period(project, 2),
        status="approved",
        submitted_at=now - timedelta(days=40),
    )
    newer = ReportFactory(
        project=project, status="approved", submitted_at=now - timedelta(days=5)
    )
    client = client_for(cadre_sub)
    response = client.get(QUEUE, {"status": "approved"})
    assert [r.pk for r in response.context["page"].object_list] == [newer.pk, older.pk]
    assert b"Newest first." in response.content


def test_review_queue_counts_stop_at_the_cap(
    client_for, cadre_sub, project, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for n in range(1, 28):
        ReportFactory(project=project, period=past_period(project, n))
    response = client_for(cadre_sub).get(QUEUE)
    page = response.context["page"]
    assert page.paginator.count_is_capped
    assert "1–25 of more than 2" in response.content.decode()
    second = client_for(cadre_sub).get(QUEUE, {"page": 2}).context["page"]
    assert len(second.object_list) == 2
    assert not second.has_next()


@pytest.mark.parametrize(
    "query",
    ["", "?level=all", "?level=all&q=Project", "?status=approved&union=UNIT&level=all"],
)
def test_review_queue_query_count_does_not_grow(
    client_for, cadre_sub, project, grassroots, item, query
):
    url = QUEUE + query.replace("UNIT", str(grassroots.pk))
    client = client_for(cadre_sub)
    ReportFactory(project=project)
    ReportFactory(project=project, period=past_period(project, 2), status="approved")
    one = _warm_queries(client, url)
    for n in range(3, 40):
        ReportFactory(
            project=project,
            period=past_period(project, n),
            status="approved" if n % 2 else "submitted",
        )
    assert _warm_queries(client, url) <= one + 1  # + the count, once past a page


# --- the project list ------------------------------------------------------------------


def test_project_list_owner_select_lists_districts_and_subdistricts(
    client_for, admin_user, district, subdistrict, other_subdistrict, grassroots
):
    response = client_for(admin_user).get(PROJECTS)
    assert set(_options(response, "owner")) == {
        "",
        str(district.pk),
        str(subdistrict.pk),
        str(other_subdistrict.pk),
    }


def test_project_list_owner_covers_the_unions_below_it(
    client_for, admin_user, item, subdistrict, grassroots, other_grassroots
):
    mine = ProjectFactory(item=item, owner=grassroots)
    sub = ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=subdistrict)
    ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=other_grassroots)
    response = client_for(admin_user).get(PROJECTS, {"owner": subdistrict.pk})
    assert _rows(response) == {mine.pk, sub.pk}


def test_project_list_link_to_a_grassroots_owner_still_works(
    client_for, admin_user, item, grassroots, other_grassroots
):
    mine = ProjectFactory(item=item, owner=grassroots)
    ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=other_grassroots)
    response = client_for(admin_user).get(PROJECTS, {"owner": grassroots.pk})
    assert _selected(response, "owner") == str(grassroots.pk)
    assert _rows(response) == {mine.pk}


def test_project_list_says_more_than_the_cap(
    client_for, admin_user, item, grassroots, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "cap", 25)
    for _ in range(26):
        ProjectFactory(item=PlanItemFactory(plan=item.plan), owner=grassroots)
    response = client_for(admin_user).get(PROJECTS)
    assert b"More than 25 projects" in response.content


def test_project_list_status_filter_keeps_the_due_date_order(
    client_for, admin_user, item, grassroots
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    later = ProjectFactory(
        item=item, owner=grassroots, due_date=today + timedelta(days=90)
    )
    sooner = ProjectFactory(
        item=PlanItemFactory(plan=item.plan),
        owner=grassroots,
        due_date=today + timedelta(days=30),
    )
    response = client_for(admin_user).get(PROJECTS, {"status": later.status})
    assert [p.pk for p in response.context["page"].object_list] == [
        sooner.pk,
        later.pk,
    ]


@pytest.mark.parametrize("query", ["", "?status=not_started&owner=SUB", "?q=Project"])
def test_project_list_query_count_does_not_grow(
    client_for, admin_user, item, subdistrict, grassroots, query
):
    url = PROJECTS + query.replace("SUB", str(subdistrict.pk))
    client = client_for(admin_user)
    ProjectFactory(item=item, owner=grassroots)
    one = _warm_queries(client, url)
    for _ in range(30):
        ProjectFactory(
            item=PlanItemFactory(plan=item.plan),
            owner=grassroots,
            participants=[subdistrict],
        )
    assert _warm_queries(client, url) <= one + 1  # + the count, once past a page


# --- the export --------------------------------------------------------------------------


def test_project_export_streams_every_project_across_chunks(
    client_for,
    admin_user,
    item,
    subdistrict,
    grassroots,
    grassroots_sibling,
    monkeypatch,
):
    monkeypatch.setattr(plan_exports, "EXPORT_CHUNK", 2)
    projects = [
        ProjectFactory(
            item=PlanItemFactory(plan=item.plan),
            owner=grassroots,
            title=f"Export {n}",
            participants=[grassroots_sibling, subdistrict] if n % 2 else [],
        )
        for n in range(5)
    ]
    response = client_for(admin_user).get(reverse("planning:project_export"))
    assert response.streaming
    sheet = load_workbook(_book(response)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in rows] == [p.title for p in projects]
    assert rows[1][11] == "TD-N, TD-N-2"  # in the order of the union tree
    assert rows[0][11] is None
    assert rows[0][3] == "TD-N-1"
    assert rows[0][12] == "Not started"


def _book(response):
    import io

    return io.BytesIO(b"".join(response.streaming_content))


def test_choice_labels_are_djangos(item, grassroots):
    from django.utils import translation

    project = ProjectFactory(item=item, owner=grassroots, status="delayed")
    report = ReportFactory(project=project)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            field = project._meta.get_field("status")
            assert project.get_status_display() == str(
                dict(field.flatchoices)["delayed"]
            )
            assert project.get_category_display() == str(
                dict(project._meta.get_field("category").flatchoices)[project.category]
            )
            assert report.get_status_display() == str(
                ProgressReport.Status(report.status).label
            )
