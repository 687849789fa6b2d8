from datetime import date, timedelta

import pytest

from unions.dates import (
    add_months,
    due_cutoff,
    due_from,
    planned_end_for,
    whole_months_after,
)
from unions.models import OfficeTerm


def _term(start, years, actual_end=None):
    term = OfficeTerm(start=start, length_years=years, actual_end=actual_end)
    term.planned_end = planned_end_for(start, years)
    return term


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2021, 3, 15), 5, date(2026, 3, 15)),
        (date(2021, 3, 15), 3, date(2024, 3, 15)),
        (date(2024, 2, 29), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 5, date(2029, 2, 28)),
        (date(2020, 2, 29), 3, date(2023, 2, 28)),
        (date(2023, 2, 28), 5, date(2028, 2, 28)),
        (date(2023, 3, 1), 5, date(2028, 3, 1)),
        (date(2025, 12, 31), 3, date(2028, 12, 31)),
    ],
)
def test_planned_end_is_the_anniversary_with_feb_29_falling_to_feb_28(
    start, years, end
):
    assert planned_end_for(start, years) == end


def test_due_from_is_six_months_before_the_planned_end_in_a_leap_year():
    assert due_from(date(2028, 8, 31)) == date(2028, 2, 29)
    assert due_from(date(2027, 8, 31)) == date(2027, 2, 28)


def test_due_cutoff_agrees_with_due_from_on_every_day_of_four_years():
    # The SQL status compares the planned end with due_cutoff(at); it must say "due"
    # exactly when due_from(planned end) <= at, leap days included.
    ends = [date(2027, 1, 1) + timedelta(days=i) for i in range(0, 4 * 366, 3)]
    for offset in range(0, 4 * 366, 5):
        at = date(2026, 6, 1) + timedelta(days=offset)
        cutoff = due_cutoff(at)
        for end in ends:
            assert (end <= cutoff) == (due_from(end) <= at), (at, end)


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (date(2027, 8, 27), "current"),
        (date(2027, 8, 28), "due"),
        (date(2028, 2, 28), "due"),
        (date(2028, 2, 29), "overdue"),
        (date(2028, 3, 1), "overdue"),
    ],
)
def test_three_year_term_ending_before_a_leap_day_status_around_its_end(at, status):
    term = _term(date(2025, 2, 28), 3)
    assert term.planned_end == date(2028, 2, 28)
    assert term.status_at(at) == status


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (date(2028, 8, 27), "current"),
        (date(2028, 8, 28), "due"),
        (date(2029, 2, 28), "due"),
        (date(2029, 3, 1), "overdue"),
    ],
)
def test_five_year_term_from_leap_day_status_around_its_end(at, status):
    term = _term(date(2024, 2, 29), 5)
    assert term.planned_end == date(2029, 2, 28)
    assert term.status_at(at) == status


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (date(2026, 8, 27), "current"),
        (date(2026, 8, 28), "due"),
        (date(2027, 2, 28), "due"),
        (date(2027, 3, 1), "overdue"),
    ],
)
def test_three_year_term_from_leap_day_status_around_its_end(at, status):
    term = _term(date(2024, 2, 29), 3)
    assert term.planned_end == date(2027, 2, 28)
    assert term.status_at(at) == status


def test_closed_term_is_closed_from_its_actual_end_on():
    term = _term(date(2020, 1, 10), 5, actual_end=date(2025, 3, 1))
    assert term.status_at(date(2025, 2, 28)) == "overdue"
    assert term.status_at(date(2025, 3, 1)) == "closed"


@pytest.mark.parametrize(
    ("start", "at", "months"),
    [
        (date(2027, 2, 28), date(2027, 2, 28), 0),
        (date(2027, 2, 28), date(2027, 3, 27), 0),
        (date(2027, 2, 28), date(2027, 3, 28), 1),
        (date(2028, 1, 31), date(2028, 2, 28), 0),
        (date(2028, 1, 31), date(2028, 2, 29), 1),
        (date(2027, 1, 31), date(2027, 2, 28), 1),
        (date(2026, 3, 15), date(2027, 3, 15), 12),
    ],
)
def test_whole_months_after_counts_completed_months_across_month_ends(
    start, at, months
):
    assert whole_months_after(start, at) == months


def test_add_months_clamps_to_the_last_day_of_short_months():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
