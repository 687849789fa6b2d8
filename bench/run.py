#!/usr/bin/env python3
"""``make bench``: seeds (or reuses) a scale, serves it the way production does and
measures it. See docs/performance.md for what each figure means.

Needs DATABASE_URL (a PostgreSQL server; the bench uses its own databases on it,
``bench_<scale>``, created when missing) and REDIS_URL (give it a Redis database
of its own, e.g. ``redis://127.0.0.1:6379/5``: the bench's worker takes every job
on that queue). Steps:

1. ``migrate`` and ``seed_bench --scale`` (a complete seed is reused);
2. ``collectstatic`` once (kept in bench/.static while static files do not change);
3. gunicorn started from the ``web:`` line of the Procfile with DEBUG off and
   WEB_WORKERS = 2 × cores + 1 as the README says, on a free loopback port;
4. per page, signed in as the role that uses it: wrk at 8 connections (one
   session each) for a bounded time: requests per second, p50/p95/p99, the
   page's query count, and its throughput as a ratio to two floors measured in
   the same run with the same gunicorn settings: the portal's floor page (the same
   stack with one cached template) and a minimal Django project
   (bench/django_floor: stock middleware, database sessions, a 20-row template),
   each measured before, between and after the pages;
5. the Procfile's Celery worker (with measuring hooks) builds the benchmark
   quarter's reports three times in a row, asked for through the period page's
   service: seconds (median and max), the files task, peak RSS, queries, and the
   ratio to one hand-written SQL aggregate;
6. the .xlsx exports (the quarter's report, the project list): seconds, peak RSS;
7. at ``city`` scale the district's query counts and report job too, for growth.

A table goes to stdout, everything to bench/results.json (and
bench/results-<scale>.json). Exit status 1 when a page or job failed to answer
at all; missed targets are printed (``--strict`` makes them fail too).
"""

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
SCALES = ("tiny", "district", "city")
DURATION = {"tiny": 2, "district": 10, "city": 15}
WARMUP = {"tiny": 1, "district": 2, "city": 3}
CONNECTIONS = 8
TARGETS = {
    "page_p95_ms": 150,
    # Each page's throughput as a share of the minimal Django page's (bench/django_floor)
    "page_django_floor_ratio": 0.25,
    # The portal's own floor page (the frame: middleware, session, menu) against it
    "portal_floor_django_ratio": 0.8,
    # No long tail: p99 at most four times p50
    "page_p99_over_p50": 4,
    # Used only when the Django floor could not be measured: the portal's floor page
    "page_floor_ratio": 0.25,
    "page_queries": 20,
    "report_seconds": 10,
    "report_floor_ratio": 5,
    "report_rss_mb": 300,
    "report_growth": 12,
    "report_builds": 3,
    "export_seconds": 10,
    "export_rss_mb": 200,
}
# Static files the portal's pages never load; skipping them keeps collectstatic
# (which compresses everything with brotli) to seconds instead of minutes.
STATIC_IGNORE = ("drf_spectacular_sidecar", "rest_framework", "admin", "django_htmx")


class BenchError(Exception):
    pass


