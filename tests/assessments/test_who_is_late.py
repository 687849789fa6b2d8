"""Issue 16: who is late, by sub-district, on the leader's dashboard and home."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.lateness import who_is_late
from planning.models import KeyWorkProject
from planning.selectors import late_slots
from tests.planning.factories import PlanItemFactory, ProjectFactory, WorkPlanFactory
from tests.unions.factories import term_factory


@pytest.fixture
def late_world(district, subdistrict, grassroots, other_subdistrict):
    """A grassroots union below ``subdistrict`` owes a year of monthly reports
    on a delayed project, and its office term is two months overdue."""
    plan = WorkPlanFactory(owner=district)
    item = PlanItemFactory(plan=plan)
    project = ProjectFactory(item=item, owner=grassroots)
    KeyWorkProject.objects.filter(pk=project.pk).update(status="delayed")
    term_factory(grassroots, planned_end=timezone.localdate() - timedelta(days=70))
    return project


def _row(rows, area):
    return next(r for r in rows if r.area == str(area))


def test_late_reports_projects_and_terms_are_counted_under_their_sub_district(
    leader, late_world, subdistrict, other_subdistrict, grassroots
):
    today = timezone.localdate()
    rows = who_is_late(leader, today=today)
    assert [r.area for r in rows][0] == "district"
    row = _row(rows, subdistrict.pk)
    owed = len(late_slots(union_ids=[grassroots.pk], today=today))
    assert owed >= 10
    assert row.figures["late_reports"].count == owed
    assert row.figures["delayed"].count == 1
    assert row.figures["at_risk"].count == 0
    assert row.figures["terms_overdue"].count == 1
    assert _row(rows, other_subdistrict.pk).total == 0
    assert row.figures["delayed"].url == (
        reverse("planning:project_list") + f"?area={subdistrict.pk}&status=delayed"
    )


def test_each_figure_opens_a_list_of_that_many_rows(
    client_for, leader, late_world, subdistrict, other_subdistrict
):
    import re

    client = client_for(leader)
    for row in who_is_late(leader, today=timezone.localdate()):
        for name, figure in row.figures.items():
            html = client.get(figure.url).content.decode()
            shown = re.search(r'data-list-count="(\d+)"', html)
            assert int(shown.group(1)) == figure.count, (row.label, name)
    html = client.get(reverse("assessments:dashboard")).content.decode()
    assert 'data-testid="who-is-late"' in html
    assert f'href="/progress/late/?area={subdistrict.pk}"' in html


def test_a_filter_out_of_the_whitelist_is_ignored(client_for, leader, late_world):
    response = client_for(leader).get(reverse("planning:late_reports") + "?area=x1")
    assert response.status_code == 200
    assert response.context["area"] == ""
    response = client_for(leader).get(reverse("planning:project_list") + "?area=x1")
    assert response.status_code == 200


def test_who_is_late_reads_a_fixed_number_of_queries(
    leader, district, subdistrict, grassroots, late_world
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            who_is_late(leader, today=timezone.localdate())
        return len(queries)

    small = count()
    from tests.unions.factories import grassroots_factory

    for _ in range(3):
        unit = grassroots_factory(subdistrict)
        ProjectFactory(item=late_world.item, owner=unit)
        term_factory(unit, planned_end=timezone.localdate() - timedelta(days=40))
    assert count() == small


def test_the_leader_home_names_the_late_sub_districts(
    client_for, leader, late_world, subdistrict
):
    from assessments.home import home_tasks

    tasks = {t.title: t for t in home_tasks(leader)}
    late = tasks["Progress reports late"]
    assert late.count >= 10
    assert late.items[0][0].startswith(subdistrict.name)
    assert late.items[0][1] == reverse("planning:late_reports") + (
        f"?area={subdistrict.pk}"
    )
    assert tasks["Office terms overdue"].count == 1
    assert tasks["Key-work projects delayed"].count == 1
    html = client_for(leader).get(reverse("home")).content.decode()
    assert late.items[0][1] in html


@pytest.mark.parametrize(
    "query",
    [
        "?year=99999999999999999999",
        "?year=abc&level=zzz&started_by=garbage",
        "?area=%00&status=late",
        "?level=grassroots&started_by=2026-13-45",
    ],
)
def test_hostile_filters_on_the_project_list_get_a_page(client_for, leader, query):
    response = client_for(leader).get(reverse("planning:project_list") + query)
    assert response.status_code == 200


def test_the_reports_due_page_refuses_bad_input_in_words(
    client_for, leader, outsider, grassroots, late_world
):
    url = reverse("planning:due_reports")
    response = client_for(leader).get(
        url + f"?union={grassroots.pk}&start=2026-13-01&end=x"
    )
    assert response.status_code == 200
    assert "Give the period as two dates" in response.content.decode()
    assert response.context["count"] == 0
    response = client_for(leader).get(url + "?union=12345678901234567890")
    assert response.status_code == 404
    hidden = client_for(outsider).get(
        url + f"?union={grassroots.pk}&start=2026-01-01&end=2026-12-31"
    )
    assert hidden.status_code == 404


def test_the_late_reports_page_reads_a_fixed_number_of_queries(
    client_for, leader, subdistrict, late_world
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.unions.factories import grassroots_factory

    client = client_for(leader)
    url = reverse("planning:late_reports") + f"?area={subdistrict.pk}"

    def count():
        # Cold: the area choices are kept under the unions' latest change, which
        # the new unions below move on.
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request of a session reads more (the user, the session)
    small = count()
    for _ in range(3):
        ProjectFactory(item=late_world.item, owner=grassroots_factory(subdistrict))
    assert count() == small


def test_the_dashboard_panel_shows_a_change_on_the_next_request(
    client_for, leader, late_world, subdistrict
):
    import re

    client = client_for(leader)
    url = reverse("assessments:dashboard")
    link = f"/projects/?area={subdistrict.pk}&amp;status=delayed"

    def delayed_shown():
        html = client.get(url).content.decode()
        found = re.search(r'data-count="(\d+)" href="' + re.escape(link) + '"', html)
        return int(found.group(1))

    assert delayed_shown() == 1
    assert delayed_shown() == 1  # from the cache
    late_world.status = KeyWorkProject.Status.ON_TRACK
    late_world.save()
    assert delayed_shown() == 0
