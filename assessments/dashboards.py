"""The assessment dashboard: what it shows of one report, read from the snapshot.

A finished report does not change until it is rebuilt, and a rebuild gives it a new
``finished_at``. The dashboard's figures and charts are therefore computed once per
report, peer group and language, and kept in the cache under the report's id and
build time (``unionportal.cache``), and the periods offered under their version
(``pages.periods_version``): a page view costs that version and cache reads, and
a rebuilt report is never shown with the old figures. A computation reads
a fixed number of rows whatever the size of the report (the first of a ranking, the
largest falls), never every row.
"""

from urllib.parse import urlencode

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from unionportal.cache import cached_part, reader_part
from unions.models import Union
from unions.selectors import data_version as unions_version

from . import pages, selectors, sources
from .explain import local_name
from .models import Grade, Period, QuarterReport, QuarterReportRow, UnitLevel

RANKING_ROWS = 10  # the first of the ranking; the report page has them all
TREND_LINES = 8  # the best-ranked units drawn over the quarters, with the average
FALLS = 5
OVERDUE_ROWS = 10

GRADE_COLOURS = {
    "excellent": "#198754",
    "good": "#0d6efd",
    "qualified": "#0dcaf0",
    "unqualified": "#dc3545",
}

ROW_FIELDS = (
    "unit",
    "unit__name_zh",
    "unit__name_en",
    "peer_group",
    "total",
    "grade",
    "veto",
    "rank",
    "previous_total",
    "change",
    "overdue_months",
)


def dashboard_periods(user) -> list[Period]:
    """``selectors.dashboard_periods``, kept per reader (their scope and roles
    choose the periods and the version each reads) under the periods' and
    reports' version and the unions' (an owner moved in the tree changes who
    reads the provisional version): one query and its compiling, 3 ms at city
    scale, on every view otherwise."""
    return cached_part(
        "assessments:dashboard_periods",
        (reader_part(user), pages.periods_version(), unions_version()),
        lambda: selectors.dashboard_periods(user),
    )


def dashboard_part(report: QuarterReport, group: str | None, request) -> dict:
    """The peer groups to choose from, the chosen one (the first when ``group``
    is not one of them), and the dashboard's body rendered, for a finished report.
    Both are cached under the report's build."""
    version = (report.pk, str(report.finished_at), report.unit_count)
    groups: list = []
    if report.period.scheme.unit_level == UnitLevel.GRASSROOTS:
        groups = report_groups(report)
        if group not in dict(groups):
            group = groups[0][0] if groups else None
    else:
        group = None
    part = cached_part(
        "assessments:dashboard",
        (*version, group),
        lambda: _render(report.pk, groups, group, request),
        timeout=3600,
    )
    return {"groups": groups, "group": group, **part}


def _render(report_pk: int, groups: list, group: str | None, request) -> dict:
    data = dashboard_data(
        QuarterReport.objects.select_related("period__scheme").get(pk=report_pk),
        group,
        groups=groups,
    )
    body = render_to_string("assessments/partials/dashboard_body.html", data, request)
    return {"summary": data["summary"], "body": body}


def report_groups(report: QuarterReport) -> list[tuple[str, str]]:
    """``peer_groups`` of a finished report, cached under its build."""
    return cached_part(
        "assessments:report_groups",
        (report.pk, str(report.finished_at), report.unit_count),
        lambda: peer_groups(report),
        timeout=3600,
    )


def peer_groups(report: QuarterReport) -> list[tuple[str, str]]:
    """(peer group, sub-district union's name) of a report, in the order of the
    unions' codes; "–" for the one group of a sub-district report (2 queries)."""
    keys = dict(
        QuarterReportRow.objects.filter(report=report)
        .values_list("peer_group", "peer_union_id")
        .distinct()
        .order_by()
    )
    unions = Union.objects.only("name_zh", "name_en", "code").in_bulk(
        [pk for pk in keys.values() if pk]
    )
    ordered = sorted(
        keys.items(),
        key=lambda item: (unions[item[1]].code if item[1] in unions else "", item[0]),
    )
    return [(key, unions[pk].name if pk in unions else "–") for key, pk in ordered]


