"""The benchmark's shared pieces: its constants, the figures' table and the
machine's description (bench/run.py runs it)."""

import datetime
import hashlib
import json
import os
import platform
import re
import shlex
import socket
import statistics
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
