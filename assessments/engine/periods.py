"""Reading a period's scores and facts, and computing its quarter or year."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, IntegerField
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from unions.models import Union

from .. import sources
from ..models import (
    Period,
    QuarterReport,
    QuarterReportRow,
    Score,
    UnitLevel,
)
from ..scoring import (
    GRADES,
    ZERO,
    annual_total,
    cents,
    grade_for,
    to_decimal,
)
from .lines import Line, UnitRef, _json_text, _num, _rank_and_compare, compute_lines


def _previous_kind(period: Period) -> tuple[int, str]:
    year = period.scheme.year
    if period.is_year:
        return year - 1, Period.Kind.YEAR
    quarter = period.quarter
    if quarter == 1:
        return year - 1, Period.Kind.Q4
    return year, f"q{quarter - 1}"


def previous_results(period: Period) -> dict:
    """(total, rank) by unit from the previous quarter's (or year's) report (1 query).

    The previous period is looked up across schemes of the same owner and units, so
    Q1 compares with last year's Q4 although it belongs to another year's scheme.
    """
    year, kind = _previous_kind(period)
    rows = (
        QuarterReportRow.objects.filter(
            report__status=QuarterReport.Status.DONE,
            report__is_current=True,
            report__period__kind=kind,
            report__period__scheme__year=year,
            report__period__scheme__owner_id=period.scheme.owner_id,
            report__period__scheme__unit_level=period.scheme.unit_level,
        )
        .order_by("report_id")
        .values_list("report_id", "unit_id", "total", "rank")
    )
    latest: dict = {}
    by_report: dict = defaultdict(dict)
    for report_id, unit_id, total, rank in rows:
        by_report[report_id][unit_id] = (total, rank)
    if by_report:
        latest = by_report[max(by_report)]
    return latest


def assessed_unit_query(scheme):
    """The unions a scheme assesses, as a queryset (not yet evaluated)."""
    units = Union.objects.filter(path__startswith=scheme.owner.path, is_active=True)
    if scheme.unit_level == UnitLevel.SUBDISTRICT:
        return units.filter(kind=Union.Kind.SUBDISTRICT)
    return units.filter(kind__in=Union.GRASSROOTS_KINDS)


def unit_refs(scheme) -> list[UnitRef]:
    """``assessed_units`` as (id, parent id) values, in the same order (1 query)."""
    units = assessed_unit_query(scheme)
    return [
        UnitRef(pk, parent_id)
        for pk, parent_id in units.order_by("path").values_list("pk", "parent_id")
    ]


def read_scores(period: Period, unit_ids) -> dict:
    """``{unit id: {indicator id: (score id, self, reviewed, has evidence)}}`` with
    the scores in whole cents, read in one pass (1 query).

    The database multiplies by 100 and rounds (exact: the columns have two
    places), so no Decimal is made per score.
    """
    wanted = set(unit_ids)
    by_unit: dict = defaultdict(dict)
    rows = (
        Score.objects.filter(period=period)
        .annotate(
            self_cents=Cast(Round(F("self_score") * 100), IntegerField()),
            reviewed_cents=Cast(Round(F("reviewed_score") * 100), IntegerField()),
        )
        .values_list(
            "unit_id",
            "indicator_id",
            "pk",
            "self_cents",
            "reviewed_cents",
            "evidence",
        )
    )
    # The compiled query on a plain cursor, a chunk at a time: no value needs a
    # converter, and Django's iterator (a server-side cursor, materialised WITH
    # HOLD) takes four times as long for a city quarter's 390,000 scores.
    sql, params = rows.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(10_000):
            for (
                unit_id,
                indicator_id,
                pk,
                self_cents,
                reviewed_cents,
                evidence,
            ) in chunk:
                if unit_id in wanted:
                    by_unit[unit_id][indicator_id] = (
                        pk,
                        self_cents,
                        reviewed_cents,
                        bool(evidence),
                    )
    return by_unit


def compute_quarter(period: Period, rules: dict) -> list[Line]:
    """Loads everything a quarter needs in bulk, then computes every unit."""
    scheme = period.scheme
    units = unit_refs(scheme)
    unit_ids = [u.pk for u in units]
    methods = {i["method"] for i in rules["indicators"]}
    facts = {}
    # The facts first: their reading needs the most memory for a while, best
    # before the scores are held.
    if methods & {"key_work", "timeliness", "activities", "training", "publicity"}:
        facts = sources.planning_facts(
            union_ids=unit_ids,
            start=period.start,
            end=period.end,
            union_query=assessed_unit_query(scheme).values("pk"),
        )
    # Read whether or not the scheme scores terms: the dashboard lists overdue ones.
    overdue = sources.overdue_months(union_ids=unit_ids, at=period.end)
    below = {}
    if any(
        i["method"] == "terms" and (i["params"] or {}).get("scope") == "below"
        for i in rules["indicators"]
    ):
        below = sources.overdue_below(
            root_path=scheme.owner.path, union_ids=unit_ids, at=period.end
        )
    scores = read_scores(period, unit_ids)
    return compute_lines(
        rules=rules,
        units=units,
        scores=scores,
        facts=facts,
        overdue=overdue,
        previous=previous_results(period),
        below=below,
    )


def check_quarters_built(period: Period) -> dict[str, int]:
    """The four quarters' finished reports ({kind: report id}), or a refusal."""
    quarter_reports = dict(
        Period.objects.filter(
            scheme_id=period.scheme_id,
            kind__in=Period.QUARTERS,
            reports__is_current=True,
            reports__status=QuarterReport.Status.DONE,
        ).values_list("kind", "reports__pk")
    )
    missing = [k for k in Period.QUARTERS if k not in quarter_reports]
    if missing:
        raise ValidationError(
            _(
                "Build the reports of %(quarters)s first: the annual result needs all four."
            )
            % {"quarters": ", ".join(str(Period.Kind(k).label) for k in missing)}
        )
    return quarter_reports


