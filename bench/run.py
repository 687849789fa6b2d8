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
   WEB_WORKERS = cores + 1 as the README says, on a free loopback port;
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
import datetime
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run as a script (python bench/run.py): the project's root holds the bench package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The bench's tests read these two from this script.
from bench.common import (  # noqa: E402  # noqa: E402,F401 (tests read them here)  # noqa: E402, F401
    BENCH,
    CONNECTIONS,
    DURATION,
    SCALES,
    TARGETS,
    WARMUP,
    BenchError,
    http_status,
    log,
    machine,
    misses,
    parse_json_line,
    procfile_argv,
    replace_option,
    summarise_builds,
    table,
)
from bench.serving import Serving  # noqa: E402

# What the bench's tests read from this script.
__all__ = [
    "Bench",
    "main",
    "misses",
    "procfile_argv",
    "replace_option",
    "summarise_builds",
    "table",
]


class Bench(Serving):
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
        if self.args.pages_only:
            return
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
        "--pages-only",
        action="store_true",
        help="measure the pages and floors only (no report job, exports or district)",
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
    # A partial run (--pages-only) does not replace the scale's full figures.
    if args.scale != "tiny" and not args.pages_only:
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