def dashboard_data(
    report: QuarterReport, group: str | None, *, groups: list | None = None
) -> dict:
    """Everything the dashboard shows for one report, for the peer group ``group``
    of a grassroots report (the first when it is not one of ``groups``, read when
    not given). A fixed number of queries: 8 at most."""
    period = report.period
    level = period.scheme.unit_level
    summary = report.summary or {}
    rules = report.rules or {}
    if level == UnitLevel.GRASSROOTS:
        if groups is None:
            groups = peer_groups(report)
        if group not in dict(groups):
            group = groups[0][0] if groups else None
    else:
        groups, group = [], None
    rows = QuarterReportRow.objects.filter(report=report).select_related("unit")
    in_group = rows.filter(peer_group=group) if group else rows
    ranking = list(
        in_group.only(*ROW_FIELDS).order_by("rank", "unit__code")[:RANKING_ROWS]
    )
    ranked = (
        summary.get("peer_groups", {}).get(group, {}).get("count")
        if group
        else summary.get("count")
    )
    grades = summary.get("grades", {})
    categories = {c["id"]: c for c in rules.get("categories", [])}
    # Every number is a door (issue 16): each figure carries the link to the
    # filtered list of what it counts.
    report_url = reverse("assessments:report_detail", args=[report.pk])
    rows_url = report_url + (f"?{urlencode({'group': group})}" if group else "")
    category_items = [
        {
            "name": local_name(categories.get(item["id"], {})),
            "average": item["average"],
            "max": item["max"],
            "percent": item["percent"],
            "url": rows_url,
        }
        for item in summary.get("categories", [])
    ]
    fell = list(
        rows.filter(change__lt=0)
        .only(*ROW_FIELDS)
        .order_by("change", "unit__path")[:FALLS]
    )
    overdue = list(
        rows.filter(overdue_months__gt=0)
        .only(*ROW_FIELDS)
        .order_by("-overdue_months", "unit__path")[:OVERDUE_ROWS]
    )
    overdue_units = summary.get("overdue_units")
    if overdue_units is None:
        overdue_units = rows.filter(overdue_months__gt=0).count()
    key_work_units = summary.get("key_work", {}).get("units")
    if key_work_units is None:
        key_work_units = rows.filter(key_work_ratio__isnull=False).count()
    return {
        "report": report,
        "period": period,
        "level": level,
        "groups": groups,
        "group": group,
        "summary": summary,
        "ranking": ranking,
        "ranked": ranked if ranked is not None else len(ranking),
        "grade_counts": [
            (value, label, grades.get(value, 0)) for value, label in Grade.choices
        ],
        "grade_chart": _grade_chart(grades, report_url),
        "rows_url": rows_url,
        "category_items": category_items,
        "category_chart": _category_chart(category_items) if category_items else None,
        "trend_chart": _trend(report, ranking[:TREND_LINES], group),
        "trend_lines": min(len(ranking), TREND_LINES),
        "fell": fell,
        "overdue": overdue,
        "overdue_more": max(overdue_units - len(overdue), 0),
        "key_work": [
            {
                "name": sources.category_label(item["category"]),
                "percent": item["percent"],
                "projects": item["projects"],
                "url": key_work_url(period, item["category"]),
            }
            for item in summary.get("key_work_categories", [])
        ],
        "key_work_units": key_work_units,
    }


def key_work_url(period: Period, category: str) -> str:
    """The project list showing the projects a key-work bar counts
    (``sources.key_work_by_category``): the category's projects of the year's
    published or closed plans, owned by the assessed level, started by the end."""
    query = {
        "category": category,
        "year": period.scheme.year,
        "level": period.scheme.unit_level,
        "started_by": period.end.isoformat(),
    }
    return f"{reverse('planning:project_list')}?{urlencode(query)}"


