"""Reads for the assessment pages, each a fixed number of queries.

Dashboards and scorecards read report snapshots only (``QuarterReport`` and its
rows); they never compute scores while a page is served.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery, Sum

from unions.models import Union

from . import sources
from .explain import explain, local_name
from .models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    QuarterReport,
    QuarterReportRow,
    Scheme,
    Score,
    UnitLevel,
)

VISIBLE_TO_UNITS = (Period.Status.PUBLISHED, Period.Status.LOCKED)


def may_see_provisional(user, unit: Union | None = None) -> bool:
    """Leaders and admins see results before publication; so do reviewers, for the
    units below them. Everyone else sees published results only."""
    if user.has_role("leader", "admin"):
        return True
    if unit is not None and user.has_role("reviewer") and user.union_id:
        return unit.pk != user.union_id and unit.path.startswith(user.union.path)
    return False


# --- schemes ------------------------------------------------------------------------


def scheme_list(user):
    return (
        Scheme.objects.visible_to(user)
        .select_related("owner", "copied_from")
        .annotate(
            indicator_count=Count("indicators", distinct=True),
            period_count=Count("periods", distinct=True),
            # A subquery: summed over the joins above, the points would be
            # counted once per period.
            base_total=Subquery(
                Indicator.objects.filter(
                    scheme=OuterRef("pk"), kind=Indicator.Kind.BASE
                )
                .values("scheme")
                .annotate(total=Sum("max_points"))
                .values("total")
            ),
        )
        .order_by("-year", "unit_level", "pk")
    )


def scheme_categories(scheme: Scheme, user) -> list[IndicatorCategory]:
    """Categories with their indicators and the exemptions the user may see."""
    exemptions = IndicatorExemption.objects.visible_to(user).select_related("unit")
    indicators = Indicator.objects.order_by("order", "pk").prefetch_related(
        Prefetch("exemptions", queryset=exemptions)
    )
    return list(
        IndicatorCategory.objects.filter(scheme=scheme)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("indicators", queryset=indicators))
    )


def scheme_periods(scheme: Scheme) -> list[Period]:
    periods = list(
        Period.objects.filter(scheme=scheme).select_related("report", "scheme")
    )
    return sorted(periods, key=lambda p: p.sort_key)


# --- periods and scoring ----------------------------------------------------------------


@dataclass
class UnitProgress:
    unit: Union
    manual: int
    self_scored: int
    reviewed: int
    waiting: int

    @property
    def self_percent(self) -> int:
        return round(100 * self.self_scored / self.manual) if self.manual else 100


def period_unit_progress(period: Period, units: list[Union]) -> list[UnitProgress]:
    """Per unit: how many manual indicators are self-scored and reviewed (2 queries)."""
    manual = Indicator.objects.filter(
        scheme_id=period.scheme_id, method=Indicator.Method.MANUAL
    ).count()
    counts = {
        row["unit_id"]: row
        for row in Score.objects.filter(period=period, unit__in=[u.pk for u in units])
        .values("unit_id")
        .annotate(
            self_scored=Count("pk", filter=Q(self_score__isnull=False)),
            reviewed=Count("pk", filter=Q(reviewed_score__isnull=False)),
        )
    }
    result = []
    for unit in units:
        row = counts.get(unit.pk, {})
        self_scored = row.get("self_scored", 0)
        reviewed = row.get("reviewed", 0)
        result.append(
            UnitProgress(
                unit=unit,
                manual=manual,
                self_scored=self_scored,
                reviewed=reviewed,
                waiting=max(self_scored - reviewed, 0),
            )
        )
    return result


def scoring_rows(period: Period, unit: Union) -> list[dict]:
    """The scoring page: each indicator with the unit's score and exemption (3 queries)."""
    indicators = list(
        Indicator.objects.filter(scheme_id=period.scheme_id)
        .select_related("category")
        .order_by("category__order", "category_id", "order", "pk")
    )
    scores = {
        s.indicator_id: s
        for s in Score.objects.filter(period=period, unit=unit).select_related(
            "self_by", "reviewed_by"
        )
    }
    exempt = dict(
        IndicatorExemption.objects.filter(
            indicator__scheme_id=period.scheme_id, unit=unit
        ).values_list("indicator_id", "reason")
    )
    return [
        {
            "indicator": indicator,
            "score": scores.get(indicator.pk),
            "exempt_reason": exempt.get(indicator.pk),
        }
        for indicator in indicators
    ]


# --- reports --------------------------------------------------------------------------


def report_list(user):
    return (
        QuarterReport.objects.visible_to(user)
        .select_related("period__scheme", "built_by")
        .prefetch_related("files")
        .defer("rules", "summary")
        .order_by("-period__start", "period__scheme__unit_level", "period__kind")
    )


def report_rows(report: QuarterReport) -> list[QuarterReportRow]:
    return list(
        QuarterReportRow.objects.filter(report=report)
        .select_related("unit", "peer_union")
        .order_by("peer_union__code", "rank", "unit__code")
    )


