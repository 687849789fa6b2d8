import datetime

import pytest

from bench.scales import SCALES
from bench.seed.world import World, quarter_bounds, unit


def test_city_is_a_city_union_over_ten_districts():
    city = SCALES["city"]
    assert city.with_city
    assert city.districts == 10
    assert (city.subdistricts, city.grassroots) == (150, 15_000)


def test_district_scale_is_one_district_at_the_root():
    district = SCALES["district"]
    assert not district.with_city
    assert (district.districts, district.subdistricts, district.grassroots) == (
        1,
        15,
        1_500,
    )


def test_city_holds_the_volumes_the_issue_asks_for():
    volumes = SCALES["city"].describe()
    assert 220_000 <= volumes["projects"] <= 230_000
    assert 2_600_000 <= volumes["progress_reports_max"] <= 2_800_000
    assert 700_000 <= volumes["activity_events"] <= 800_000
    assert 5_800_000 <= volumes["scores"] <= 6_200_000


def test_tiny_scale_also_has_a_city_above_several_districts():
    tiny = SCALES["tiny"]
    assert tiny.with_city
    assert tiny.districts > 1


def test_random_numbers_are_fixed_by_their_inputs():
    assert unit(1, 2, 3) == unit(1, 2, 3)
    assert unit(1, 2, 3) != unit(1, 2, 4)


def test_random_numbers_lie_between_zero_and_one():
    draws = [unit(n, 7) for n in range(2_000)]
    assert all(0 <= d < 1 for d in draws)
    assert 0.45 < sum(draws) / len(draws) < 0.55


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 25), (2026, 3)),
        (datetime.date(2026, 1, 10), (2025, 4)),
        (datetime.date(2026, 4, 1), (2026, 1)),
    ],
)
def test_bench_quarter_is_the_last_quarter_that_has_ended(today, expected):
    world = World(scale=SCALES["tiny"], today=today, now=None)
    assert world.bench_quarter == expected


def test_quarter_bounds_cover_whole_months():
    assert quarter_bounds(2026, 1) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    assert quarter_bounds(2026, 4) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
