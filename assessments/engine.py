"""Computes a period's results for every unit: the heart of the report job.

Loading is done in bulk (a fixed number of queries per period, whatever the number
of units or indicators); the arithmetic is ``assessments.scoring`` and
``assessments.rules``. The scheme's rules are read into a plain dict first, which is
stored with the report, so a ranking can be recomputed later from what it was
built with.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from unions.models import Union

from . import rules as auto_rules
from . import sources
from .models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    QuarterReportRow,
    Score,
    UnitLevel,
)
from .scoring import (
    GRADES,
    ZERO,
    IndicatorResult,
    annual_total,
    cents,
    grade_for,
    ranks_within_groups,
    to_decimal,
    unit_totals,
)

ALL_PEERS = "all"


def _num(value) -> str:
    return str(cents(value))


def scheme_rules(scheme) -> dict:
    """The scheme as it is now: categories, indicators and exemptions (3 queries)."""
    categories = [
        {"id": c.pk, "name_zh": c.name_zh, "name_en": c.name_en, "order": c.order}
        for c in IndicatorCategory.objects.filter(scheme=scheme).order_by("order", "pk")
    ]
    indicators = [
        {
            "id": i.pk,
            "code": i.code,
            "category_id": i.category_id,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "kind": i.kind,
            "method": i.method,
            "max_points": _num(i.max_points),
            "params": i.params or {},
        }
        for i in Indicator.objects.filter(scheme=scheme).order_by(
            "category__order", "category_id", "order", "pk"
        )
    ]
    exemptions = [
        {"indicator_id": e.indicator_id, "unit_id": e.unit_id, "reason": e.reason}
        for e in IndicatorExemption.objects.filter(indicator__scheme=scheme)
    ]
    return {
        "scheme": {
            "id": scheme.pk,
            "year": scheme.year,
            "unit_level": scheme.unit_level,
            "name_zh": scheme.name_zh,
            "name_en": scheme.name_en,
            "bonus_cap": _num(scheme.bonus_cap),
            "annual_rule": scheme.annual_rule,
            "quarter_weights": scheme.quarter_weights or [],
            "version": scheme.version,
        },
        "categories": categories,
        "indicators": indicators,
        "exemptions": exemptions,
    }


def assessed_units(scheme) -> list[Union]:
    """The active unions the scheme assesses, below its owner (1 query)."""
    units = Union.objects.filter(path__startswith=scheme.owner.path, is_active=True)
    if scheme.unit_level == UnitLevel.SUBDISTRICT:
        units = units.filter(kind=Union.Kind.SUBDISTRICT)
    else:
        units = units.filter(kind__in=Union.GRASSROOTS_KINDS)
    return list(units.select_related("parent").order_by("path"))


def peer_group_of(unit: Union, unit_level: str) -> tuple[str, int | None]:
    """All sub-district unions rank together; grassroots unions within their parent."""
    if unit_level == UnitLevel.SUBDISTRICT:
        return ALL_PEERS, None
    return f"u{unit.parent_id}", unit.parent_id


@dataclass
class Line:
    """One unit's computed result, ready to become a ``QuarterReportRow``."""

    unit: Union
    peer_group: str
    peer_union_id: int | None
    base: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    veto: bool
    grade: str
    rank: int = 0
    previous_total: Decimal | None = None
    change: Decimal | None = None
    previous_rank: int | None = None
    overdue_months: int = 0
    key_work_ratio: float | None = None
    categories: list = field(default_factory=list)
    indicators: list = field(default_factory=list)

    def as_row(self, report) -> QuarterReportRow:
        return QuarterReportRow(
            report=report,
            unit=self.unit,
            peer_group=self.peer_group,
            peer_union_id=self.peer_union_id,
            base=self.base,
            bonus=self.bonus,
            deduction=self.deduction,
            total=self.total,
            veto=self.veto,
            grade=self.grade,
            rank=self.rank,
            previous_total=self.previous_total,
            change=self.change,
            previous_rank=self.previous_rank,
            overdue_months=self.overdue_months,
            key_work_ratio=self.key_work_ratio,
            categories=self.categories,
            indicators=self.indicators,
        )


def _manual_result(indicator: dict, score: Score | None):
    max_points = to_decimal(indicator["max_points"])
    is_veto = indicator["kind"] == "veto"
    top = Decimal("1") if is_veto else max_points
    self_value = score.self_score if score else None
    reviewed = score.reviewed_score if score else None
    effective = reviewed if reviewed is not None else self_value
    points = cents(min(max(to_decimal(effective), ZERO), top))
    how = {
        "key": "manual",
        "params": {
            "self": None if self_value is None else _num(self_value),
            "reviewed": None if reviewed is None else _num(reviewed),
            "veto": is_veto,
        },
    }
    return points, top, how


