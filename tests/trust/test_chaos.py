"""Jobs survive crashes: a worker killed mid-build, Redis stopped while jobs wait.

Run by ``make test-chaos`` (``pytest -m chaos``), never by the plain ``make test``.
Each test runs its own redis-server on port 6390 (append-only file, fsync on every
write, as a production broker must) and real Celery workers on the PostgreSQL test
database, so the test commits its data (``transactional_db``).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require_or_skip

pytestmark = pytest.mark.chaos

ROOT = Path(settings.BASE_DIR)
REDIS_PORT = 6390
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
# Short so that a job of a killed worker comes back within the test; production
# keeps two hours (longer than the longest job).
VISIBILITY_TIMEOUT = 10
BUILD_PAUSE = 6
WAIT = 120


def _wait_for(predicate, *, timeout=WAIT, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A redis-server of the test's own that keeps its data across restarts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.process = None

    def start(self):
        if self.ping():
            raise AssertionError(f"something already answers on port {REDIS_PORT}")
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self.ping, timeout=20, what="redis-server to answer")
        assert self.process.poll() is None, "redis-server exited"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=REDIS_PORT, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def kill(self):
        """As a crash: no shutdown, no save."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker:
    """A Celery worker process group, killed like a machine that loses power."""

    def __init__(self, name: str, folder: Path, env: dict):
        self.log = folder / f"{name}.log"
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "unionportal",
                "worker",
                "--concurrency=1",
                "--pool=prefork",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.handle.close()

    def succeeded(self) -> int:
        return self.log.read_text().count("succeeded in")


def _database_url() -> str:
    config = connection.settings_dict
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"


def _reset_pools(app):
    """Forgets broker connections made with another broker URL."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def chaos(transactional_db, tmp_path, settings):
    """Redis on 6390, and a way to start workers against the test database."""
    if connection.vendor != "postgresql":
        require_or_skip("REQUIRE_SERVICES", "chaos tests need PostgreSQL")
    if shutil.which("redis-server") is None:
        require_or_skip("REQUIRE_SERVICES", "chaos tests need redis-server")
    from unionportal.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    redis_server = RedisServer(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "1",  # plain static files: the PDF templates need no manifest
        "CONN_MAX_AGE": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "REPORT_BUILD_TEST_PAUSE": str(BUILD_PAUSE),
    }
    workers: list[Worker] = []

    def start_worker(name: str, **extra) -> Worker:
        worker = Worker(name, tmp_path, {**env, **extra})
        workers.append(worker)
        return worker

    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    )
    _reset_pools(app)
    try:
        redis_server.start()
        yield {"redis": redis_server, "start_worker": start_worker, "app": app}
    finally:
        for worker in workers:
            worker.kill()
        redis_server.kill()
        app.conf.update({k: previous[k] for k in ("broker_url", "task_always_eager")})
        app.conf.broker_transport_options = previous["broker_transport_options"]
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None


def _closed_period():
    """A closed quarter of a district's grassroots scheme, with three units scored."""
    from assessments import services
    from tests.accounts.factories import UserFactory
    from tests.api.factories import open_period
    from tests.unions.factories import (
        district_factory,
        grassroots_factory,
        subdistrict_factory,
    )

    district = district_factory(code="CH")
    subdistrict = subdistrict_factory(district, code="CH-1")
    units = [grassroots_factory(subdistrict, code=f"CH-1-{n}") for n in range(3)]
    admin = UserFactory(username="chaos_admin", union=district, is_union_admin=True)
    period, indicator = open_period(district, by=admin)
    for points, unit in zip((92, 81, 64), units, strict=True):
        services.scores_save(
            period=period,
            unit=unit,
            entries=[services.ScoreEntry(indicator=indicator, self_score=points)],
            by=UserFactory(union=unit, is_cadre=True),
        )
    services.period_close(period=period, by=admin)
    return period


def _another_closed_period(period, kind="q2"):
    from assessments import services

    admin = _admin_of(period)
    other = services.period_create(scheme=period.scheme, kind=kind, by=admin)
    services.period_close(period=other, by=admin)
    return other


def _admin_of(period):
    from accounts.models import User

    return User.objects.get(username="chaos_admin")


def _report(period):
    from assessments.models import QuarterReport

    return QuarterReport.objects.filter(period=period).first()


