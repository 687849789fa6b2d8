from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.home import home_tasks
from tests.unions.factories import grassroots_factory

from .factories import ScoreFactory, indicator


def task(user, title):
    return next(t for t in home_tasks(user) if t.title == title)


def test_cadre_is_asked_for_the_missing_self_scores(
    grassroots_period, grassroots, cadre_grass
):
    ScoreFactory(
        period=grassroots_period,
        unit=grassroots,
        indicator=indicator(grassroots_period.scheme, "B1"),
    )
    entry = task(cadre_grass, "Self-assessment to enter")
    assert entry.count == 1
    assert entry.url == reverse(
        "assessments:unit_scoring", args=[grassroots_period.pk, grassroots.pk]
    )


def test_reviewer_is_shown_the_scores_waiting_for_review(
    grassroots_period, grassroots, grassroots_sibling, cadre_sub
):
    for unit in (grassroots, grassroots_sibling):
        ScoreFactory(
            period=grassroots_period,
            unit=unit,
            indicator=indicator(grassroots_period.scheme, "B1"),
        )
    assert task(cadre_sub, "Self-scores to review").count == 2


def test_admin_is_shown_closed_periods_to_finish(period, admin_user):
    from assessments import services

    services.period_close(period=period, by=admin_user)
    assert task(admin_user, "Closed periods to finish").count == 1


def test_leader_has_nothing_to_look_at_in_an_open_period(period, leader):
    """No published result, nobody late: the leader's tasks all count 0 (they
    show under "all clear")."""
    tasks = home_tasks(leader)
    assert [t.title for t in tasks] == [
        "Progress reports late",
        "Key-work projects delayed",
        "Office terms overdue",
    ]
    assert [t.count for t in tasks] == [0, 0, 0]


def test_home_tasks_run_a_fixed_number_of_queries(
    grassroots_period, subdistrict, grassroots, cadre_sub, cadre_grass
):
    def count(user):
        with CaptureQueriesContext(connection) as queries:
            home_tasks(user)
        return len(queries)

    before = (count(cadre_sub), count(cadre_grass))
    for n in range(4):
        unit = grassroots_factory(subdistrict, code=f"H{n}")
        ScoreFactory(
            period=grassroots_period,
            unit=unit,
            indicator=indicator(grassroots_period.scheme, "B1"),
            self_score=D("3"),
        )
    assert (count(cadre_sub), count(cadre_grass)) == before


def test_the_home_page_shows_the_task(client_for, grassroots_period, cadre_grass):
    response = client_for(cadre_grass).get("/")
    assert "Self-assessment to enter" in response.content.decode()
