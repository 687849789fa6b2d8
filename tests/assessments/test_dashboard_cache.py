"""The leaders' dashboard kept rendered: the periods it offers follow every write
that changes them on the next request, per reader; a city's "who is late" table
is folded to the sub-districts with the most to chase."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import lateness, services
from assessments.models import Period, QuarterReport
from tests.accounts.factories import UserFactory
from tests.unions.factories import (
    district_factory,
    grassroots_factory,
    subdistrict_factory,
    term_factory,
)

from .factories import ScoreFactory, build_report, indicator

DASHBOARD = reverse("assessments:dashboard")


@pytest.fixture
def built(period, units, admin_user):
    """Q1 closed and built (version 1), not published yet."""
    for unit, points in zip(units, (D("50"), D("30")), strict=True):
        ScoreFactory(
            period=period,
            unit=unit,
            indicator=indicator(period.scheme, "B1"),
            self_score=points,
        )
    services.period_close(period=period, by=admin_user)
    return build_report(period)


def _offered(client) -> list[tuple[int, int, bool]]:
    """(period, version, published) of each period the dashboard offers."""
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return [
        (p.pk, p.shown_report.number, p.shown_report.is_published)
        for p in response.context["periods"]
    ]


def test_a_warm_dashboard_reads_one_statement_of_the_assessment(
    client_for, leader, built, admin_user
):
    services.period_publish(period=built.period, by=admin_user)
    client = client_for(leader)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    read = [q["sql"] for q in queries.captured_queries if "assessments_" in q["sql"]]
    assert len(read) == 1  # the periods' version, not the periods
    assert "historicalperiod" in read[0]


def test_the_periods_follow_each_write_on_the_next_request(
    client_for, leader, admin_user, built
):
    period = built.period
    as_leader = client_for(leader)
    assert _offered(as_leader) == []  # nothing published yet
    as_admin = client_for(admin_user)
    assert _offered(as_admin) == [(period.pk, 1, False)]  # provisional
    as_leader = client_for(leader)

    services.period_publish(period=period, by=admin_user)
    assert _offered(as_leader) == [(period.pk, 1, True)]

    services.period_reopen(
        period=period, reason="A wrong file was found", by=admin_user
    )
    assert _offered(as_leader) == [(period.pk, 1, True)]  # the pinned version
    services.period_close(period=period, by=admin_user)
    services.report_request(period=period, by=admin_user)
    as_admin = client_for(admin_user)
    assert _offered(as_admin) == [(period.pk, 1, True)]  # version 2 not built yet
    build_report(period)
    assert _offered(as_admin) == [(period.pk, 2, False)]
    as_leader = client_for(leader)
    assert _offered(as_leader) == [(period.pk, 1, True)]

    services.period_publish(period=period, by=admin_user)
    assert _offered(as_leader) == [(period.pk, 2, True)]

    period.scheme.name_en = "The renamed scheme"
    period.scheme.save()
    assert "The renamed scheme" in as_leader.get(DASHBOARD).content.decode()


def test_a_version_pinned_by_a_period_saved_in_the_admin_shows(
    client_for, leader, built
):
    client = client_for(leader)
    assert _offered(client) == []
    period = built.period
    period.status = Period.Status.PUBLISHED  # the admin's form: save() pins
    period.save()
    assert _offered(client) == [(period.pk, 1, True)]


def test_a_deleted_version_leaves_the_dashboard(client_for, admin_user, built):
    client = client_for(admin_user)
    assert _offered(client) == [(built.period_id, 1, False)]
    QuarterReport.objects.get(pk=built.pk).delete()
    assert _offered(client) == []


def test_one_readers_periods_are_never_served_to_another(
    client_for, leader, admin_user, built
):
    assert _offered(client_for(admin_user)) == [(built.period_id, 1, False)]
    assert _offered(client_for(leader)) == []  # the provisional is not theirs
    services.period_publish(period=built.period, by=admin_user)
    assert _offered(client_for(leader)) == [(built.period_id, 1, True)]
    other = district_factory(code="XD", name_en="Other District")
    stranger = UserFactory(username="x_leader", union=other, is_leader=True)
    assert _offered(client_for(stranger)) == []


# --- who is late, folded ------------------------------------------------------------


@pytest.fixture
def many_subdistricts(district):
    """20 sub-districts: odd ones have their own term overdue, every third one a
    grassroots union with its term overdue too (0, 1 or 2 to chase each)."""
    past = timezone.localdate() - timedelta(days=60)
    subs = []
    for n in range(20):
        sub = subdistrict_factory(district, code=f"M{n:02d}", name_en=f"Many {n:02d}")
        if n % 2:
            term_factory(sub, planned_end=past)
        if n % 3 == 0:
            term_factory(grassroots_factory(sub), planned_end=past)
        subs.append(sub)
    return subs


def _late_rows(html: str) -> list[str]:
    table = html.split('data-testid="who-is-late"')[1].split("</table>")[0]
    return re.findall(
        r'<th scope="row" class="unit-name fw-normal">([^<]+)</th>', table
    )


def test_a_city_table_shows_the_most_to_chase_and_folds_the_rest(
    client_for, leader, many_subdistricts
):
    html = client_for(leader).get(DASHBOARD).content.decode()
    rows = _late_rows(html)
    assert len(rows) == lateness.FOLDED_ROWS
    twice = [f"Many {n:02d}" for n in range(20) if n % 2 and n % 3 == 0]
    once = [f"Many {n:02d}" for n in range(20) if bool(n % 2) != (n % 3 == 0)]
    # 14 with something to chase, then the first of those with nothing, in
    # their usual order: the district level.
    assert rows == [*twice, *once, "District level"]
    assert "Showing the 15 with the most to chase, of 21." in html
    assert 'data-testid="late-show-all"' in html
    assert f'href="{reverse("assessments:who_is_late")}"' in html


def test_the_whole_table_has_a_page_and_a_fragment(
    client_for, leader, many_subdistricts
):
    client = client_for(leader)
    url = reverse("assessments:who_is_late")
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert len(_late_rows(page.content.decode())) == 21  # the district level too
    assert "All 21, the most to chase first." in page.content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<div class="card mb-3" id="who-is-late"')
    assert len(_late_rows(html)) == 21
    assert "HX-Request" in fragment["Vary"]


def test_the_whole_table_is_for_leaders_and_administrators(
    client_for, cadre_grass, reviewer
):
    url = reverse("assessments:who_is_late")
    assert client_for(cadre_grass).get(url).status_code == 403
    assert client_for(reviewer).get(url).status_code == 403


def test_a_district_with_few_rows_sees_them_as_before(
    client_for, leader, subdistrict, other_subdistrict
):
    term_factory(other_subdistrict, planned_end=timezone.localdate() - timedelta(1))
    html = client_for(leader).get(DASHBOARD).content.decode()
    assert _late_rows(html) == [
        "District level",
        subdistrict.name_en,
        other_subdistrict.name_en,
    ]  # the usual order, though the south has the most to chase
    assert 'data-testid="late-fold"' not in html


def test_the_folded_table_follows_a_change_on_the_next_request(
    client_for, leader, many_subdistricts
):
    client = client_for(leader)
    assert "Many 02" not in _late_rows(client.get(DASHBOARD).content.decode())
    for _ in range(3):  # now the most to chase
        term_factory(
            grassroots_factory(many_subdistricts[2]),
            planned_end=timezone.localdate() - timedelta(days=30),
        )
    assert _late_rows(client.get(DASHBOARD).content.decode())[0] == "Many 02"