def compute_year(period: Period, rules: dict) -> list[Line]:
    """The annual result from the four quarterly snapshots of the same scheme."""
    quarter_reports = check_quarters_built(period)
    quarter_of = {
        report_id: int(kind[1]) for kind, report_id in quarter_reports.items()
    }
    rows = (
        QuarterReportRow.objects.filter(report_id__in=quarter_of)
        .defer("indicators")
        .select_related("unit")
        .order_by("unit__path", "report_id")
    )
    per_unit: dict = {}
    for row in rows:
        entry = per_unit.setdefault(
            row.unit_id,
            {"unit": row.unit, "quarters": {}, "veto": False, "rows": {}},
        )
        quarter = quarter_of[row.report_id]
        entry["quarters"][quarter] = row
        entry["veto"] = entry["veto"] or row.veto
    scheme = rules["scheme"]
    weights = scheme["quarter_weights"] if scheme["annual_rule"] == "weighted" else None
    lines = []
    for entry in per_unit.values():
        quarters = entry["quarters"]
        latest = quarters[max(quarters)]
        totals = {q: row.total for q, row in quarters.items()}
        total = annual_total(totals, weights)
        lines.append(
            Line(
                unit=entry["unit"],
                peer_group=latest.peer_group,
                peer_union_id=latest.peer_union_id,
                base=annual_total({q: r.base for q, r in quarters.items()}, weights),
                bonus=annual_total({q: r.bonus for q, r in quarters.items()}, weights),
                deduction=annual_total(
                    {q: r.deduction for q, r in quarters.items()}, weights
                ),
                total=total,
                veto=entry["veto"],
                grade=grade_for(total, entry["veto"]),
                overdue_months=latest.overdue_months,
                key_work_ratio=latest.key_work_ratio,
                categories=_mean_categories([r.categories for r in quarters.values()]),
                indicators_json=_json_text(
                    [
                        {
                            "quarter": q,
                            "total": _num(r.total),
                            "grade": r.grade,
                            "rank": r.rank,
                            "veto": r.veto,
                        }
                        for q, r in sorted(quarters.items())
                    ]
                ),
            )
        )
    _rank_and_compare(lines, previous_results(period))
    return lines


def _mean_categories(per_quarter: list[list]) -> list:
    sums: dict = {}
    for categories in per_quarter:
        for item in categories:
            entry = sums.setdefault(item["id"], {"points": ZERO, "max": ZERO, "n": 0})
            entry["points"] += to_decimal(item["points"])
            entry["max"] += to_decimal(item["max"])
            entry["n"] += 1
    return [
        {
            "id": cid,
            "points": _num(v["points"] / v["n"]),
            "max": _num(v["max"] / v["n"]),
        }
        for cid, v in sums.items()
    ]


def key_work_categories(period: Period, lines: list[Line]) -> list[dict]:
    """Key-work completion by planning category for the report's units (2 queries)."""
    by_category = sources.key_work_by_category(
        union_ids=[line.unit.pk for line in lines],
        year=period.scheme.year,
        end=period.end,
        union_query=assessed_unit_query(period.scheme).values("pk"),
    )
    return [
        {
            "category": category,
            "percent": round(100 * v["weighted"] / v["weight"], 1)
            if v["weight"]
            else 0.0,
            "projects": v["projects"],
        }
        for category, v in sorted(by_category.items())
    ]


def summarise(lines: list[Line], rules: dict) -> dict:
    """What the dashboard shows besides the rows: grade counts, averages by
    category and by peer group, key-work completion and overdue terms."""
    grades = dict.fromkeys(GRADES, 0)
    for line in lines:
        grades[line.grade] += 1
    count = len(lines)
    average = (
        cents(sum((line.total for line in lines), ZERO) / count) if count else ZERO
    )
    category_sums: dict = {}
    for line in lines:
        for item in line.categories:
            entry = category_sums.setdefault(item["id"], [ZERO, ZERO, 0])
            entry[0] += to_decimal(item["points"])
            entry[1] += to_decimal(item["max"])
            entry[2] += 1
    categories = []
    for category in rules["categories"]:
        points, maximum, n = category_sums.get(category["id"], [ZERO, ZERO, 0])
        if not n:
            continue
        categories.append(
            {
                "id": category["id"],
                "average": _num(points / n),
                "max": _num(maximum / n),
                "percent": float(cents(points * 100 / maximum)) if maximum else 0.0,
            }
        )
    groups: dict = {}
    for line in lines:
        entry = groups.setdefault(
            line.peer_group,
            {"union_id": line.peer_union_id, "count": 0, "sum": ZERO},
        )
        entry["count"] += 1
        entry["sum"] += line.total
    peer_groups = {
        key: {
            "union_id": g["union_id"],
            "count": g["count"],
            "average": _num(g["sum"] / g["count"]),
        }
        for key, g in groups.items()
    }
    ratios = [line.key_work_ratio for line in lines if line.key_work_ratio is not None]
    return {
        "count": count,
        "average": _num(average),
        "grades": grades,
        "categories": categories,
        "peer_groups": peer_groups,
        "key_work": {
            "units": len(ratios),
            "average_percent": round(100 * sum(ratios) / len(ratios), 1)
            if ratios
            else None,
        },
        "overdue_units": sum(1 for line in lines if line.overdue_months > 0),
    }