def peer_group_label(row: QuarterReportRow, unit_level: str) -> str:
    from django.utils.translation import gettext as _

    if unit_level == UnitLevel.SUBDISTRICT:
        return _("All sub-district unions")
    return row.peer_union.name if row.peer_union_id else "–"


# --- dashboard --------------------------------------------------------------------------


def dashboard_periods(user) -> list[Period]:
    """Periods with a finished report that the user may read whole, newest first.

    A whole report ranks every unit, so it is for users whose scope covers the
    scheme's owner (the district), as on the reports pages.
    """
    from unionportal.access import scope_filter

    periods = (
        Period.objects.visible_to(user)
        .filter(scope_filter(user, "scheme__owner"))
        .filter(report__status=QuarterReport.Status.DONE)
        .select_related("scheme", "report")
        .defer("report__rules", "report__summary")
    )
    if not may_see_provisional(user):
        periods = periods.filter(status__in=VISIBLE_TO_UNITS)
    return sorted(
        periods,
        key=lambda p: (-p.sort_key, p.scheme.unit_level != UnitLevel.SUBDISTRICT),
    )


def _trend(report: QuarterReport, rows: list[QuarterReportRow], group: str | None):
    """Totals over the quarters up to this one (1 query): one line per sub-district
    union, or for grassroots schemes one line per sub-district's average."""
    period = report.period
    scheme = period.scheme
    history = (
        QuarterReportRow.objects.filter(
            report__status=QuarterReport.Status.DONE,
            report__period__kind__in=Period.QUARTERS,
            report__period__scheme__owner_id=scheme.owner_id,
            report__period__scheme__unit_level=scheme.unit_level,
            report__period__start__lte=period.end,
            report__period__scheme__year__gte=scheme.year - 1,
        )
        .values_list(
            "report__period__scheme__year",
            "report__period__kind",
            "unit_id",
            "peer_group",
            "total",
        )
        .order_by("report__period__start")
    )
    labels: list[str] = []
    per_key: dict = defaultdict(dict)

    for year, kind, unit_id, peer_group, total in history:
        label = f"{year} {Period.Kind(kind).label}"
        if label not in labels:
            labels.append(label)
        if scheme.unit_level == UnitLevel.SUBDISTRICT:
            per_key[unit_id][label] = float(total)
        elif group is None or peer_group == group:
            per_key[(peer_group, unit_id)][label] = float(total)
    if scheme.unit_level == UnitLevel.SUBDISTRICT:
        names = [(row.unit_id, row.unit.name) for row in rows]
    else:
        names = [
            ((row.peer_group, row.unit_id), row.unit.name)
            for row in rows
            if group is None or row.peer_group == group
        ]
    series = [
        {
            "name": name,
            "type": "line",
            "smooth": True,
            "connectNulls": True,
            "data": [per_key[key].get(label) for label in labels],
        }
        for key, name in names
    ]
    if not series:
        return None
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": 100
            if all((v or 0) <= 100 for s in series for v in s["data"])
            else 120,
        },
        "series": series,
    }


GRADE_COLOURS = {
    "excellent": "#198754",
    "good": "#0d6efd",
    "qualified": "#0dcaf0",
    "unqualified": "#dc3545",
}


def dashboard(report: QuarterReport, group: str | None) -> dict:
    """Everything the dashboard shows for one report, read from its snapshot."""
    from django.utils.translation import gettext as _

    from .models import Grade

    period = report.period
    level = period.scheme.unit_level
    rows = report_rows(report)
    summary = report.summary or {}
    rules = report.rules or {}
    groups = []
    if level == UnitLevel.GRASSROOTS:
        seen = {}
        for row in rows:
            if row.peer_group not in seen:
                seen[row.peer_group] = row.peer_union.name if row.peer_union_id else "–"
        groups = list(seen.items())
        if group not in seen:
            group = groups[0][0] if groups else None
    else:
        group = None
    ranking = [row for row in rows if group is None or row.peer_group == group]
    grades = summary.get("grades", {})
    grade_chart = {
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
                    }
                    for value, label in Grade.choices
                    if grades.get(value, 0)
                ],
            }
        ],
    }
    categories = {c["id"]: c for c in rules.get("categories", [])}
    category_items = [
        {
            "name": local_name(categories.get(item["id"], {})),
            "average": item["average"],
            "max": item["max"],
            "percent": item["percent"],
        }
        for item in summary.get("categories", [])
    ]
    category_chart = {
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
                "data": [item["percent"] for item in category_items],
                "itemStyle": {"color": "#a4231b"},
                "barMaxWidth": 28,
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            }
        ],
    }
    fell = sorted(
        (row for row in rows if row.change is not None and row.change < 0),
        key=lambda row: (row.change, row.unit.path),
    )[:5]
    overdue = sorted(
        (row for row in rows if row.overdue_months > 0),
        key=lambda row: (-row.overdue_months, row.unit.path),
    )
    key_work_rows = [row for row in rows if row.key_work_ratio is not None]
    key_work = [
        {
            "name": sources.category_label(item["category"]),
            "percent": item["percent"],
            "projects": item["projects"],
        }
        for item in summary.get("key_work_categories", [])
    ]
    return {
        "report": report,
        "period": period,
        "level": level,
        "rows": rows,
        "ranking": ranking,
        "groups": groups,
        "group": group,
        "summary": summary,
        "grade_counts": [
            (value, label, grades.get(value, 0)) for value, label in Grade.choices
        ],
        "grade_chart": grade_chart,
        "category_items": category_items,
        "category_chart": category_chart if category_items else None,
        "trend_chart": _trend(report, rows, group),
        "fell": fell,
        "overdue": overdue,
        "key_work": key_work,
        "key_work_units": len(key_work_rows),
    }


