from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.unions.factories import grassroots_factory, term_factory
from unions.dates import planned_end_for
from unions.models import OfficeTerm
from unions.selectors import overdue_term_months, term_dashboard
from unions.services import term_close


@pytest.fixture
def leap_unions(subdistrict):
    return [grassroots_factory(subdistrict) for _ in range(4)]


def test_sql_status_matches_python_status_across_leap_days(leap_unions):
    starts = [
        (date(2024, 2, 29), 3),
        (date(2024, 2, 29), 5),
        (date(2023, 8, 31), 5),
        (date(2025, 2, 28), 3),
    ]
    for union, (start, years) in zip(leap_unions, starts, strict=True):
        term_factory(union, start=start, years=years)
    for offset in range(0, 6 * 366, 7):
        at = date(2026, 1, 1) + timedelta(days=offset)
        for term in OfficeTerm.objects.with_status(at):
            assert term.status_today == term.status_at(at), (term.start, at)


def test_status_filter_runs_in_sql(leap_unions):
    term_factory(leap_unions[0], start=date(2024, 2, 29), years=3)
    term_factory(leap_unions[1], start=date(2024, 2, 29), years=5)
    at = date(2027, 3, 1)
    overdue = OfficeTerm.objects.with_status_in(["overdue"], at)
    assert [t.union for t in overdue] == [leap_unions[0]]


def test_overdue_months_counts_whole_months_of_a_three_year_term_from_leap_day(
    leap_unions,
):
    union = leap_unions[0]
    term_factory(union, start=date(2024, 2, 29), years=3)  # ends 2027-02-28
    at_values = {
        date(2027, 2, 28): 0,
        date(2027, 3, 27): 0,
        date(2027, 3, 28): 1,
        date(2027, 8, 28): 6,
    }
    for at, months in at_values.items():
        assert overdue_term_months(union_ids=[union.pk], at=at) == {union.pk: months}


def test_overdue_months_of_a_five_year_term(leap_unions):
    union = leap_unions[0]
    term_factory(union, start=date(2020, 2, 29), years=5)  # ends 2025-02-28
    result = overdue_term_months(union_ids=[union.pk], at=date(2026, 2, 28))
    assert result == {union.pk: 12}


def test_overdue_months_is_zero_for_unions_on_time_or_without_term(leap_unions):
    on_time, without = leap_unions[0], leap_unions[1]
    term_factory(on_time, start=date(2024, 1, 1), years=5)
    result = overdue_term_months(
        union_ids=[on_time.pk, without.pk], at=date(2026, 6, 1)
    )
    assert result == {on_time.pk: 0, without.pk: 0}


def test_overdue_months_judges_a_past_day_by_the_terms_of_that_day(leap_unions):
    union = leap_unions[0]
    term = term_factory(union, start=date(2019, 1, 15), years=5)  # ends 2024-01-15
    term_close(term=term, end=date(2024, 5, 20))
    at = date(2024, 4, 30)
    assert overdue_term_months(union_ids=[union.pk], at=at) == {union.pk: 3}
    assert overdue_term_months(union_ids=[union.pk], at=date(2024, 6, 30)) == {
        union.pk: 0
    }


def test_overdue_months_makes_one_query(leap_unions, django_assert_num_queries):
    for union in leap_unions:
        term_factory(union, start=date(2019, 1, 15), years=5)
    with django_assert_num_queries(1):
        overdue_term_months(union_ids=[u.pk for u in leap_unions], at=date(2025, 1, 1))


def test_dashboard_counts_terms_by_status_and_groups_them_by_subdistrict(
    admin_user, grassroots, grassroots_sibling, other_grassroots, subdistrict
):
    today = timezone.localdate()
    term_factory(grassroots, planned_end=today - timedelta(days=10))
    term_factory(grassroots_sibling, planned_end=today + timedelta(days=30))
    term_factory(other_grassroots, planned_end=today + timedelta(days=900))
    data = term_dashboard(admin_user, at=today)
    assert data["counts"]["overdue"] == 1
    assert data["counts"]["due"] == 1
    assert data["counts"]["current"] == 1
    assert [g.union for g in data["groups"]] == [subdistrict]
    assert {t.union for t in data["groups"][0].terms} == {
        grassroots,
        grassroots_sibling,
    }


def test_dashboard_chart_counts_term_ends_per_month(admin_user, grassroots):
    today = timezone.localdate()
    end = planned_end_for(today - timedelta(days=365 * 5 - 40), 5)
    term_factory(grassroots, planned_end=end)
    chart = term_dashboard(admin_user, at=today)["chart"]
    assert sum(chart["series"][0]["data"]) == 1
    assert len(chart["xAxis"]["data"]) == 12


def test_cadre_dashboard_only_counts_their_own_union(
    cadre_grass, grassroots, other_grassroots
):
    today = timezone.localdate()
    term_factory(grassroots, planned_end=today + timedelta(days=900))
    term_factory(other_grassroots, planned_end=today - timedelta(days=10))
    counts = term_dashboard(cadre_grass, at=today)["counts"]
    assert counts["overdue"] == 0
    assert counts["current"] == 1
