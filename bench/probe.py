"""The Django side of ``make bench``, run by ``bench/run.py`` as
``python -m bench.probe <command>`` against a seeded bench database.

- ``targets``: signs the personas in (sessions for the load generator), picks the
  pages and their ids, and counts each page's queries through the whole stack
  (Django's test client, second request, so the session and caches are warm);
- ``report``: asks for the benchmark quarter's reports through the service the
  period page uses (so the job goes through Redis to the real worker), waits for
  the snapshots (``wall_seconds``, ``tasks``) and then for the files job each
  snapshot enqueues (``files_wall_seconds``, ``files_tasks``, ``files``), and times
  the hand-written SQL floor computing the same totals;
- ``export``: one export in a fresh process: seconds and peak RSS.

Each command prints one line ``BENCH_JSON {...}`` for the runner.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

PAGES = [
    # (name, role, how to find the URL)
    ("dashboard", "leader", "dashboard"),
    ("projects (filtered)", "reviewer", "projects"),
    ("project detail", "cadre", "project"),
    ("progress review", "reviewer", "review"),
    ("unions", "admin", "unions"),
    ("terms", "admin", "terms"),
    ("report detail", "leader", "report"),
    ("API progress reports", "reviewer", "api"),
    ("home (reviewer)", "reviewer", "home"),
    ("home (cadre)", "cadre", "home"),
]
FLOOR = ("floor", "cadre", "floor")


def _emit(payload: dict) -> None:
    sys.stdout.write("BENCH_JSON " + json.dumps(payload, default=str) + "\n")
    sys.stdout.flush()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def _persona(key: str):
    from accounts.models import User

    from .seed.world import USER_PREFIX

    return User.objects.select_related("union").get(username=f"{USER_PREFIX}{key}")


def _bench_quarter_reports():
    """The root's finished grassroots and sub-district reports, newest first."""
    from assessments.models import QuarterReport

    return list(
        QuarterReport.objects.filter(status="done", period__kind__startswith="q")
        .select_related("period__scheme")
        .order_by("-period__start", "-unit_count")
    )


def _path_for(kind: str) -> str | None:
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from planning.models import KeyWorkProject

    try:
        if kind == "home":
            return reverse("home")
        if kind == "dashboard":
            return reverse("assessments:dashboard")
        if kind == "projects":
            return reverse("planning:project_list") + "?status=delayed&category=service"
        if kind == "project":
            cadre = _persona("cadre")
            project = (
                KeyWorkProject.objects.filter(
                    owner=cadre.union, due_date__year=timezone.localdate().year
                )
                .order_by("due_date", "pk")
                .first()
            )
            return reverse("planning:project_detail", args=[project.pk])
        if kind == "review":
            return reverse("planning:review_queue")
        if kind == "unions":
            return reverse("unions:union_list")
        if kind == "terms":
            return reverse("unions:term_dashboard")
        if kind == "report":
            reports = _bench_quarter_reports()
            return reverse("assessments:report_detail", args=[reports[0].pk])
        if kind == "api":
            return "/api/v1/progress-reports/"
        if kind == "floor":
            return reverse("bench_floor")
    except (NoReverseMatch, AttributeError, IndexError):
        return None
    return None


def _sign_in(user, count: int) -> list[str]:
    """``count`` separate sessions for the user, as the load generator's cookies."""
    from django.conf import settings
    from django.test import Client

    cookies = []
    for _n in range(count):
        client = Client()
        client.force_login(user, backend="accounts.backends.UnionModelBackend")
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={key}")
    return cookies


def _count_queries(path: str, cookie: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    name, _equals, value = cookie.partition("=")
    client = Client()
    client.cookies[name] = value
    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return {
        "status": response.status_code,
        "first_status": first.status_code,
        "location": response.get("Location", ""),
        "queries": len(queries.captured_queries),
        "bytes": len(body),
        "single_request_ms": round(seconds * 1000, 1),
        "slowest_queries": [
            {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]}
            for q in slowest
        ],
    }


