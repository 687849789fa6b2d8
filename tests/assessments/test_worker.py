"""The report job through real Celery workers on Redis, against PostgreSQL.

The workers are separate processes reading the test database, so the test commits
its data (``transactional_db``) and waits for the snapshot to appear. Skipped unless
DATABASE_URL is PostgreSQL and Redis answers (REQUIRE_SERVICES=1 makes it fail).
"""

import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import connection

from assessments import services
from assessments.models import Period, QuarterReport, QuarterReportRow
from assessments.tasks import build_quarter_report_task
from tests.conftest import require_or_skip

from .factories import PeriodFactory, ScoreFactory, active_scheme, indicator

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
TIMEOUT = 180


def _redis_is_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.fixture(scope="module")
def workers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two worker processes on a queue of this module's own, for all its tests."""
    with django_db_blocker.unblock():
        vendor = connection.vendor
        database_url = _database_url()
    if vendor != "postgresql":
        require_or_skip("REQUIRE_SERVICES", "the worker test needs PostgreSQL")
    if not _redis_is_up():
        require_or_skip("REQUIRE_SERVICES", f"Redis is not reachable at {REDIS_URL}")
    queue = f"assess-test-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("workers")
    media = folder / "media"
    env = {
        **os.environ,
        # The files job that a snapshot enqueues goes to this module's queue too.
        "DJANGO_SETTINGS_MODULE": "tests.assessments.worker_settings",
        "TEST_CELERY_QUEUE": queue,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": "worker-test-secret-key",
        "DEBUG": "false",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    processes, logs = [], []
    for n in range(2):
        log = folder / f"worker-{n}.log"
        logs.append(log)
        processes.append(
            subprocess.Popen(  # noqa: S603 - a fixed command line
                [
                    celery,
                    "-A",
                    "unionportal",
                    "worker",
                    "-P",
                    "solo",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}-{n}@%h",
                    "-l",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    try:
        yield {"queue": queue, "logs": logs, "media": media}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def celery_queue(workers, transactional_db, settings):
    """The workers, with this test's data committed where they can read it."""
    from unionportal.celery import app

    settings.MEDIA_ROOT = workers["media"]
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield workers
    finally:
        app.conf.task_always_eager = previous


def _send(celery_queue, period_id: int, token: str | None = None) -> None:
    from kombu import Connection

    with Connection(REDIS_URL) as broker:
        build_quarter_report_task.apply_async(
            kwargs={"period_id": period_id, "token": token},
            queue=celery_queue["queue"],
            connection=broker,
        )


def _request(celery_queue, period, by) -> None:
    """What "Build report" on the period's page does, its job sent to the test's
    queue: a new version waiting, with the request's token."""
    sent = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "assessments.services.reports.enqueue_on_commit",
            lambda task, **kwargs: sent.append(kwargs),
        )
        services.report_request(period=period, by=by)
    assert [kw["period_id"] for kw in sent] == [period.pk]
    _send(celery_queue, period.pk, token=sent[0]["token"])


def _wait(condition, celery_queue, what: str):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    logs = "\n".join(path.read_text() for path in celery_queue["logs"])
    pytest.fail(f"timed out waiting for {what}; worker logs:\n{logs[-4000:]}")


def _finished(period_id: int, after=None):
    report = QuarterReport.objects.filter(period_id=period_id).first()
    if report is None or report.status != QuarterReport.Status.DONE:
        return None
    if after is not None and report.finished_at <= after:
        return None
    return report


def _files_ready(period_id: int):
    report = QuarterReport.objects.filter(period_id=period_id).first()
    return report if report is not None and report.files_ready else None


def _numbers(report):
    return sorted(
        QuarterReportRow.objects.filter(report=report).values_list(
            "unit_id", "total", "rank", "grade"
        )
    )


def _log_count(celery_queue, text: str) -> int:
    return sum(path.read_text().count(text) for path in celery_queue["logs"])


@pytest.fixture
def closed_period(district, subdistrict, other_subdistrict, admin_user):
    scheme = active_scheme(district)
    period = PeriodFactory(scheme=scheme, kind=Period.Kind.Q1)
    ScoreFactory(
        period=period,
        unit=subdistrict,
        indicator=indicator(scheme, "B1"),
        self_score=D("55"),
    )
    ScoreFactory(
        period=period,
        unit=other_subdistrict,
        indicator=indicator(scheme, "B1"),
        self_score=D("35"),
    )
    services.period_close(period=period, by=admin_user)
    return period


def test_the_worker_builds_the_snapshot_and_a_second_run_keeps_the_first(
    celery_queue, closed_period, subdistrict, admin_user
):
    """A rebuild is a new numbered version (docs/scoring.md): the first keeps its
    rows and files, and the same scores give the same figures."""
    _send(celery_queue, closed_period.pk)
    report = _wait(lambda: _finished(closed_period.pk), celery_queue, "the report")
    numbers = _numbers(report)
    assert dict((u, t) for u, t, _r, _g in numbers)[subdistrict.pk] == D("55.00")
    # The files come from their own job, after the snapshot.
    report = _wait(lambda: _files_ready(closed_period.pk), celery_queue, "the files")
    assert report.files.count() == 4

    _request(celery_queue, closed_period, admin_user)
    again = _wait(
        lambda: _finished(closed_period.pk, after=report.finished_at),
        celery_queue,
        "the second run",
    )
    assert QuarterReport.objects.filter(period=closed_period).count() == 2
    assert (report.number, again.number) == (1, 2)
    assert again.pk != report.pk
    assert _numbers(again) == numbers
    assert _numbers(report) == numbers  # the first version is kept as it was
    assert report.files.count() == 4


def test_two_runs_at_once_leave_one_snapshot(celery_queue, closed_period):
    """Two jobs with no request behind them (the nightly's, sent twice): whether
    they overlap or one worker runs them one after the other, one version."""
    done_before = _log_count(celery_queue, "succeeded in")
    _send(celery_queue, closed_period.pk)
    _send(celery_queue, closed_period.pk)
    _wait(
        lambda: _log_count(celery_queue, "succeeded in") >= done_before + 2,
        celery_queue,
        "both runs",
    )
    report = _wait(lambda: _finished(closed_period.pk), celery_queue, "the report")
    assert QuarterReport.objects.filter(period=closed_period).count() == 1
    assert QuarterReportRow.objects.filter(report=report).count() == 2


def test_the_worker_refuses_a_locked_period(celery_queue, closed_period, admin_user):
    _send(celery_queue, closed_period.pk)
    _wait(lambda: _finished(closed_period.pk), celery_queue, "the report")
    report = _wait(lambda: _files_ready(closed_period.pk), celery_queue, "the files")
    services.period_publish(period=closed_period, by=admin_user)
    services.period_lock(period=closed_period, by=admin_user)
    before = (_numbers(report), report.finished_at)

    refused_before = _log_count(celery_queue, "'status': 'refused'")
    _send(celery_queue, closed_period.pk)
    _wait(
        lambda: _log_count(celery_queue, "'status': 'refused'") > refused_before,
        celery_queue,
        "the refusal",
    )
    report.refresh_from_db()
    assert (_numbers(report), report.finished_at) == before
