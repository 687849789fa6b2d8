"""Reads for the assessment pages, each a fixed number of queries.

Dashboards and scorecards read report snapshots only (``QuarterReport`` and its
rows); they never compute scores while a page is served.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)

from unionportal.roles import Role
from unionportal.search import union_match
from unions.models import Union

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
    if user.has_role(Role.LEADER, Role.ADMIN):
        return True
    if unit is not None and user.has_role(Role.REVIEWER) and user.union_id:
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
    from .versions import with_versions

    periods = list(
        with_versions(Period.objects.filter(scheme=scheme)).select_related("scheme")
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
        .filter(is_current=True)
        .select_related("period__scheme", "built_by")
        .prefetch_related("files")
        .defer("rules", "summary")
        .order_by(*REPORT_LIST_ORDER)
    )


# The order of ``period_order`` in SQL: newest year first, the year's own report
# before its quarters (it comes after Q4), then Q4 … Q1, sub-district before
# grassroots within a period.
REPORT_LIST_ORDER = (
    "-period__scheme__year",
    "-period__kind",  # "year" > "q4" > … > "q1"
    Case(
        When(period__scheme__unit_level=UnitLevel.SUBDISTRICT, then=Value(0)),
        default=Value(1),
    ),
    "period__scheme__owner_id",
)


REPORT_PAGE_SIZE = 50
# The orders the report page offers (a whitelist of ``?sort=`` values); without
# one, rows come by sub-district (in the order of the unions' codes) and rank.
REPORT_SORTS = {
    "rank": ("rank", "unit__code"),
    "unit": ("unit__code",),
    "total": ("total", "unit__code"),
    "change": ("change", "unit__code"),
}
REPORT_ROW_FIELDS = (
    "unit",
    "unit__name_zh",
    "unit__name_en",
    "unit__code",
    "peer_group",
    "peer_union",
    "base",
    "bonus",
    "deduction",
    "total",
    "veto",
    "grade",
    "rank",
    "previous_total",
    "change",
)


def report_rows(
    report: QuarterReport,
    *,
    groups: list[tuple[str, str]],
    group: str | None = None,
    search: str = "",
    sort: str = "",
    grade: str = "",
):
    """The rows of a report page, to paginate: of one peer group or all, found by
    the unit's name or code, in a whitelisted order (``REPORT_SORTS``, "-" for
    descending). A page is one query read through the (report, peer group, rank)
    index; the count comes from the report's summary unless the rows are searched.
    ``groups`` are the report's peer groups in the order to show them."""
    rows = (
        QuarterReportRow.objects.filter(report=report)
        .select_related("unit")
        .only(*REPORT_ROW_FIELDS)
    )
    if group is not None:
        rows = rows.filter(peer_group=group)
    search = search.strip()
    if search:
        rows = rows.filter(union_match(search, "unit"))
    if grade:
        rows = rows.filter(grade=grade)
    key = sort.lstrip("-")
    if key in REPORT_SORTS:
        fields = REPORT_SORTS[key]
        if sort.startswith("-"):
            # Descending; rows without a value (no previous quarter) last.
            first = F(fields[0]).desc(nulls_last=True)
        else:
            first = F(fields[0]).asc(nulls_last=True)
        return rows.order_by(first, *fields[1:], "pk")
    if search or grade:
        return rows.order_by("peer_union__code", "rank", "unit__code", "pk")
    summary = (report.summary or {}).get("peer_groups", {})
    counted = [
        (key, summary.get(key, {}).get("count", 0))
        for key, _label in groups
        if group is None or key == group
    ]
    return GroupedRows(rows.order_by("rank", "unit__code", "pk"), counted)


class GroupedRows:
    """A report's rows by peer group (in the given order), then rank, as a
    sequence for ``Paginator``: its length comes from the groups' counts, and a
    slice reads only the groups it falls in (one query). Sorting every row of a
    city's report by its sub-district's code would read all of them per page."""

    def __init__(self, rows, groups: list[tuple[str, int]]):
        self.rows = rows
        self.groups = groups

    def __len__(self) -> int:
        return sum(count for _key, count in self.groups)

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("GroupedRows only supports slices")
        start, stop = index.start or 0, index.stop
        stop = len(self) if stop is None else stop
        wanted, offset = [], 0
        for key, count in self.groups:
            if offset < stop and offset + count > start:
                wanted.append((key, max(start - offset, 0), min(stop - offset, count)))
            offset += count
        if not wanted:
            return []
        by_group: dict[str, list] = defaultdict(list)
        for row in self.rows.filter(peer_group__in=[key for key, _lo, _hi in wanted]):
            by_group[row.peer_group].append(row)
        return [row for key, lo, hi in wanted for row in by_group[key][lo:hi]]


# --- dashboard --------------------------------------------------------------------------


def period_order(period: Period) -> tuple:
    """One order for periods everywhere: newest first, the year after its Q4,
    sub-district schemes before grassroots ones within a period."""
    return (-period.sort_key, period.scheme.unit_level != UnitLevel.SUBDISTRICT)


def periods_by_year(periods) -> list[tuple[int, list[Period]]]:
    """``periods`` (already in ``period_order``) grouped by year, newest first."""
    groups: dict[int, list[Period]] = {}
    for period in periods:
        groups.setdefault(period.scheme.year, []).append(period)
    return list(groups.items())