def command_targets(args) -> None:
    _setup()
    results = []
    for name, role, kind in [*PAGES, FLOOR]:
        entry = {"name": name, "role": role, "kind": kind}
        path = _path_for(kind)
        if path is None:
            entry["error"] = "URL not available (view or data missing)"
            results.append(entry)
            continue
        user = _persona(role)
        cookies = _sign_in(user, args.sessions)
        entry.update(path=path, cookies=cookies, **_count_queries(path, cookies[0]))
        if entry["status"] != 200:
            entry["error"] = f"answered {entry['status']} {entry['location']}".strip()
        results.append(entry)
    _emit({"targets": results})


def _quarter_periods():
    """The benchmark quarter: the root's closed quarter periods (both levels)."""
    from assessments.models import Period

    periods = list(
        Period.objects.filter(status="closed", kind__startswith="q")
        .select_related("scheme__owner")
        .order_by("-start", "scheme__unit_level")
    )
    if not periods:
        return []
    latest = periods[0].start
    return [p for p in periods if p.start == latest]


def command_report(args) -> None:
    _setup()
    from django.core.exceptions import ValidationError

    from assessments.models import QuarterReport
    from assessments.services.reports import report_request

    periods = _quarter_periods()
    if not periods:
        _emit({"error": "no closed quarter to build"})
        return
    admin = _persona("admin")
    stats_dir = Path(os.environ["BENCH_TASK_STATS"])
    before = {p.name for p in stats_dir.glob("*.json")}
    started = time.perf_counter()
    refused = []
    # The versions this build makes: earlier builds' versions are kept, and
    # their units must not be counted again.
    requested = []
    for period in periods:
        try:
            requested.append(report_request(period=period, by=admin).pk)
        except ValidationError as exc:  # e.g. a build left running by a killed worker
            refused.append({"period": period.pk, "reason": exc.messages})
    if not requested:
        _emit({"error": "every build was refused", "refused": refused})
        return
    deadline = started + args.timeout
    reports = []
    wall = files_wall = None
    while time.perf_counter() < deadline:
        reports = list(
            QuarterReport.objects.filter(pk__in=requested).values(
                "pk",
                "status",
                "unit_count",
                "error",
                "finished_at",
                "files_status",
                "files_error",
            )
        )
        finished = reports and all(r["status"] in ("done", "failed") for r in reports)
        if finished and wall is None:
            wall = time.perf_counter() - started
        if finished and all(
            r["status"] == "failed" or r["files_status"] in ("done", "failed")
            for r in reports
        ):
            files_wall = time.perf_counter() - started
            break
        time.sleep(0.1)
    timed_out = wall is None
    wall = time.perf_counter() - started if wall is None else wall
    # The worker writes its figures just after each task returns: a snapshot task
    # and a files task per report.
    records = []
    for _attempt in range(50):
        records = [
            json.loads(p.read_text(encoding="utf-8"))
            for p in stats_dir.glob("*.json")
            if p.name not in before
        ]
        if len(records) >= 2 * len(periods):
            break
        time.sleep(0.1)
    tasks = [r for r in records if not r.get("task", "").endswith("files_task")]
    files_tasks = [r for r in records if r.get("task", "").endswith("files_task")]
    floor = sql_floor(periods, repeat=args.floor_repeat)
    _emit(
        {
            "periods": [
                {
                    "id": p.pk,
                    "label": f"{p.scheme.year} {p.kind}",
                    "level": p.scheme.unit_level,
                }
                for p in periods
            ],
            "reports": reports,
            "wall_seconds": round(wall, 2),
            "tasks": tasks,
            "files_wall_seconds": None if files_wall is None else round(files_wall, 2),
            "files_tasks": files_tasks,
            "files": [
                {
                    "report": r["pk"],
                    "status": r["files_status"],
                    "error": r["files_error"],
                }
                for r in reports
            ],
            "sql_floor": floor,
            "timed_out": timed_out,
            "refused": refused,
        }
    )