def compute_lines(
    *,
    rules: dict,
    units: list[Union],
    scores: dict,
    facts: dict,
    overdue: dict,
    previous: dict,
) -> list[Line]:
    """Every unit's indicator points, totals, grade and rank (no database access).

    ``scores`` maps (indicator id, unit id) to a Score; ``facts`` and ``overdue``
    are the planning and office-term facts by unit; ``previous`` maps unit ids to
    (total, rank) of the previous period's report.
    """
    scheme = rules["scheme"]
    bonus_cap = to_decimal(scheme["bonus_cap"])
    exempt = {
        (e["indicator_id"], e["unit_id"]): e["reason"] for e in rules["exemptions"]
    }
    lines = []
    for unit in units:
        unit_facts = sources.facts_for(facts, unit.pk)
        months = int(overdue.get(unit.pk, 0) or 0)
        results, details = [], []
        key_work_ratio = None
        for indicator in rules["indicators"]:
            max_points = to_decimal(indicator["max_points"])
            top = max_points
            score = scores.get((indicator["id"], unit.pk))
            reason = exempt.get((indicator["id"], unit.pk))
            if reason is not None:
                points, applicable = ZERO, False
                how = {"key": "exempt", "params": {"reason": reason}}
                if indicator["kind"] == "veto":
                    top = Decimal("1")
            elif indicator["method"] == "manual":
                points, top, how = _manual_result(indicator, score)
                applicable = True
            else:
                outcome = auto_rules.evaluate(
                    indicator["method"],
                    indicator["kind"],
                    max_points,
                    indicator["params"],
                    unit_facts,
                    months,
                )
                applicable = outcome.applicable
                points = outcome.points if applicable else ZERO
                how = outcome.how
                if indicator["method"] == "key_work" and key_work_ratio is None:
                    key_work_ratio = outcome.ratio
            results.append(
                IndicatorResult(
                    indicator_id=indicator["id"],
                    kind=indicator["kind"],
                    max_points=top,
                    points=points,
                    applicable=applicable,
                    category_id=indicator["category_id"],
                )
            )
            details.append(
                {
                    "id": indicator["id"],
                    "points": _num(points),
                    "applicable": applicable,
                    "self": None
                    if score is None or score.self_score is None
                    else _num(score.self_score),
                    "reviewed": None
                    if score is None or score.reviewed_score is None
                    else _num(score.reviewed_score),
                    "score_id": score.pk if score is not None else None,
                    "evidence": bool(score is not None and score.evidence),
                    "how": how,
                }
            )
        totals = unit_totals(results, bonus_cap)
        group, peer_union_id = peer_group_of(unit, scheme["unit_level"])
        lines.append(
            Line(
                unit=unit,
                peer_group=group,
                peer_union_id=peer_union_id,
                base=totals.base,
                bonus=totals.bonus,
                deduction=totals.deduction,
                total=totals.total,
                veto=totals.veto,
                grade=totals.grade,
                overdue_months=months,
                key_work_ratio=key_work_ratio,
                categories=[
                    {"id": cid, "points": _num(v["points"]), "max": _num(v["max"])}
                    for cid, v in totals.categories.items()
                ],
                indicators=details,
            )
        )
    _rank_and_compare(lines, previous)
    return lines


def _rank_and_compare(lines: list[Line], previous: dict) -> None:
    ranks = ranks_within_groups(
        (line.unit.pk, line.peer_group, line.total) for line in lines
    )
    for line in lines:
        line.rank = ranks[line.unit.pk]
        before = previous.get(line.unit.pk)
        if before is not None:
            line.previous_total, line.previous_rank = before
            line.change = cents(line.total - before[0])


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
            report__status="done",
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


def compute_quarter(period: Period, rules: dict) -> list[Line]:
    """Loads everything a quarter needs in bulk, then computes every unit."""
    scheme = period.scheme
    units = assessed_units(scheme)
    unit_ids = [u.pk for u in units]
    scores = {
        (s.indicator_id, s.unit_id): s
        for s in Score.objects.filter(period=period, unit_id__in=unit_ids).only(
            "pk",
            "indicator_id",
            "unit_id",
            "self_score",
            "reviewed_score",
            "evidence",
        )
    }
    methods = {i["method"] for i in rules["indicators"]}
    facts = {}
    if methods & {"key_work", "timeliness", "activities", "training", "publicity"}:
        facts = sources.planning_facts(
            union_ids=unit_ids, start=period.start, end=period.end
        )
    # Read whether or not the scheme scores terms: the dashboard lists overdue ones.
    overdue = sources.overdue_months(union_ids=unit_ids, at=period.end)
    return compute_lines(
        rules=rules,
        units=units,
        scores=scores,
        facts=facts,
        overdue=overdue,
        previous=previous_results(period),
    )


def check_quarters_built(period: Period) -> dict[str, int]:
    """The four quarters' finished reports ({kind: report id}), or a refusal."""
    quarter_reports = dict(
        Period.objects.filter(
            scheme_id=period.scheme_id,
            kind__in=Period.QUARTERS,
            report__status="done",
        ).values_list("kind", "report__pk")
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
        .select_related("unit__parent")
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
                indicators=[
                    {
                        "quarter": q,
                        "total": _num(r.total),
                        "grade": r.grade,
                        "rank": r.rank,
                        "veto": r.veto,
                    }
                    for q, r in sorted(quarters.items())
                ],
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
