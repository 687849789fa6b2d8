"""``seed_bench``: a deterministic city (or district) loaded with COPY.

Order of work: check that the database is PostgreSQL and holds nothing but bench
data; in one transaction, with the foreign-key triggers off (the rows are built
consistent; unique and check constraints still apply), COPY every table; set the
id sequences; commit; ``VACUUM ANALYZE``; then build the earlier quarters' report
snapshots with the real engine; and last, mark the database complete in its
comment, which is what a second run reads to reuse it.

The simple-history tables are not seeded: the history pages read one object's
records by an indexed id, which costs the same whatever other objects hold.
Evidence files are not seeded either (no files on disk).
"""

import datetime
import time

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bench.copy import create_indexes, drop_secondary_indexes
from bench.scales import Scale
from unions.models import Union

from .world import CODE_PREFIX, SEED, USER_PREFIX, World

MARKER = "unionportal-bench"
# The apps whose tables a reset empties (never auth's permissions or content types).
SEEDED_APPS = ("accounts", "unions", "planning", "assessments")


class SeedRefused(Exception):
    """The database holds other data, or is not PostgreSQL."""


def database_comment() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def _set_comment(value: str) -> None:
    with connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        literal = value.replace("'", "''")
        cursor.execute(f"COMMENT ON DATABASE {name} IS '{literal}'")


def marker_for(scale: Scale, today: datetime.date) -> str:
    return f"{MARKER} scale={scale.name} seed={SEED} today={today.isoformat()} complete"


def parse_marker(comment: str) -> dict:
    if not comment.startswith(MARKER):
        return {}
    fields = dict(part.split("=", 1) for part in comment.split()[1:] if "=" in part)
    fields["complete"] = comment.endswith(" complete")
    return fields


def check_database(scale: Scale) -> str:
    """``"empty"``, ``"reuse"`` (this scale, complete) or raises SeedRefused."""
    if connection.vendor != "postgresql":
        raise SeedRefused("seed_bench needs PostgreSQL (it loads with COPY).")
    marker = parse_marker(database_comment())
    foreign_unions = Union.objects.exclude(code__startswith=CODE_PREFIX).exists()
    foreign_users = User.objects.exclude(username__startswith=USER_PREFIX).exists()
    if foreign_unions or foreign_users:
        raise SeedRefused(
            "This database holds data that is not the benchmark's (unions or users "
            "without the BENCH/bench_ prefix). seed_bench only runs on an empty "
            "database or one it seeded; create one, e.g. bench_city."
        )
    if not Union.objects.exists() and not User.objects.exists():
        return "empty"
    if not marker:
        raise SeedRefused(
            "This database holds bench rows but no bench marker: it was not seeded "
            "by seed_bench. Drop it and create it again."
        )
    if marker.get("scale") != scale.name or not marker["complete"]:
        state = "complete" if marker["complete"] else "incomplete"
        raise SeedRefused(
            f"This database holds an {state} bench seed of scale "
            f"{marker.get('scale')!r}. Run with --reset to seed it again as "
            f"{scale.name!r}."
        )
    return "reuse"


def reset_bench_data() -> None:
    """Empties the seeded apps' tables (only called on a marked bench database)."""
    tables = []
    for label in SEEDED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.append(connection.ops.quote_name(model._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(sorted(set(tables)))} CASCADE")
    _set_comment("")


def _seeded_models() -> list:
    models = []
    for label in SEEDED_APPS:
        models.extend(apps.get_app_config(label).get_models(include_auto_created=True))
    return models


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), _seeded_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def no_style():
    from django.core.management.color import no_style as plain

    return plain()


def seed(
    scale: Scale, *, today: datetime.date | None = None, reset: bool = False, log=print
) -> dict:
    """Seeds ``scale``; returns counts and timings. Reuses a complete seed."""
    if reset and parse_marker(database_comment()):
        log("Emptying the previous bench seed (--reset).")
        reset_bench_data()
    state = check_database(scale)
    if state == "reuse":
        log(f"Reusing the complete {scale.name} seed ({database_comment()}).")
        return {"reused": True}
    today = today or timezone.localdate()
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
    world = World(scale=scale, today=today, now=now)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    started = time.perf_counter()

    def step(name, function):
        began = time.perf_counter()
        result = function(world)
        timings[name] = round(time.perf_counter() - began, 1)
        if isinstance(result, dict):
            counts.update(result)
        else:
            counts[name] = result
        log(f"  {name}: {timings[name]} s")

    from .assessments import seed_assessments
    from .org import (
        build_tree,
        seed_notifications,
        seed_people_and_terms,
        seed_unions,
        seed_users,
    )
    from .planning import seed_planning
    from .snapshots import build_snapshots

    _set_comment(f"{MARKER} scale={scale.name} seed={SEED} today={today} seeding")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The rows are consistent by construction; checking every foreign key
            # row by row would double the load time. Unique and check constraints
            # are not triggers and still hold.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        deferred = drop_secondary_indexes(_seeded_models())
        build_tree(world)
        step("unions", seed_unions)
        step("users", seed_users)
        step("people_and_terms", seed_people_and_terms)
        step("notifications", seed_notifications)
        step("planning", seed_planning)
        step("assessments", seed_assessments)
        began = time.perf_counter()
        create_indexes(deferred)
        timings["indexes"] = round(time.perf_counter() - began, 1)
        log(f"  indexes: {timings['indexes']} s")
        _reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    timings["vacuum_analyze"] = round(time.perf_counter() - began, 1)
    log(f"  vacuum_analyze: {timings['vacuum_analyze']} s")
    began = time.perf_counter()
    counts["report_rows"] = build_snapshots(world, log)
    _reset_sequences()  # the snapshot rows were given their ids too
    timings["snapshots"] = round(time.perf_counter() - began, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _set_comment(marker_for(scale, today))
    return {
        "reused": False,
        "seconds": round(time.perf_counter() - started, 1),
        "timings": timings,
        "counts": counts,
        "today": today.isoformat(),
    }