# The floor of the report job: one hand-written statement that computes, per unit,
# what the job's totals are made of (manual points by kind with clamping, the
# automatic indicators' facts, the base rescaled, total, grade and dense rank within
# the peer group) for one period. It writes nothing and makes no files.
FLOOR_SQL = """
WITH units AS (
    SELECT u.id, u.parent_id
    FROM unions_union u
    JOIN unions_union o ON o.id = %(owner)s
    WHERE u.path LIKE o.path || '%%' AND u.is_active
      AND u.kind = ANY(%(kinds)s)
),
ind AS (
    SELECT id, kind, method, max_points, params FROM assessments_indicator
    WHERE scheme_id = %(scheme)s
),
manual AS (
    SELECT s.unit_id,
        SUM(LEAST(GREATEST(COALESCE(s.reviewed_score, s.self_score, 0), 0), i.max_points))
            FILTER (WHERE i.kind = 'base') AS base,
        SUM(LEAST(GREATEST(COALESCE(s.reviewed_score, s.self_score, 0), 0), i.max_points))
            FILTER (WHERE i.kind = 'bonus') AS bonus,
        SUM(LEAST(GREATEST(COALESCE(s.reviewed_score, s.self_score, 0), 0), i.max_points))
            FILTER (WHERE i.kind = 'deduction') AS deduction,
        BOOL_OR(i.kind = 'veto' AND COALESCE(s.reviewed_score, s.self_score, 0) >= 1)
            AS veto
    FROM assessments_score s JOIN ind i ON i.id = s.indicator_id
    WHERE s.period_id = %(period)s AND i.method = 'manual'
    GROUP BY s.unit_id
),
events AS (
    SELECT e.union_id,
        COUNT(*) FILTER (WHERE e.kind = 'activity') AS held,
        COALESCE(SUM(e.trainees) FILTER (WHERE e.kind = 'training'), 0) AS trainees,
        COUNT(*) FILTER (WHERE e.kind = 'publicity') AS publicity
    FROM planning_activityevent e JOIN units ON units.id = e.union_id
    WHERE e.date BETWEEN %(start)s AND %(end)s
    GROUP BY e.union_id
),
latest AS (
    SELECT DISTINCT ON (r.project_id) r.project_id, r.achieved_value
    FROM planning_progressreport r
    JOIN planning_keyworkproject p ON p.id = r.project_id AND r.union_id = p.owner_id
    JOIN units ON units.id = p.owner_id
    WHERE r.status = 'approved' AND r.period_end <= %(end)s
      AND p.due_date <= %(end)s
    ORDER BY r.project_id, r.period_start DESC
),
keywork AS (
    SELECT p.owner_id AS union_id,
        SUM(p.weight * LEAST(COALESCE(l.achieved_value, 0) / p.target_value, 1))
            / NULLIF(SUM(p.weight), 0) AS ratio
    FROM planning_keyworkproject p JOIN units ON units.id = p.owner_id
    LEFT JOIN latest l ON l.project_id = p.id
    WHERE p.due_date <= %(end)s
    GROUP BY p.owner_id
),
timely AS (
    SELECT r.union_id, COUNT(*) AS due,
        COUNT(*) FILTER (WHERE r.first_submitted_at::date <= r.deadline) AS on_time
    FROM planning_progressreport r JOIN units ON units.id = r.union_id
    WHERE r.deadline BETWEEN %(start)s AND %(end)s
    GROUP BY r.union_id
),
overdue AS (
    SELECT t.union_id,
        MAX((DATE_PART('year', AGE(%(end)s::date, t.planned_end)) * 12
            + DATE_PART('month', AGE(%(end)s::date, t.planned_end)))::int) AS months
    FROM unions_officeterm t JOIN units ON units.id = t.union_id
    WHERE t.start <= %(end)s AND t.planned_end < %(end)s
      AND (t.actual_end IS NULL OR t.actual_end > %(end)s)
    GROUP BY t.union_id
),
totals AS (
    SELECT units.id, units.parent_id,
        LEAST(100, COALESCE(m.base, 0)
            + 15 * COALESCE(k.ratio, 1)
            + 5 * COALESCE(t.on_time::numeric / NULLIF(t.due, 0), 1)
            + 10 * LEAST(COALESCE(e.held, 0) / 3.0, 1)
            + 5 * LEAST(COALESCE(e.trainees, 0) / 30.0, 1)
            + GREATEST(5 - COALESCE(o.months, 0), 0))
        + LEAST(5, COALESCE(m.bonus, 0) + LEAST(COALESCE(e.publicity, 0), 3))
        - COALESCE(m.deduction, 0) AS total,
        COALESCE(m.veto, false) AS veto
    FROM units
    LEFT JOIN manual m ON m.unit_id = units.id
    LEFT JOIN events e ON e.union_id = units.id
    LEFT JOIN keywork k ON k.union_id = units.id
    LEFT JOIN timely t ON t.union_id = units.id
    LEFT JOIN overdue o ON o.union_id = units.id
)
SELECT id, GREATEST(total, 0) AS total,
    CASE WHEN veto OR total < 60 THEN 'unqualified' WHEN total >= 90 THEN 'excellent'
         WHEN total >= 80 THEN 'good' ELSE 'qualified' END AS grade,
    DENSE_RANK() OVER (
        PARTITION BY CASE WHEN %(by_parent)s THEN parent_id END ORDER BY total DESC
    ) AS rank
FROM totals
"""


