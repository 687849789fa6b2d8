from datetime import date
from decimal import Decimal

import pytest

from planning import rules

START = date(2026, 1, 1)
DUE = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("percent", "today", "expected"),
    [
        (0, DUE, rules.AT_RISK),  # due today, nothing done
        (75, DUE, rules.AT_RISK),  # due today, exactly RISK_MARGIN behind
        (76, DUE, rules.ON_TRACK),  # due today, within the margin
        (100, DUE, rules.COMPLETED),  # due today, done
        (0, date(2026, 7, 1), rules.DELAYED),  # past due, nothing done
        (99.9, date(2026, 7, 1), rules.DELAYED),  # past due, almost done
        (100, date(2026, 7, 1), rules.COMPLETED),  # past due but done
        (100, date(2025, 12, 1), rules.COMPLETED),  # done before it started
        (0, START, rules.NOT_STARTED),  # first day, nothing done
        (0, date(2025, 12, 31), rules.NOT_STARTED),  # before the start
        (0, date(2026, 4, 1), rules.AT_RISK),  # half the time gone, 0 %
        (40, date(2026, 4, 1), rules.ON_TRACK),
    ],
)
def test_derived_status_at_the_boundaries(percent, today, expected):
    status = rules.derive_status(
        percent=Decimal(percent), start=START, due=DUE, today=today
    )
    assert status == expected


def test_even_pace_reaches_100_on_the_due_day():
    assert rules.expected_percent(start=START, due=DUE, today=DUE) == 100


def test_monthly_deadline_is_n_days_after_the_month():
    period = rules.period_for(rules.MONTHLY, date(2026, 2, 14), 5)
    assert (period.start, period.end, period.deadline) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
        date(2026, 3, 5),
    )


def test_quarterly_period_covers_three_months():
    period = rules.period_for(rules.QUARTERLY, date(2026, 11, 25), 10)
    assert (period.start, period.end, period.deadline, period.label) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        date(2027, 1, 10),
        "2026 Q4",
    )


def test_expected_periods_stop_at_completion():
    periods = rules.expected_periods(
        frequency=rules.MONTHLY,
        due_days=5,
        start=date(2026, 1, 15),
        due=date(2026, 12, 31),
        completed_on=date(2026, 3, 31),
        until=date(2026, 11, 25),
    )
    assert [p.label for p in periods] == ["2026-01", "2026-02", "2026-03"]


def test_derived_percent_is_not_capped_and_handles_missing_values():
    assert rules.derived_percent(Decimal(150), Decimal(100)) == Decimal("150.0")
    assert rules.derived_percent(None, Decimal(100)) is None


def test_completion_share_is_capped_at_one_and_zero_without_a_target():
    from decimal import Decimal as D

    from planning.rules import completion_share

    assert completion_share(D("150"), D("200")) == D("0.75")
    assert completion_share(D("300"), D("200")) == D("1")
    assert completion_share(None, D("200")) == D("0")
    assert completion_share(D("5"), D("0")) == D("0")
