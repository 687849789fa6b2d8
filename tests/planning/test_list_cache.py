"""The project list's rows and filter bar come from the cache, kept under the
latest change of plans, projects, reports and unions: a change shows on the next
request, and one reader's page is never served to another."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import KeyWorkProject

from .factories import PlanItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = reverse("planning:project_list")


def _get(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_renamed_project_shows_on_the_next_request(client_for, cadre_grass, project):
    client = client_for(cadre_grass)
    assert project.title in _get(client)
    project.title = "Renamed after the page was cached"
    project.save()
    html = _get(client)
    assert "Renamed after the page was cached" in html


def test_a_new_project_shows_in_the_rows_and_the_count(
    client_for, reviewer, item, grassroots, project
):
    client = client_for(reviewer)
    before = _get(client)
    assert 'data-list-count="1"' in before
    ProjectFactory(
        item=PlanItemFactory(plan=item.plan),
        owner=grassroots,
        title="Handed out a moment ago",
    )
    after = _get(client)
    assert 'data-list-count="2"' in after
    assert "Handed out a moment ago" in after


def test_a_status_change_moves_the_project_between_filtered_lists(
    client_for, reviewer, project
):
    client = client_for(reviewer)
    assert 'data-list-count="0"' in _get(client, "?status=delayed")
    # A save through the ORM (what the services do) moves the version on.
    project.status = KeyWorkProject.Status.DELAYED
    project.save()
    assert 'data-list-count="1"' in _get(client, "?status=delayed")


def test_the_rows_of_one_reader_are_not_served_to_another(
    client_for, cadre_grass, outsider, project
):
    mine = _get(client_for(cadre_grass))
    assert project.title in mine
    theirs = _get(client_for(outsider))
    assert project.title not in theirs
    assert 'data-list-count="0"' in theirs


def test_a_warm_list_reads_the_versions_once_and_no_rows(client_for, reviewer, project):
    client = client_for(reviewer)
    _get(client)
    with CaptureQueriesContext(connection) as warm:
        _get(client)
    sql = [q["sql"] for q in warm.captured_queries]
    # Each data version is read once per request, however many parts use it.
    assert sum('FROM "planning_keyworkproject")' in q for q in sql) == 1
    assert sum('FROM "unions_officeterm")' in q for q in sql) == 1
    # No page of rows, no count: those come from the cache.
    assert not any(q.startswith('SELECT "planning_keyworkproject"."id"') for q in sql)
    assert not any(
        q.startswith("SELECT COUNT(*)") and "planning_keyworkproject" in q for q in sql
    )
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        _get(client)
    assert len(cold) > len(warm)


def test_a_warm_page_builds_no_filter_set_and_reads_no_options(
    client_for, reviewer, project
):
    client = client_for(reviewer)
    first = _get(client)
    with CaptureQueriesContext(connection) as warm:
        again = _get(client)
    sql = [q["sql"] for q in warm.captured_queries]
    # The plans and unions the filter bar offers come rendered with the page.
    assert not any(q.startswith('SELECT "planning_workplan"."id"') for q in sql)
    assert not any(q.startswith('SELECT "unions_union"."id"') for q in sql)
    # The same content: the bar with the plan offered, the rows.
    for html in (first, again):
        assert project.plan.title in html.split('data-testid="project-filter"')[1]
        assert project.title in html.split('id="project-rows"')[1]


def test_a_new_plan_is_offered_in_the_filter_bar_on_the_next_request(
    client_for, reviewer, district, project
):
    from .factories import WorkPlanFactory

    client = client_for(reviewer)
    assert "Plan published a moment ago" not in _get(client)
    WorkPlanFactory(
        owner=district,
        year=project.plan.year + 1,
        title="Plan published a moment ago",
    )
    assert "Plan published a moment ago" in _get(client)


def test_the_propose_button_is_kept_per_reader(
    client_for, cadre_grass, reviewer, project
):
    propose = 'data-testid="propose-project"'
    assert propose in _get(client_for(cadre_grass))
    # The district's reviewer has nobody above to approve a proposal.
    assert propose not in _get(client_for(reviewer))
    assert propose in _get(client_for(cadre_grass))


def test_the_filter_bar_asks_for_the_rows_alone(client_for, reviewer, project):
    client = client_for(reviewer)
    page = _get(client, "?status=not_started")
    rows = client.get(URL + "?status=not_started", headers={"HX-Request": "true"})
    assert rows.status_code == 200
    html = rows.content.decode()
    assert "<html" not in html
    assert 'data-testid="project-filter"' not in html
    assert html.strip()
    assert html.strip() in page


# --- the project page's history panel ---------------------------------------------


def _history(client, project):
    import re

    html = client.get(reverse("planning:project_detail", args=[project.pk]))
    assert html.status_code == 200
    panel = html.content.decode().split('data-testid="history"', 1)
    return re.sub(r"\s+", " ", panel[1]) if len(panel) == 2 else ""


def test_the_history_panel_shows_each_change_on_the_next_visit(
    client_for, admin_user, project
):
    from planning.models import Milestone
    from planning.services.plans import (
        milestone_delete,
        milestone_save,
        milestone_toggle,
    )

    client = client_for(admin_user)
    before = _history(client, project)
    assert "Survey the members" not in before
    milestone = milestone_save(
        milestone=Milestone(project=project),
        data={"title": "Survey the members", "due_date": project.due_date},
    )
    added = _history(client, project)
    assert "Survey the members" in added
    milestone_toggle(milestone=milestone)
    toggled = _history(client, project)
    assert toggled.count("Survey the members") > added.count("Survey the members")
    milestone_delete(milestone=milestone)
    assert _history(client, project).count("Survey the members") > toggled.count(
        "Survey the members"
    )
    project.title = "A title changed later"
    project.save()
    assert "A title changed later" in _history(client, project)