def dashboard_periods(user) -> list[Period]:
    """Periods with a finished report that the user may read whole, newest first;
    each with ``shown_report``, the version the user reads (``versions.py``).

    Unpublished (provisional) results are listed for administrators only, who
    can publish them; leaders read the published version, also while the period
    is reopened and rebuilt, until another version is published.

    A whole report ranks every unit, so it is for users whose scope covers the
    scheme's owner (the district), as on the reports pages.
    """
    from unionportal.access import scope_filter

    from .versions import report_for_reader, with_versions

    readable = QuarterReport.objects.filter(status=QuarterReport.Status.DONE)
    if user.has_role(Role.ADMIN):
        readable = readable.filter(Q(is_current=True) | Q(is_published=True))
    else:
        readable = readable.filter(is_published=True)
    periods = list(
        with_versions(
            Period.objects.visible_to(user)
            .filter(scope_filter(user, "scheme__owner"))
            .filter(pk__in=readable.values("period_id"))
            .select_related("scheme__owner")
        )
    )
    for period in periods:
        period.shown_report = report_for_reader(period, user)
    return sorted((p for p in periods if p.shown_report is not None), key=period_order)


# --- scorecard --------------------------------------------------------------------------


def scorecard_rows(unit: Union, user) -> list[QuarterReportRow]:
    """The unit's rows in finished reports the user may read, oldest first (1 query)."""
    rows = QuarterReportRow.objects.filter(
        unit=unit, report__status=QuarterReport.Status.DONE
    ).select_related("report__period__scheme", "peer_union")
    if may_see_provisional(user, unit):
        rows = _one_version_per_period(
            rows.filter(Q(report__is_current=True) | Q(report__is_published=True)),
            prefer_latest=user.has_role(Role.ADMIN),
        )
    else:
        # The published version, which stays after a reopen until another is.
        rows = rows.filter(report__is_published=True)
    return sorted(
        rows,
        key=lambda r: (r.report.period.sort_key, r.report.period.scheme.unit_level),
    )


def _one_version_per_period(rows, *, prefer_latest: bool) -> list:
    """One row a period: the latest version's for those who publish, the published
    version's for everyone else (who sees the latest only before a first
    publication)."""
    chosen: dict = {}
    for row in rows:
        held = chosen.get(row.report.period_id)
        mark = "is_current" if prefer_latest else "is_published"
        if held is None or getattr(row.report, mark):
            chosen[row.report.period_id] = row
    return list(chosen.values())


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
                "is_base": indicator["kind"] == Indicator.Kind.BASE,
                "is_veto": indicator["kind"] == Indicator.Kind.VETO,
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
                "doors": _fact_doors(row, item.get("how")),
                "score_id": item.get("score_id"),
                "evidence": item.get("evidence"),
            }
        )
    ordered = [
        groups[c["id"]] for c in rules.get("categories", []) if c["id"] in groups
    ]
    return {"categories": ordered, "quarters": []}


def _fact_doors(row: QuarterReportRow, how: dict | None) -> list[tuple]:
    """Links from an automatic indicator's facts to the lists behind them (issue
    16): "11 due, 10 on time" opens the reports due and those on time, "8
    projects due" the projects counted, "6 events held" the events. Each is
    ``(label, count, url)``; a count of None is a plain link (a sum of trainees,
    or terms read at the period's end, are not rows that a list counts today)."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.translation import gettext as _

    key = (how or {}).get("key")
    params = (how or {}).get("params") or {}
    period = row.report.period
    span = {"start": period.start.isoformat(), "end": period.end.isoformat()}

    def link(name: str, query: dict) -> str:
        return reverse(name) + "?" + urlencode(query)

    def events(kind: str) -> str:
        return link(
            "planning:activity_home",
            {
                "unit": row.unit_id,
                "kind": kind,
                "date_after": span["start"],
                "date_before": span["end"],
            },
        )

    if key == "timeliness":
        base = link("planning:due_reports", {"union": row.unit_id, **span})
        return [
            (_("reports due"), params.get("due", 0), base),
            (_("on time"), params.get("on_time", 0), base + "&on_time=yes"),
        ]
    if key == "key_work":
        url = link(
            "planning:project_list",
            {"assessed": row.unit_id, "due_before": span["end"]},
        )
        return [(_("projects due"), params.get("projects", 0), url)]
    if key == "activities":
        return [(_("events held"), params.get("count", 0), events("activity"))]
    if key == "training":
        return [(_("training sessions"), None, events("training"))]
    if key == "terms_overdue":
        url = reverse("unions:union_detail", args=[row.unit_id])
        return [(_("term history"), None, url)]
    if key == "terms_below_overdue":
        # Today's due and overdue terms of the units below: the report names
        # those overdue at the period's end.
        url = link("unions:term_list", {"area": row.unit_id, "status": "attention"})
        return [(_("terms of the units below"), None, url)]
    return []


def _maybe_decimal(value):
    return None if value is None else Decimal(str(value))


def peer_average(row: QuarterReportRow) -> dict:
    groups = (row.report.summary or {}).get("peer_groups", {})
    return groups.get(row.peer_group, {})


def self_assessment_progress(user) -> list[dict]:
    """For a cadre: each open period assessing their union, with how many manual
    indicators it has and how many their union has self-scored (3 queries).

    The counts are ``order_by()``: the models' default orderings would otherwise
    join their ordering's tables into each count, for nothing."""
    periods = latest_open_periods(user)
    if not periods:
        return []
    manual = dict(
        Indicator.objects.filter(
            scheme__in={p.scheme_id for p in periods}, method=Indicator.Method.MANUAL
        )
        .order_by()
        .values("scheme_id")
        .annotate(n=Count("pk"))
        .values_list("scheme_id", "n")
    )
    entered = dict(
        Score.objects.filter(
            period__in=periods, unit_id=user.union_id, self_score__isnull=False
        )
        .order_by()
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
