"""seed_bench on PostgreSQL (it loads with COPY): the tiny scale, seeded once."""

import datetime

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from assessments.models import QuarterReport, Score
from bench.scales import SCALES
from bench.seed import (
    SeedRefused,
    check_database,
    reset_bench_data,
    seed,
)
from planning.models import KeyWorkProject, ProgressReport
from tests.conftest import require_or_skip
from unions.models import OfficeTerm, Union

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            require_or_skip("REQUIRE_SERVICES", "seed_bench needs PostgreSQL")
        result = seed(SCALES["tiny"], today=TODAY, log=lambda message: None)
        yield result
        reset_bench_data()


def test_seed_puts_a_city_union_above_the_districts(seeded, db):
    root = Union.objects.get(parent__isnull=True)
    assert root.kind == Union.Kind.CITY
    assert Union.objects.filter(parent=root, kind=Union.Kind.DISTRICT).count() == 2


def test_seed_paths_follow_the_parents(seeded, db):
    for union in Union.objects.select_related("parent"):
        expected = f"{union.parent.path if union.parent else '/'}{union.pk}/"
        assert union.path == expected
        assert union.depth == union.path.count("/") - 2


def test_seed_is_the_same_every_time(seeded, db):
    counts = seeded["counts"]
    assert counts["unions"] == 27
    assert counts["progress_reports"] == ProgressReport.objects.count() == 1614
    assert counts["scores"] == Score.objects.count() == 1408


def test_seed_leaves_the_sequences_after_its_rows(seeded, db):
    union = Union.objects.create(name_zh="新工会", code="BENCH-NEW", kind="enterprise")
    assert union.pk > Union.objects.exclude(pk=union.pk).order_by("-pk").first().pk


def test_seed_keeps_one_open_term_per_union(seeded, db):
    assert OfficeTerm.objects.filter(closed=False).count() == Union.objects.count()


def test_seed_derives_project_status_from_approved_reports(seeded, db):
    completed = KeyWorkProject.objects.filter(status="completed")
    assert completed.exists()
    assert all(p.percent_complete >= 100 for p in completed)


def test_seed_builds_the_snapshots_before_the_bench_quarter(seeded, db):
    reports = QuarterReport.objects.filter(status="done")
    assert {(r.period.scheme.year, r.period.kind) for r in reports} == {(2026, "q2")}


def test_seed_leaves_the_bench_quarter_closed_for_its_job(seeded, db):
    from assessments.models import Period

    closed = Period.objects.filter(status="closed")
    assert {(p.scheme.year, p.kind) for p in closed} == {(2026, "q3")}


def test_seed_signs_in_personas_with_the_bench_password(seeded, db, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    assert User.objects.get(username="bench_leader").check_password("bench")


def test_second_seed_reuses_the_database(seeded, db):
    assert check_database(SCALES["tiny"]) == "reuse"


def test_seed_refuses_another_scale_on_the_same_database(seeded, db):
    with pytest.raises(SeedRefused, match="--reset"):
        check_database(SCALES["city"])


def test_seed_refuses_a_database_with_other_data(seeded, db):
    Union.objects.create(name_zh="江滨区总工会", code="JB", kind="district")
    with pytest.raises(SeedRefused, match="not the benchmark"):
        check_database(SCALES["tiny"])


def test_command_reports_refusal_as_an_error(seeded, db):
    Union.objects.create(name_zh="江滨区总工会", code="JB", kind="district")
    with pytest.raises(CommandError, match="not the benchmark"):
        call_command("seed_bench", "--scale", "tiny")


def test_sql_floor_gives_one_row_per_assessed_unit(seeded, db):
    from bench.probe import _quarter_periods, sql_floor

    floor = sql_floor(_quarter_periods(), repeat=1)
    assert floor["rows"] == 24


def test_seed_refuses_sqlite_before_touching_anything(settings, monkeypatch):
    # Runs on either database: the check reads only the vendor of the connection.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(SeedRefused, match="PostgreSQL"):
        check_database(SCALES["tiny"])
