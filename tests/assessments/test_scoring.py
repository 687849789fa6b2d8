"""docs/design.md §4 pinned: clamping, caps, deductions, veto, grades, ranks, rescaling."""

from decimal import Decimal as D

import pytest

from assessments.scoring import (
    IndicatorResult,
    annual_total,
    clamp,
    dense_ranks,
    grade_for,
    ranks_within_groups,
    rescaled_base,
    unit_totals,
)


def base(points, max_points=10, applicable=True, category=1, pk=None):
    return IndicatorResult(
        indicator_id=pk or id(object()),
        kind="base",
        max_points=D(max_points),
        points=D(points),
        applicable=applicable,
        category_id=category,
    )


def other(kind, points, max_points=10):
    return IndicatorResult(
        indicator_id=id(object()), kind=kind, max_points=D(max_points), points=D(points)
    )


def test_clamp_keeps_points_within_zero_and_max():
    assert clamp(D("12"), D("10")) == D("10.00")
    assert clamp(D("-3"), D("10")) == D("0.00")
    assert clamp(D("7.555"), D("10")) == D("7.56")


def test_indicator_points_above_max_are_clamped_in_the_total():
    totals = unit_totals([base(65, 50), base(50, 50)], bonus_cap=5)
    assert totals.base == D("100.00")
    assert totals.base_points == D("100.00")


def test_base_is_capped_at_100():
    totals = unit_totals([base(60, 60), base(40, 40), base(5, 5)], bonus_cap=5)
    assert totals.base == D("100.00")


def test_total_adds_bonus_and_subtracts_deduction():
    totals = unit_totals(
        [base(70, 80), base(10, 20), other("bonus", 2), other("deduction", 3)],
        bonus_cap=5,
    )
    assert totals.total == D("79.00")


def test_bonus_is_capped_by_the_scheme():
    totals = unit_totals(
        [base(80, 100), other("bonus", 4), other("bonus", 4)], bonus_cap=D("5")
    )
    assert totals.bonus == D("5.00")
    assert totals.total == D("85.00")


def test_base_at_100_plus_bonus_goes_above_100():
    totals = unit_totals([base(100, 100), other("bonus", 3)], bonus_cap=5)
    assert totals.total == D("103.00")


def test_deductions_never_take_the_total_below_zero():
    totals = unit_totals(
        [base(2, 100), other("deduction", 5), other("deduction", 5)], bonus_cap=5
    )
    assert totals.total == D("0.00")


def test_a_deduction_is_clamped_to_its_own_max():
    totals = unit_totals([base(90, 100), other("deduction", 9, max_points=5)], 5)
    assert totals.deduction == D("5.00")
    assert totals.total == D("85.00")


def test_veto_hit_forces_unqualified_whatever_the_points():
    totals = unit_totals([base(100, 100), other("veto", 1, max_points=1)], 5)
    assert totals.total == D("100.00")
    assert totals.veto is True
    assert totals.grade == "unqualified"


def test_veto_not_hit_leaves_the_grade_alone():
    totals = unit_totals([base(95, 100), other("veto", 0, max_points=1)], 5)
    assert totals.veto is False
    assert totals.grade == "excellent"


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D("100"), "excellent"),
        (D("90"), "excellent"),
        (D("89.99"), "good"),
        (D("80"), "good"),
        (D("79.99"), "qualified"),
        (D("60"), "qualified"),
        (D("59.99"), "unqualified"),
        (D("0"), "unqualified"),
    ],
)
def test_grade_boundaries(total, grade):
    assert grade_for(total) == grade


def test_grade_on_veto_is_unqualified_even_at_100():
    assert grade_for(D("100"), veto=True) == "unqualified"


def test_dense_ranks_share_ties_and_skip_nothing():
    ranks = dense_ranks({"a": D("90"), "b": D("85"), "c": D("90"), "d": D("70")})
    assert ranks == {"a": 1, "c": 1, "b": 2, "d": 3}


def test_dense_ranks_treat_equal_cents_as_ties():
    ranks = dense_ranks({"a": D("80.004"), "b": D("80.00")})
    assert ranks == {"a": 1, "b": 1}


def test_ranks_are_counted_within_each_peer_group():
    ranks = ranks_within_groups(
        [
            ("n1", "north", D("90")),
            ("n2", "north", D("80")),
            ("s1", "south", D("70")),
            ("s2", "south", D("70")),
        ]
    )
    assert ranks == {"n1": 1, "n2": 2, "s1": 1, "s2": 1}


def test_not_applicable_indicator_rescales_the_base_to_100():
    # 40 of the 60 applicable points: 40 × 100 ÷ 60.
    totals = unit_totals(
        [base(20, 30), base(20, 30), base(0, 40, applicable=False)], bonus_cap=5
    )
    assert totals.base == D("66.67")
    assert totals.base_max == D("60.00")


def test_full_marks_on_the_applicable_indicators_rescale_to_100():
    totals = unit_totals([base(60, 60), base(0, 40, applicable=False)], bonus_cap=5)
    assert totals.base == D("100.00")


def test_rescaling_changes_nothing_when_all_indicators_apply():
    totals = unit_totals([base(30, 60), base(20, 40)], bonus_cap=5)
    assert totals.base == D("50.00")


def test_no_applicable_base_indicator_gives_zero_base():
    assert rescaled_base(D("0"), D("0")) == D("0")


def test_category_points_count_only_applicable_base_indicators():
    totals = unit_totals(
        [base(5, 10, category=1), base(0, 10, applicable=False, category=1)], 5
    )
    assert totals.categories == {1: {"points": D("5.00"), "max": D("10")}}


def test_annual_total_is_the_mean_of_the_quarters():
    assert annual_total({1: D("80"), 2: D("90"), 3: D("70"), 4: D("85")}) == D("81.25")


def test_annual_total_counts_only_the_quarters_assessed():
    assert annual_total({2: D("80"), 3: D("90")}) == D("85.00")


def test_annual_total_follows_the_schemes_weights():
    assert annual_total(
        {1: D("80"), 2: D("80"), 3: D("80"), 4: D("100")}, [1, 1, 1, 2]
    ) == D("88.00")


def test_annual_total_of_nothing_is_zero():
    assert annual_total({}) == D("0")


def test_a_vetoed_unit_ranks_after_every_unit_without_a_veto():
    ranks = ranks_within_groups(
        [
            ("vetoed", "g", D("100"), True),
            ("good", "g", D("92"), False),
            ("poor", "g", D("61"), False),
        ]
    )
    assert ranks == {"good": 1, "poor": 2, "vetoed": 3}


def test_vetoed_units_rank_among_themselves_by_total_with_ties():
    ranks = ranks_within_groups(
        [
            ("a", "g", D("80"), False),
            ("b", "g", D("95"), True),
            ("c", "g", D("70"), True),
            ("d", "g", D("95"), True),
        ]
    )
    assert ranks == {"a": 1, "b": 2, "d": 2, "c": 3}


def test_a_veto_does_not_tie_with_the_same_total_unvetoed():
    ranks = dense_ranks({"x": D("90"), "y": D("90")}, vetoed={"y"})
    assert ranks == {"x": 1, "y": 2}


def test_a_veto_counts_only_in_its_own_peer_group():
    ranks = ranks_within_groups(
        [("a", "north", D("50"), True), ("b", "south", D("40"), False)]
    )
    assert ranks == {"a": 1, "b": 1}