# --- scorecard --------------------------------------------------------------------------


def scorecard_rows(unit: Union, user) -> list[QuarterReportRow]:
    """The unit's rows in finished reports the user may read, oldest first (1 query)."""
    rows = QuarterReportRow.objects.filter(
        unit=unit, report__status=QuarterReport.Status.DONE
    ).select_related("report__period__scheme", "peer_union")
    if not may_see_provisional(user, unit):
        rows = rows.filter(report__period__status__in=VISIBLE_TO_UNITS)
    return sorted(
        rows,
        key=lambda r: (r.report.period.sort_key, r.report.period.scheme.unit_level),
    )


def scorecard_detail(row: QuarterReportRow) -> dict:
    """The indicators of one row, grouped by category, with how each was computed."""
    rules = row.report.rules or {}
    indicators = {i["id"]: i for i in rules.get("indicators", [])}
    categories = {c["id"]: c for c in rules.get("categories", [])}
    category_points = {c["id"]: c for c in row.categories or []}
    groups: dict = {}
    if row.report.period.is_year:
        return {"categories": [], "quarters": row.indicators}
    for item in row.indicators or []:
        indicator = indicators.get(item["id"])
        if indicator is None:
            continue
        cid = indicator["category_id"]
        group = groups.setdefault(
            cid,
            {
                "name": local_name(categories.get(cid, {})),
                "points": category_points.get(cid, {}).get("points"),
                "max": category_points.get(cid, {}).get("max"),
                "items": [],
            },
        )
        self_value = _maybe_decimal(item.get("self"))
        reviewed = _maybe_decimal(item.get("reviewed"))
        group["items"].append(
            {
                "code": indicator["code"],
                "name": local_name(indicator),
                "kind": indicator["kind"],
                "kind_label": Indicator.Kind(indicator["kind"]).label,
                "method": indicator["method"],
                "is_manual": indicator["method"] == Indicator.Method.MANUAL,
                "max": indicator["max_points"],
                "points": item["points"],
                "applicable": item["applicable"],
                "self": self_value,
                "reviewed": reviewed,
                "difference": (reviewed - self_value)
                if self_value is not None and reviewed is not None
                else None,
                "how": explain(item.get("how")),
                "score_id": item.get("score_id"),
                "evidence": item.get("evidence"),
            }
        )
    ordered = [
        groups[c["id"]] for c in rules.get("categories", []) if c["id"] in groups
    ]
    return {"categories": ordered, "quarters": []}


def _maybe_decimal(value):
    return None if value is None else Decimal(str(value))


def peer_average(row: QuarterReportRow) -> dict:
    groups = (row.report.summary or {}).get("peer_groups", {})
    return groups.get(row.peer_group, {})


def self_assessment_progress(user) -> list[dict]:
    """For a cadre: each open period assessing their union, with how many manual
    indicators it has and how many their union has self-scored (3 queries)."""
    periods = latest_open_periods(user)
    if not periods:
        return []
    manual = dict(
        Indicator.objects.filter(
            scheme__in={p.scheme_id for p in periods}, method=Indicator.Method.MANUAL
        )
        .values("scheme_id")
        .annotate(n=Count("pk"))
        .values_list("scheme_id", "n")
    )
    entered = dict(
        Score.objects.filter(
            period__in=periods, unit_id=user.union_id, self_score__isnull=False
        )
        .values("period_id")
        .annotate(n=Count("pk"))
        .values_list("period_id", "n")
    )
    return [
        {
            "period": period,
            "manual": manual.get(period.scheme_id, 0),
            "entered": entered.get(period.pk, 0),
        }
        for period in periods
    ]


def latest_open_periods(user) -> list[Period]:
    """Open periods of active schemes that assess the user's union (1 query)."""
    if not user.union_id:
        return []
    union = user.union
    level = (
        UnitLevel.SUBDISTRICT
        if union.is_subdistrict
        else UnitLevel.GRASSROOTS
        if union.is_grassroots
        else None
    )
    if level is None:
        return []
    return list(
        Period.objects.filter(
            status=Period.Status.OPEN,
            scheme__status=Scheme.Status.ACTIVE,
            scheme__unit_level=level,
            scheme__owner_id__in=union.ancestor_ids,
        )
        .select_related("scheme")
        .order_by("-start")
    )


def latest_score_change(period: Period):
    """When a score of the period last changed (to tell a report is out of date)."""
    return Score.objects.filter(period=period).aggregate(latest=Max("updated_at"))[
        "latest"
    ]