def _grade_chart(grades: dict, report_url: str) -> dict:
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "70%"],
                "label": {"position": "inside", "formatter": "{c}", "color": "#fff"},
                "data": [
                    {
                        "name": str(label),
                        "value": grades.get(value, 0),
                        "itemStyle": {"color": GRADE_COLOURS[value]},
                        "url": f"{report_url}?grade={value}",
                    }
                    for value, label in Grade.choices
                    if grades.get(value, 0)
                ],
            }
        ],
    }


def _category_chart(category_items: list[dict]) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 40, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [item["name"] for item in category_items],
            "axisLabel": {"width": 150, "overflow": "break"},
        },
        "series": [
            {
                "type": "bar",
                "name": _("Average achieved"),
                "data": [
                    {"value": item["percent"], "url": item["url"]}
                    for item in category_items
                ],
                "itemStyle": {"color": "#a4231b"},
                "barMaxWidth": 28,
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            }
        ],
    }


def _one_version_per_period(report: QuarterReport, candidates: list) -> list:
    """One version a period, in order: ``report`` itself for its own period, the
    published version of every other (the latest where none was published)."""
    chosen: dict = {}
    for candidate in candidates:
        if candidate.period_id == report.period_id:
            if candidate.pk == report.pk:
                chosen[candidate.period_id] = candidate
            continue
        held = chosen.get(candidate.period_id)
        if held is None or (candidate.is_published and not held.is_published):
            chosen[candidate.period_id] = candidate
    return list(chosen.values())


def _trend(report: QuarterReport, top: list[QuarterReportRow], group: str | None):
    """Totals over the quarters up to this one (2 queries): the average of the
    ranking (of its peer group, for grassroots reports) from each quarter's
    summary, and a line for each of the best-ranked units. Drawing every unit
    would put hundreds of lines, and their numbers, into the page."""
    period = report.period
    scheme = period.scheme
    candidates = list(
        QuarterReport.objects.filter(
            Q(is_published=True) | Q(is_current=True),
            status=QuarterReport.Status.DONE,
            period__kind__in=Period.QUARTERS,
            period__scheme__owner_id=scheme.owner_id,
            period__scheme__unit_level=scheme.unit_level,
            period__start__lte=period.end,
            period__scheme__year__gte=scheme.year - 1,
        )
        .select_related("period__scheme")
        .only(
            "summary",
            "is_published",
            "period__kind",
            "period__start",
            "period__scheme__year",
        )
        .order_by("period__start")
    )
    reports = _one_version_per_period(report, candidates)
    labels = [
        f"{r.period.scheme.year} {Period.Kind(r.period.kind).label}" for r in reports
    ]
    averages = []
    for r in reports:
        summary = r.summary or {}
        if group is not None:
            summary = summary.get("peer_groups", {}).get(group, {})
        average = summary.get("average")
        averages.append(float(average) if average not in (None, "") else None)
    totals: dict = {}
    if top:
        for report_id, unit_id, total in QuarterReportRow.objects.filter(
            report_id__in=[r.pk for r in reports],
            unit_id__in=[row.unit_id for row in top],
        ).values_list("report_id", "unit_id", "total"):
            totals[(report_id, unit_id)] = float(total)
    series = [
        {
            "name": row.unit.name,
            "type": "line",
            "smooth": True,
            "connectNulls": True,
            "data": [totals.get((r.pk, row.unit_id)) for r in reports],
        }
        for row in top
    ]
    if not series:
        return None
    series.append(
        {
            "name": _("Average total"),
            "type": "line",
            "connectNulls": True,
            "lineStyle": {"type": "dashed", "width": 3, "color": "#6c757d"},
            "itemStyle": {"color": "#6c757d"},
            "data": averages,
        }
    )
    values = [v for s in series for v in s["data"] if v is not None]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": 100 if all(v <= 100 for v in values) else 120,
        },
        "series": series,
    }