def log(message: str) -> None:
    stamp = datetime.datetime.now().astimezone().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def parse_json_line(output: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
        if line.startswith("{") and line.endswith("}"):
            return json.loads(line)
    raise BenchError(f"no figures in the output:\n{output[-2000:]}")


class Bench:
    def __init__(self, args):
        self.args = args
        self.scale = args.scale
        self.logs = BENCH / ".logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []
        self.secret = secrets.token_urlsafe(50)
        self.results: dict = {
            "scale": self.scale,
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": {
                "connections": CONNECTIONS,
                "duration_s": args.duration or DURATION[self.scale],
            },
            "targets": TARGETS,
        }
        self.failures: list[str] = []

    # --- environment ------------------------------------------------------------

    def database_url(self, scale: str) -> str:
        parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        if not parts.scheme.startswith("postgres"):
            raise BenchError("DATABASE_URL must name a PostgreSQL server.")
        return urllib.parse.urlunsplit(
            parts._replace(path=f"/{self.args.db_prefix}{scale}")
        )

    def env(self, database_url: str, **extra) -> dict:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            DEBUG="false",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            SECURE_HSTS_SECONDS="0",
            # The portal's settings plus the bench's app and floor page.
            DJANGO_SETTINGS_MODULE="bench.settings",
            STATIC_ROOT=str(BENCH / ".static"),
            MEDIA_ROOT=str(BENCH / ".media"),
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            # The API's per-user throttle would answer 429 under load; it still runs.
            API_THROTTLE_USER="100000000/min",
            PYTHONUNBUFFERED="1",
        )
        env.setdefault("WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
        env.update(extra)
        return env

    def manage(self, database_url: str, *argv, timeout: float = 900) -> str:
        command = [PYTHON, "manage.py", *argv]
        completed = subprocess.run(  # noqa: S603 - our own manage.py
            command,
            cwd=ROOT,
            env=self.env(database_url),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(
                f"manage.py {' '.join(argv)} failed:\n{completed.stdout[-3000:]}"
                f"\n{completed.stderr[-3000:]}"
            )
        return completed.stdout

    def probe(self, database_url: str, *argv, timeout: float = 900, **extra) -> dict:
        completed = subprocess.run(  # noqa: S603 - our own module
            [PYTHON, "-m", "bench.probe", *argv],
            cwd=ROOT,
            env=self.env(database_url, **extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(
                f"probe {' '.join(argv)} failed:\n{completed.stdout[-3000:]}"
                f"\n{completed.stderr[-3000:]}"
            )
        return parse_json_line(completed.stdout)

    def ensure_database(self, database_url: str, *, fresh: bool = False) -> None:
        """Creates the bench database when missing; ``fresh`` drops it first (the
        tiny seed is remade every run, and a database migrated by another
        checkout of the code may hold migrations this one does not have)."""
        import psycopg2

        parts = urllib.parse.urlsplit(database_url)
        name = parts.path.lstrip("/")
        server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        connection = psycopg2.connect(server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                if fresh:
                    log(f"dropping database {name} (made afresh at this scale)")
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    log(f"creating database {name}")
                    cursor.execute(f'CREATE DATABASE "{name}"')
                cursor.execute("SHOW server_version")
                self.results["machine"]["postgresql"] = cursor.fetchone()[0]
        finally:
            connection.close()

    def prepare(self, scale: str) -> str:
        """Migrated and seeded database of ``scale``; returns its URL."""
        url = self.database_url(scale)
        self.ensure_database(url, fresh=scale == "tiny")
        log(f"{scale}: migrate")
        self.manage(url, "migrate", "--no-input", "-v0")
        log(f"{scale}: seed_bench (reused when complete)")
        started = time.perf_counter()
        # The tiny seed takes seconds: made afresh (in a new database), it always
        # matches the code.
        fresh = ["--reset"] if scale == "tiny" else []
        output = self.manage(
            url, "seed_bench", "--scale", scale, "--json", *fresh, timeout=3600
        )
        seed = parse_json_line(output)
        seed["wall_seconds"] = round(time.perf_counter() - started, 1)
        self.results.setdefault("seed", {})[scale] = seed
        if seed.get("reused"):
            log(f"{scale}: reused the existing seed")
        else:
            log(f"{scale}: seeded in {seed['seconds']} s")
        return url

    def collectstatic(self, url: str) -> None:
        fingerprint = static_fingerprint()
        marker = BENCH / ".static" / ".fingerprint"
        if marker.exists() and marker.read_text() == fingerprint:
            return
        log("collectstatic (once; kept in bench/.static)")
        ignores = [arg for name in STATIC_IGNORE for arg in ("-i", name)]
        self.manage(url, "collectstatic", "--no-input", "-v0", "--clear", *ignores)
        marker.write_text(fingerprint)

    # --- processes -------------------------------------------------------------

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        output = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - the Procfile's own command
            argv,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)

    def start_web(self, url: str) -> tuple[subprocess.Popen, str]:
        port = free_port()
        env = self.env(url)
        argv = procfile_argv("web", env)
        argv = replace_option(argv, "--bind", f"127.0.0.1:{port}")
        self.results["settings"]["gunicorn"] = " ".join(argv)
        log(f"gunicorn: {' '.join(argv)}")
        process = self.start("gunicorn", argv, env)
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: http_status(f"{base}/healthz") == 200,
            timeout=90,
            what="gunicorn to answer /healthz",
            process=process,
        )
        return process, base

    def prepare_django_floor(self) -> dict:
        """Migrates the minimal Django project's database (``<prefix>django_floor``
        on the same server) and signs in one user per connection."""
        url = self.database_url("django_floor")
        self.ensure_database(url)
        completed = subprocess.run(  # noqa: S603 - our own module
            [
                PYTHON,
                "-m",
                "bench.django_floor.prepare",
                "--sessions",
                str(CONNECTIONS),
            ],
            cwd=ROOT,
            env=self.django_floor_env(url),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(
                f"the Django floor's preparation failed:\n{completed.stdout[-3000:]}"
                f"\n{completed.stderr[-3000:]}"
            )
        target = parse_json_line(completed.stdout)
        if target.get("status") != 200:
            raise BenchError(f"the Django floor answered {target.get('status')}")
        target.update(name="Django floor", role="floor1", url=url)
        return target

    def django_floor_env(self, url: str) -> dict:
        return self.env(
            url,
            DJANGO_SETTINGS_MODULE="bench.django_floor.settings",
            DJANGO_FLOOR_DATABASE_URL=url,
        )

    def start_django_floor(self, url: str) -> tuple[subprocess.Popen, str]:
        """The minimal project under the Procfile's gunicorn line, the same options
        as the portal's (workers, threads, --preload, --max-requests, access log)."""
        port = free_port()
        env = self.django_floor_env(url)
        argv = procfile_argv("web", env)
        argv = [
            "bench.django_floor.wsgi:application" if a.endswith(":application") else a
            for a in argv
        ]
        argv = replace_option(argv, "--bind", f"127.0.0.1:{port}")
        self.results["settings"]["gunicorn_django_floor"] = " ".join(argv)
        process = self.start("gunicorn-django-floor", argv, env)
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: http_status(f"{base}/floor/") == 302,
            timeout=90,
            what="the Django floor's gunicorn to answer",
            process=process,
        )
        return process, base

    def start_worker(self, url: str, stats: Path) -> subprocess.Popen:
        env = self.env(url, BENCH_TASK_STATS=str(stats))
        argv = procfile_argv("worker", env)
        argv = replace_option(argv, "-A", "bench.worker")
        argv += ["--hostname", f"bench{os.getpid()}@%h"]
        self.results["settings"]["worker"] = " ".join(argv)
        log(f"worker: {' '.join(argv)}")
        name = f"worker-{stats.name}"
        process = self.start(name, argv, env)
        logfile = self.logs / f"{name}.log"
        wait_until(
            lambda: " ready." in logfile.read_text(errors="replace"),
            timeout=90,
            what="the Celery worker to be ready",
            process=process,
        )
        return process

    # --- measuring ---------------------------------------------------------------

    def wrk(self, base: str, path: str, cookies: list[str], seconds: int) -> dict:
        command = [
            shutil.which("wrk") or "wrk",
            f"-t{CONNECTIONS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "wrk.lua"),
            base + path,
        ]
        completed = subprocess.run(  # noqa: S603 - wrk on loopback, bounded by -d
            command,
            env={**os.environ, "BENCH_COOKIES": ",".join(cookies)},
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(f"wrk failed: {completed.stderr[-2000:]}")
        figures = parse_json_line(completed.stdout)
        duration = figures["duration_us"] / 1e6
        latency = figures["latency_us"]
        errors = figures["errors"]
        return {
            "requests": figures["requests"],
            "rps": round(figures["requests"] / duration, 1) if duration else 0.0,
            "p50_ms": round(latency["p50"] / 1000, 1),
            "p95_ms": round(latency["p95"] / 1000, 1),
            "p99_ms": round(latency["p99"] / 1000, 1),
            "max_ms": round(latency["max"] / 1000, 1),
            "errors": sum(errors.values()),
            "error_detail": errors,
            "kb_per_request": round(
                figures["bytes"] / max(figures["requests"], 1) / 1024, 1
            ),
        }

    def load(self, base: str, target: dict) -> dict:
        seconds = self.args.duration or DURATION[self.scale]
        # Every connection must get the page itself, not a redirect to sign in.
        status = http_status(
            base + target["path"], cookie=target["cookies"][0], timeout=120
        )
        if status != 200:
            answer = f"answered {status}" if status else "gave no answer in 120 s"
            raise BenchError(f"{target['name']}: gunicorn {answer}")
        self.wrk(base, target["path"], target["cookies"], WARMUP[self.scale])
        return self.wrk(base, target["path"], target["cookies"], seconds)

    def settle(self, base: str, floor_target: dict) -> None:
        """Waits (up to two minutes) until requests left in flight by the previous
        page are done, so that they do not weigh on the next measurement."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = time.monotonic()
            status = http_status(
                base + floor_target["path"],
                cookie=floor_target["cookies"][0],
                timeout=5,
            )
            if status == 200 and time.monotonic() - started < 1:
                return
            time.sleep(1)

    def measure_pages(self, url: str) -> None:
        log(f"{self.scale}: signing in the personas and counting queries")
        targets = self.probe(url, "targets", "--sessions", str(CONNECTIONS))["targets"]
        floor_target = next(t for t in targets if t["kind"] == "floor")
        pages = [t for t in targets if t["kind"] != "floor"]
        log("Django floor: migrating its database and signing in")
        django_target = self.prepare_django_floor()
        web, base = self.start_web(url)
        django_web, django_base = self.start_django_floor(django_target["url"])
        django_runs: list[dict] = []

        def measure_django(when: str) -> None:
            log(f"Django floor ({when})")
            self.settle(base, floor_target)
            try:
                figures = self.load(django_base, django_target)
            except BenchError as exc:
                self.failures.append(f"Django floor {when}: {exc}")
                return
            django_runs.append({"when": when, **figures})

        try:
            if "error" in floor_target:
                raise BenchError(f"floor page: {floor_target['error']}")
            # Every gunicorn worker loads its code and templates on first use.
            if self.scale != "tiny":
                log("warming up every page")
                self.wrk(
                    django_base,
                    django_target["path"],
                    django_target["cookies"],
                    WARMUP[self.scale],
                )
                for target in [floor_target, *pages]:
                    if "error" not in target:
                        self.wrk(
                            base, target["path"], target["cookies"], WARMUP[self.scale]
                        )
            measure_django("before the pages")
            log("floor (before the pages)")
            self.settle(base, floor_target)
            floor_before = self.load(base, floor_target)
            measured = []
            half = (len(pages) + 1) // 2
            for index, target in enumerate(pages):
                if index == half:
                    measure_django("between the pages")
                entry = {
                    key: target.get(key)
                    for key in ("name", "role", "path", "queries", "bytes", "status")
                }
                entry["single_request_ms"] = target.get("single_request_ms")
                entry["slowest_queries"] = target.get("slowest_queries")
                if "error" in target:
                    entry["error"] = target["error"]
                    self.failures.append(f"{target['name']}: {target['error']}")
                    measured.append(entry)
                    log(f"{target['name']}: {target['error']}")
                    continue
                log(f"{target['name']}: {target['path']} as {target['role']}")
                self.settle(base, floor_target)
                try:
                    entry.update(self.load(base, target))
                except BenchError as exc:
                    entry["error"] = str(exc)
                    self.failures.append(str(exc))
                if entry.get("errors"):
                    self.failures.append(
                        f"{target['name']}: {entry['errors']} failed requests"
                    )
                measured.append(entry)
            log("floor (after the pages)")
            self.settle(base, floor_target)
            try:
                floor_after = self.load(base, floor_target)
            except BenchError as exc:
                self.failures.append(f"floor after the pages: {exc}")
                floor_after = floor_before
            measure_django("after the pages")
        finally:
            self.stop(web)
            self.stop(django_web)
        floor_rps = (floor_before["rps"] + floor_after["rps"]) / 2
        django_rps = (
            sum(r["rps"] for r in django_runs) / len(django_runs) if django_runs else 0
        )
        for entry in measured:
            if entry.get("rps"):
                entry["floor_ratio"] = round(entry["rps"] / floor_rps, 3)
                if django_rps:
                    entry["x_django_floor"] = round(entry["rps"] / django_rps, 3)
                if entry.get("p50_ms"):
                    entry["p99_over_p50"] = round(entry["p99_ms"] / entry["p50_ms"], 1)
        self.results["floor"] = {
            "path": floor_target["path"],
            "queries": floor_target["queries"],
            "rps": round(floor_rps, 1),
            "x_django_floor": round(floor_rps / django_rps, 3) if django_rps else None,
            "before": floor_before,
            "after": floor_after,
        }
        self.results["django_floor"] = {
            "path": django_target["path"],
            "queries": django_target["queries"],
            "bytes": django_target["bytes"],
            "rps": round(django_rps, 1),
            "p95_ms": (
                round(statistics.median(r["p95_ms"] for r in django_runs), 1)
                if django_runs
                else None
            ),
            "runs": django_runs,
        }
        self.results["pages"] = measured

    def count_queries_only(self, url: str, scale: str) -> None:
        log(f"{scale}: counting the pages' queries")
        targets = self.probe(url, "targets", "--sessions", "1")["targets"]
        self.results.setdefault("queries_by_scale", {})[scale] = {
            t["name"]: t.get("queries") for t in targets if t["kind"] != "floor"
        }

    def report_job(self, url: str, scale: str) -> dict:
        """Builds the benchmark quarter ``--builds`` times (3) in a row through one
        worker: each build's figures, and their median and max."""
        stats = self.logs / f"tasks-{scale}"
        shutil.rmtree(stats, ignore_errors=True)
        stats.mkdir(parents=True)
        worker = self.start_worker(url, stats)
        builds = []
        try:
            for number in range(1, self.args.builds + 1):
                log(f"{scale}: quarter report job through the worker, build {number}")
                figures = self.probe(
                    url,
                    "report",
                    "--timeout",
                    str(self.args.job_timeout),
                    timeout=self.args.job_timeout + 300,
                    BENCH_TASK_STATS=str(stats),
                )
                builds.append(self.report_build_summary(figures, scale))
        finally:
            self.stop(worker)
        return summarise_builds(builds)

    def report_build_summary(self, figures: dict, scale: str) -> dict:
        tasks = figures.get("tasks", [])
        reports = figures.get("reports", [])
        failed = [r for r in reports if r["status"] != "done"]
        if figures.get("error") or failed or figures.get("timed_out"):
            self.failures.append(
                f"report job at {scale}: {figures.get('error') or failed or 'timed out'}"
            )
        summary = {
            "periods": figures.get("periods"),
            "units": sum(r.get("unit_count") or 0 for r in reports),
            "wall_seconds": figures.get("wall_seconds"),
            "task_seconds": round(sum(t["seconds"] for t in tasks), 2),
            "longest_task_seconds": max((t["seconds"] for t in tasks), default=None),
            "queries": sum(t["queries"] for t in tasks),
            "peak_rss_mb": max((t["peak_rss_mb"] for t in tasks), default=None),
            "tasks": tasks,
            "sql_floor": figures.get("sql_floor"),
            "reports": reports,
            # The second task: the .xlsx and .pdf files in both languages, made
            # from the stored rows after the snapshot is committed.
            "files_wall_seconds": figures.get("files_wall_seconds"),
            "files_task_seconds": round(
                sum(t["seconds"] for t in figures.get("files_tasks", [])), 2
            ),
            "files_peak_rss_mb": max(
                (t["peak_rss_mb"] for t in figures.get("files_tasks", [])),
                default=None,
            ),
        }
        floor = (figures.get("sql_floor") or {}).get("seconds")
        if floor and summary["wall_seconds"]:
            summary["floor_ratio"] = round(summary["wall_seconds"] / floor, 1)
        return summary

    def exports(self, url: str) -> None:
        results = {}
        for kind in ("report", "projects"):
            log(f"export: {kind}")
            results[kind] = self.probe(url, "export", kind, timeout=1200)
        self.results["exports"] = results

    # --- the run ---------------------------------------------------------------

    def save_partial(self) -> None:
        """Keeps the figures so far in bench/.logs/results.partial.json: a long city run
        cut short still leaves what it measured."""
        (self.logs / "results.partial.json").write_text(
            json.dumps(self.results, indent=2, ensure_ascii=False, default=str) + "\n"
        )

    def execute(self) -> None:
        url = self.prepare(self.scale)
        self.collectstatic(url)
        self.measure_pages(url)
        self.save_partial()
        self.results.setdefault("report_job", {})[self.scale] = self.report_job(
            url, self.scale
        )
        self.save_partial()
        self.exports(url)
        self.save_partial()
        if self.scale == "city" and not self.args.skip_district:
            district = self.prepare("district")
            self.count_queries_only(district, "district")
            self.results["report_job"]["district"] = self.report_job(
                district, "district"
            )
            self.results.setdefault("queries_by_scale", {})["city"] = {
                p["name"]: p.get("queries") for p in self.results["pages"]
            }
            jobs = self.results["report_job"]
            city = jobs["city"].get("wall_seconds_each") or []
            base = jobs["district"].get("wall_seconds_each") or []
            each = [
                round(c / d, 1) for c, d in zip(city, base, strict=False) if c and d
            ]
            if each:
                jobs["growth_city_over_district_each"] = each
                jobs["growth_city_over_district"] = statistics.median(each)
                jobs["growth_city_over_district_max"] = max(each)


def summarise_builds(builds: list[dict]) -> dict:
    """The last build's figures (units, queries, SQL floor...) plus, over every
    build, the median and max of the times, the floor ratio and the memory."""
    if not builds:
        return {"builds": []}
    summary = {key: value for key, value in builds[-1].items() if key != "tasks"}
    for key in (
        "wall_seconds",
        "task_seconds",
        "floor_ratio",
        "files_wall_seconds",
        "files_task_seconds",
    ):
        values = [b[key] for b in builds if b.get(key) is not None]
        summary[key] = round(statistics.median(values), 2) if values else None
        summary[f"{key}_max"] = max(values) if values else None
        summary[f"{key}_each"] = [b.get(key) for b in builds]
    for key in ("peak_rss_mb", "files_peak_rss_mb"):
        values = [b[key] for b in builds if b.get(key) is not None]
        summary[key] = max(values) if values else None
    summary["builds"] = builds
    return summary


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory_gb = round(int(memory) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        memory_gb = None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_before": " ".join(Path("/proc/loadavg").read_text().split()[:3])
        if Path("/proc/loadavg").exists()
        else None,
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def static_fingerprint() -> str:
    digest = hashlib.sha256()
    sources = [ROOT / "static", *sorted(ROOT.glob("*/static"))]
    for source in sources:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def procfile_argv(kind: str, env: dict) -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{kind}:"):
            command = line.split(":", 1)[1].strip()
            break
    else:
        raise BenchError(f"no {kind}: line in the Procfile")
    command = re.sub(
        r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1)) or m.group(2), command
    )
    command = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), command)
    return shlex.split(command)


def replace_option(argv: list[str], option: str, value: str) -> list[str]:
    out = list(argv)
    for index, item in enumerate(out):
        if item == option and index + 1 < len(out):
            out[index + 1] = value
            return out
        if item.startswith(f"{option}="):
            out[index] = f"{option}={value}"
            return out
    return [*out, option, value]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_status(url: str, cookie: str | None = None, timeout: float = 30) -> int:
    request = urllib.request.Request(url)  # noqa: S310 - loopback only
    if cookie:
        request.add_header("Cookie", cookie)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def wait_until(check, *, timeout: float, what: str, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f"gave up waiting for {what}: the process exited")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"gave up waiting for {what} after {timeout:.0f} s")