def test_report_survives_a_worker_killed_in_the_middle_of_the_build(chaos):
    from assessments import services
    from assessments.models import QuarterReport

    period = _closed_period()
    first = chaos["start_worker"]("first")
    services.report_request(period=period, by=_admin_of(period))

    # The build is half-way (progress 50) and pausing: kill the whole worker.
    running = _wait_for(
        lambda: (r := _report(period)) and r.progress == 50 and r,
        what="the build to reach half-way",
    )
    first.kill()
    assert _report(period).status == QuarterReport.Status.RUNNING

    # Its job is still in Redis, unacknowledged; once the visibility timeout has
    # passed, a new worker takes it back and builds the report.
    time.sleep(
        max(0, VISIBILITY_TIMEOUT + 1 - (time.time() - running.started_at.timestamp()))
    )
    second = chaos["start_worker"]("second")
    report = _wait_for(
        lambda: (r := _report(period)) and r.files_ready and r,
        what="the report and its files to be made by the second worker",
    )

    assert first.succeeded() == 0
    # The files are stored before the worker logs the task's success.
    _wait_for(lambda: second.succeeded() >= 2, what="the second worker's log")
    assert second.succeeded() == 2  # the snapshot, then its files
    rows = {row.unit.code: row for row in report.rows.select_related("unit")}
    assert sorted(rows) == ["CH-1-0", "CH-1-1", "CH-1-2"]
    assert [rows[c].total for c in sorted(rows)] == [
        Decimal(92),
        Decimal(81),
        Decimal(64),
    ]
    assert [rows[c].rank for c in sorted(rows)] == [1, 2, 3]
    assert report.files.count() == 4  # .xlsx and .pdf, in Chinese and English
    for record in report.files.all():
        assert record.file.size == record.size > 0


def test_report_files_survive_a_worker_killed_while_making_them(chaos):
    from assessments import services
    from assessments.models import QuarterReport

    period = _closed_period()
    first = chaos["start_worker"]("first")
    services.report_request(period=period, by=_admin_of(period))

    # The snapshot is done and its files job pauses after the first workbook.
    making = _wait_for(
        lambda: (
            (r := _report(period))
            and r.files_status == QuarterReport.FilesStatus.RUNNING
            and r
        ),
        what="the files job to start",
    )
    first.kill()
    assert _report(period).status == QuarterReport.Status.DONE
    assert not _report(period).files_ready

    time.sleep(
        max(
            0,
            VISIBILITY_TIMEOUT
            + 1
            - (time.time() - making.files_started_at.timestamp()),
        )
    )
    chaos["start_worker"]("second")
    report = _wait_for(
        lambda: (r := _report(period)) and r.files_ready and r,
        what="the files to be made by the second worker",
    )
    assert report.files.count() == 4
    for record in report.files.all():
        assert record.file.size == record.size > 0


def test_no_job_is_lost_while_redis_is_down(chaos):
    from assessments import services
    from assessments.models import QuarterReport
    from unionportal.models import OutboxJob
    from unionportal.tasks import outbox_flush_task

    queued_before = _closed_period()
    asked_during = _another_closed_period(queued_before)
    admin = _admin_of(queued_before)

    # A job waits in Redis (no worker yet) when Redis crashes.
    services.report_request(period=queued_before, by=admin)
    assert not OutboxJob.objects.exists()
    chaos["redis"].kill()
    outage_started = time.monotonic()
    assert not chaos["redis"].ping()

    # A report asked for during the outage: the page does not fail, the job waits
    # in the outbox.
    services.report_request(period=asked_during, by=admin)
    assert OutboxJob.objects.get().kwargs["period_id"] == asked_during.pk
    assert _report(asked_during).status == QuarterReport.Status.PENDING

    time.sleep(max(0, 10 - (time.monotonic() - outage_started)))
    chaos["redis"].start()
    chaos["start_worker"]("after-outage", REPORT_BUILD_TEST_PAUSE="0")
    # What celery beat does every 30 s: send the jobs the outbox kept.
    outbox_flush_task.apply_async(retry=True)

    for period in (queued_before, asked_during):
        _wait_for(
            lambda period=period: (
                (r := _report(period)) and r.status == QuarterReport.Status.DONE
            ),
            what=f"the report of {period}",
        )
    assert not OutboxJob.objects.exists()
