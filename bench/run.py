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
   page's query count, and its throughput as a ratio to the floor page (the same
   stack with one cached template), measured before and after the pages;
5. the Procfile's Celery worker (with measuring hooks) builds the benchmark
   quarter's reports, asked for through the period page's service: seconds,
   peak RSS, queries, and the ratio to one hand-written SQL aggregate;
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
    "page_floor_ratio": 0.25,
    "page_queries": 20,
    "report_seconds": 10,
    "report_floor_ratio": 5,
    "report_rss_mb": 300,
    "report_growth": 12,
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
        web, base = self.start_web(url)
        try:
            if "error" in floor_target:
                raise BenchError(f"floor page: {floor_target['error']}")
            # Every gunicorn worker loads its code and templates on first use.
            if self.scale != "tiny":
                log("warming up every page")
                for target in [floor_target, *pages]:
                    if "error" not in target:
                        self.wrk(
                            base, target["path"], target["cookies"], WARMUP[self.scale]
                        )
            log("floor (before the pages)")
            floor_before = self.load(base, floor_target)
            measured = []
            for target in pages:
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
        finally:
            self.stop(web)
        floor_rps = (floor_before["rps"] + floor_after["rps"]) / 2
        for entry in measured:
            if entry.get("rps"):
                entry["floor_ratio"] = round(entry["rps"] / floor_rps, 3)
        self.results["floor"] = {
            "path": floor_target["path"],
            "queries": floor_target["queries"],
            "rps": round(floor_rps, 1),
            "before": floor_before,
            "after": floor_after,
        }
        self.results["pages"] = measured

    def count_queries_only(self, url: str, scale: str) -> None:
        log(f"{scale}: counting the pages' queries")
        targets = self.probe(url, "targets", "--sessions", "1")["targets"]
        self.results.setdefault("queries_by_scale", {})[scale] = {
            t["name"]: t.get("queries") for t in targets if t["kind"] != "floor"
        }

    def report_job(self, url: str, scale: str) -> dict:
        stats = self.logs / f"tasks-{scale}"
        shutil.rmtree(stats, ignore_errors=True)
        stats.mkdir(parents=True)
        worker = self.start_worker(url, stats)
        try:
            log(f"{scale}: quarter report job through the worker")
            figures = self.probe(
                url,
                "report",
                "--timeout",
                str(self.args.job_timeout),
                timeout=self.args.job_timeout + 300,
                BENCH_TASK_STATS=str(stats),
            )
        finally:
            self.stop(worker)
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
            city = self.results["report_job"]["city"]["wall_seconds"]
            base = self.results["report_job"]["district"]["wall_seconds"]
            if city and base:
                self.results["report_job"]["growth_city_over_district"] = round(
                    city / base, 1
                )


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


def table(results: dict) -> str:
    lines = []
    scale = results["scale"]
    floor = results.get("floor", {})
    lines.append(
        f"## make bench SCALE={scale} · {results['date']} · "
        f"{results['machine'].get('cores')} cores, {results['machine'].get('cpu')}"
    )
    lines.append("")
    lines.append(
        f"Floor page {floor.get('path')}: {floor.get('rps')} req/s, "
        f"{floor.get('queries')} queries (p95 {floor.get('before', {}).get('p95_ms')} ms)."
    )
    lines.append("")
    lines.append(
        "| page | role | req/s | p50 ms | p95 ms | p99 ms | × floor | queries | check |"
    )
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    by_scale = results.get("queries_by_scale", {})
    for page in results.get("pages", []):
        if page.get("error"):
            lines.append(
                f"| {page['name']} | {page['role']} | – | – | – | – | – | "
                f"{page.get('queries', '–')} | ERROR: {page['error'][:80]} |"
            )
            continue
        checks = [
            verdict(page["p95_ms"], TARGETS["page_p95_ms"]),
            verdict(page.get("floor_ratio"), TARGETS["page_floor_ratio"], False),
            verdict(page.get("queries"), TARGETS["page_queries"]),
        ]
        queries = str(page.get("queries"))
        if "district" in by_scale:
            district = by_scale["district"].get(page["name"])
            queries += f" (district {district})"
            if district != page.get("queries"):
                checks.append("MISS")
        lines.append(
            f"| {page['name']} | {page['role']} | {page['rps']} | {page['p50_ms']} | "
            f"{page['p95_ms']} | {page['p99_ms']} | {page.get('floor_ratio')} | "
            f"{queries} | {'ok' if all(c == 'ok' for c in checks) else 'MISS'} |"
        )
    lines.append("")
    jobs = results.get("report_job", {})
    if jobs:
        lines.append(
            "| report job | units | seconds | task s | peak RSS MB | queries | "
            "SQL floor s | × floor | check |"
        )
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for name in ("tiny", "district", "city"):
            job = jobs.get(name)
            if not job:
                continue
            floor_s = (job.get("sql_floor") or {}).get("seconds")
            checks = [
                verdict(job.get("wall_seconds"), TARGETS["report_seconds"]),
                verdict(job.get("floor_ratio"), TARGETS["report_floor_ratio"]),
                verdict(job.get("peak_rss_mb"), TARGETS["report_rss_mb"]),
            ]
            lines.append(
                f"| {name} quarter | {job.get('units')} | {job.get('wall_seconds')} | "
                f"{job.get('task_seconds')} | {job.get('peak_rss_mb')} | "
                f"{job.get('queries')} | {floor_s} | {job.get('floor_ratio')} | "
                f"{'ok' if all(c == 'ok' for c in checks) else 'MISS'} |"
            )
        for name in ("tiny", "district", "city"):
            job = jobs.get(name)
            if job and job.get("files_wall_seconds") is not None:
                lines.append(
                    f"{name}: the report files (.xlsx and .pdf, two languages) were "
                    f"ready {job['files_wall_seconds']} s after the snapshot "
                    f"(tasks {job.get('files_task_seconds')} s, peak RSS "
                    f"{job.get('files_peak_rss_mb')} MB)."
                )
        growth = jobs.get("growth_city_over_district")
        if growth is not None:
            lines.append("")
            lines.append(
                f"City ÷ district report time: {growth} "
                f"({verdict(growth, TARGETS['report_growth'])}, target ≤ "
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