# --- the report ---------------------------------------------------------------------


def verdict(value, limit, lower_is_better=True) -> str:
    if value is None:
        return "–"
    ok = value <= limit if lower_is_better else value >= limit
    return "ok" if ok else "MISS"


def ratio(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def page_checks(page: dict) -> list[str]:
    checks = [
        verdict(page.get("p95_ms"), TARGETS["page_p95_ms"]),
        verdict(page.get("queries"), TARGETS["page_queries"]),
        verdict(page.get("p99_over_p50"), TARGETS["page_p99_over_p50"]),
    ]
    if page.get("x_django_floor") is not None:
        checks.append(
            verdict(page["x_django_floor"], TARGETS["page_django_floor_ratio"], False)
        )
    else:
        checks.append(
            verdict(page.get("floor_ratio"), TARGETS["page_floor_ratio"], False)
        )
    return checks


def table(results: dict) -> str:
    lines = []
    scale = results["scale"]
    floor = results.get("floor", {})
    django = results.get("django_floor") or {}
    lines.append(
        f"## make bench SCALE={scale} · {results['date']} · "
        f"{results['machine'].get('cores')} cores, {results['machine'].get('cpu')}"
        + (
            f" · load average before: {results['machine'].get('load_before')}"
            if results["machine"].get("load_before")
            else ""
        )
    )
    lines.append("")
    if django:
        runs = ", ".join(
            f"{r['rps']} ({r['when'].split()[0]})" for r in django.get("runs", [])
        )
        lines.append(
            f"Django floor {django.get('path')} (bench/django_floor: stock "
            f"middleware, database sessions, a 20-row template): {django.get('rps')} "
            f"req/s [{runs}], p95 {django.get('p95_ms')} ms, "
            f"{django.get('queries')} queries."
        )
    x_django = floor.get("x_django_floor")
    lines.append(
        f"Portal floor page {floor.get('path')}: {floor.get('rps')} req/s, "
        f"{floor.get('queries')} queries (p95 {floor.get('before', {}).get('p95_ms')} "
        f"ms), {ratio(x_django)} × the Django floor "
        f"({verdict(x_django, TARGETS['portal_floor_django_ratio'], False)}, "
        f"target ≥ {TARGETS['portal_floor_django_ratio']})."
    )
    lines.append("")
    lines.append(
        "| page | role | req/s | p50 ms | p95 ms | p99 ms | p99/p50 | × Django floor "
        "| × portal floor | queries | check |"
    )
    lines.append(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    by_scale = results.get("queries_by_scale", {})
    for page in results.get("pages", []):
        if page.get("error"):
            lines.append(
                f"| {page['name']} | {page['role']} | – | – | – | – | – | – | – | "
                f"{page.get('queries', '–')} | ERROR: {page['error'][:80]} |"
            )
            continue
        checks = page_checks(page)
        queries = str(page.get("queries"))
        if "district" in by_scale:
            district = by_scale["district"].get(page["name"])
            queries += f" (district {district})"
            if district != page.get("queries"):
                checks.append("MISS")
        lines.append(
            f"| {page['name']} | {page['role']} | {page['rps']} | {page['p50_ms']} | "
            f"{page['p95_ms']} | {page['p99_ms']} | {page.get('p99_over_p50', '–')} | "
            f"{ratio(page.get('x_django_floor'))} | {ratio(page.get('floor_ratio'))} | "
            f"{queries} | {'ok' if all(c == 'ok' for c in checks) else 'MISS'} |"
        )
    lines.append(
        f"Targets: p95 ≤ {TARGETS['page_p95_ms']} ms, ≥ "
        f"{TARGETS['page_django_floor_ratio']} × the Django floor, p99 ≤ "
        f"{TARGETS['page_p99_over_p50']} × p50, ≤ {TARGETS['page_queries']} queries "
        "(the same at district and city scale)."
    )
    lines.append("")
    jobs = results.get("report_job", {})
    if jobs:
        lines.append(
            "| report job | units | builds | seconds (each) | median s | max s | "
            "SQL floor s | × floor (median / max) | files ready s (each) | "
            "files task s | peak RSS MB | queries | check |"
        )
        lines.append(
            "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- | --- | ---: | ---: "
            "| ---: | --- |"
        )
        for name in ("tiny", "district", "city"):
            job = jobs.get(name)
            if not job:
                continue
            floor_s = (job.get("sql_floor") or {}).get("seconds")
            checks = [
                verdict(job.get("wall_seconds_max"), TARGETS["report_seconds"]),
                verdict(job.get("floor_ratio_max"), TARGETS["report_floor_ratio"]),
                verdict(job.get("peak_rss_mb"), TARGETS["report_rss_mb"]),
            ]
            each = " / ".join(str(v) for v in job.get("wall_seconds_each", []))
            files = " / ".join(str(v) for v in job.get("files_wall_seconds_each", []))
            lines.append(
                f"| {name} quarter | {job.get('units')} | "
                f"{len(job.get('builds', []))} | {each} | {job.get('wall_seconds')} | "
                f"{job.get('wall_seconds_max')} | {floor_s} | "
                f"{job.get('floor_ratio')} / {job.get('floor_ratio_max')} | {files} | "
                f"{job.get('files_task_seconds')} | {job.get('peak_rss_mb')} | "
                f"{job.get('queries')} | "
                f"{'ok' if all(c == 'ok' for c in checks) else 'MISS'} |"
            )
        lines.append(
            f"Targets: every build ≤ {TARGETS['report_seconds']} s and ≤ "
            f"{TARGETS['report_floor_ratio']} × its SQL floor, peak RSS ≤ "
            f"{TARGETS['report_rss_mb']} MB. Files: the .xlsx and .pdf in both "
            "languages, made by the second task from the stored rows (seconds from "
            "the request until they are ready)."
        )
        growth = jobs.get("growth_city_over_district")
        if growth is not None:
            worst = jobs.get("growth_city_over_district_max")
            lines.append("")
            lines.append(
                f"City ÷ district report time, per build: "
                f"{jobs.get('growth_city_over_district_each')} (median {growth}, max "
                f"{worst}; {verdict(worst, TARGETS['report_growth'])}, target ≤ "
                f"{TARGETS['report_growth']})."
            )
        lines.append("")
    exports = results.get("exports", {})
    if exports:
        lines.append("| export | rows | seconds | peak RSS MB | size KB | check |")
        lines.append("| --- | ---: | ---: | ---: | ---: | --- |")
        for _name, export in exports.items():
            checks = [
                verdict(export.get("seconds"), TARGETS["export_seconds"]),
                verdict(export.get("peak_rss_mb"), TARGETS["export_rss_mb"]),
            ]
            lines.append(
                f"| {export.get('what')} | {export.get('rows', '–')} | "
                f"{export.get('seconds')} | {export.get('peak_rss_mb')} | "
                f"{round(export.get('bytes', 0) / 1024)} | "
                f"{'ok' if all(c == 'ok' for c in checks) else 'MISS'} |"
            )
        lines.append("")
    seed = results.get("seed", {}).get(scale, {})
    if seed:
        if seed.get("reused"):
            lines.append(f"Seed: reused the existing {scale} database.")
        else:
            lines.append(f"Seed: {seed.get('seconds')} s ({seed.get('counts')}).")
    return "\n".join(lines)


def misses(text: str) -> bool:
    return "MISS" in text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="tiny")
    parser.add_argument(
        "--duration", type=int, default=0, help="seconds of load per page"
    )
    parser.add_argument(
        "--db-prefix", default=os.environ.get("BENCH_DB_PREFIX", "bench_")
    )
    parser.add_argument("--job-timeout", type=float, default=900)
    parser.add_argument(
        "--builds",
        type=int,
        default=TARGETS["report_builds"],
        help="times the quarter report is built in a row (median and max printed)",
    )
    parser.add_argument(
        "--skip-district",
        action="store_true",
        help="at city scale, leave out the district comparison",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed"
    )
    args = parser.parse_args(argv)

    missing = [
        name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)
    ]
    if missing:
        print(
            "make bench needs a PostgreSQL server and a Redis: set "
            + " and ".join(missing)
            + ", e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres "
            "REDIS_URL=redis://127.0.0.1:6379/5 make bench SCALE=tiny\n"
            "The bench creates and uses its own databases (bench_<scale>) on that "
            "server; give it a Redis database that no other worker reads.",
            file=sys.stderr,
        )
        return 2
    if shutil.which("wrk") is None:
        print("make bench needs wrk (apt-get install wrk).", file=sys.stderr)
        return 2

    bench = Bench(args)
    started = time.perf_counter()
    status = 0
    try:
        bench.execute()
    except (BenchError, subprocess.TimeoutExpired) as exc:
        bench.failures.append(str(exc))
        log(f"FAILED: {exc}")
    except KeyboardInterrupt:
        bench.failures.append("interrupted")
    finally:
        bench.stop_all()
    bench.results["wall_seconds"] = round(time.perf_counter() - started, 1)
    bench.results["failures"] = bench.failures
    text = table(bench.results)
    print()
    print(text)
    print(f"\nWhole run: {bench.results['wall_seconds']} s.")
    names = ["results.json"]
    if args.scale != "tiny":
        names.append(f"results-{args.scale}.json")
    for name in names:
        (BENCH / name).write_text(
            json.dumps(bench.results, indent=2, ensure_ascii=False, default=str) + "\n"
        )
    if bench.failures:
        print("\nFailures:\n  " + "\n  ".join(bench.failures))
        status = 1
    elif args.strict and misses(text):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