def sql_floor(periods, repeat: int = 3) -> dict:
    """Times FLOOR_SQL for the periods (median of ``repeat`` runs)."""
    from django.db import connection

    runs = []
    rows = 0
    for _n in range(repeat):
        started = time.perf_counter()
        rows = 0
        for period in periods:
            grassroots = period.scheme.unit_level == "grassroots"
            params = {
                "owner": period.scheme.owner_id,
                "kinds": ["enterprise", "community"] if grassroots else ["subdistrict"],
                "scheme": period.scheme_id,
                "period": period.pk,
                "start": period.start,
                "end": period.end,
                "by_parent": grassroots,
            }
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, params)
                rows += len(cursor.fetchall())
        runs.append(time.perf_counter() - started)
    return {
        "seconds": round(statistics.median(runs), 3),
        "runs": [round(r, 3) for r in runs],
        "rows": rows,
        "queries": len(periods),
    }


def command_export(args) -> None:
    _setup()
    from .worker import proc_status_kb, reset_peak_rss

    rss_before = proc_status_kb("VmRSS")
    if args.kind == "report":
        payload = _export_reports(reset_peak_rss)
    else:
        payload = _export_projects(reset_peak_rss)
    payload.update(
        rss_before_mb=round(rss_before / 1024, 1),
        peak_rss_mb=round(proc_status_kb("VmHWM") / 1024, 1),
    )
    _emit(payload)


def _export_reports(reset_peak) -> dict:
    """The .xlsx of the whole benchmark quarter (every level), made by the files
    job's own export function, streamed from the stored snapshot rows."""
    from assessments import exports
    from assessments.models import QuarterReport

    # The benchmark quarter's reports, or else the newest finished report of each
    # level (the seed's snapshot of the quarter before).
    reports = []
    for level in ("grassroots", "subdistrict"):
        report = (
            QuarterReport.objects.filter(
                status="done",
                period__kind__startswith="q",
                period__scheme__unit_level=level,
            )
            .select_related("period__scheme")
            .order_by("-period__start")
            .first()
        )
        if report is not None:
            reports.append(report)
    reset_peak()
    started = time.perf_counter()
    rows_total = 0
    size = 0
    for report in reports:
        rows_total += report.unit_count
        path = exports.report_xlsx_file(report, language="zh-hans")
        try:
            size += os.path.getsize(path)
        finally:
            os.remove(path)
    return {
        "what": "report xlsx",
        "reports": len(reports),
        "rows": rows_total,
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _export_projects(reset_peak) -> dict:
    from django.test import Client
    from django.urls import reverse

    user = _persona("leader")
    client = Client()
    client.force_login(user, backend="accounts.backends.UnionModelBackend")
    path = reverse("planning:project_export") + "?status=delayed"
    reset_peak()
    started = time.perf_counter()
    response = client.get(path)
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    return {
        "what": "project list xlsx",
        "path": path,
        "status": response.status_code,
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    commands = parser.add_subparsers(dest="command", required=True)
    targets = commands.add_parser("targets")
    targets.add_argument("--sessions", type=int, default=8)
    report = commands.add_parser("report")
    report.add_argument("--timeout", type=float, default=600)
    report.add_argument("--floor-repeat", type=int, default=3)
    export = commands.add_parser("export")
    export.add_argument("kind", choices=["report", "projects"])
    args = parser.parse_args(argv)
    {"targets": command_targets, "report": command_report, "export": command_export}[
        args.command
    ](args)


if __name__ == "__main__":
    main()
