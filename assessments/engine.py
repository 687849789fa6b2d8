"""Computes a period's results for every unit: the heart of the report job.

Loading is done in bulk (a fixed number of queries per period, whatever the number
of units or indicators); the arithmetic is ``assessments.scoring`` and
``assessments.rules``. The scheme's rules are read into a plain dict first, which is
stored with the report, so a ranking can be recomputed later from what it was
built with.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, IntegerField
from django.db.models.functions import Cast, Round
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
    BASE,
    BONUS,
    DEDUCTION,
    GRADE_FLOORS,
    GRADES,
    UNQUALIFIED,
    VETO,
    ZERO,
    annual_total,
    cents,
    grade_for,
    ranks_within_groups,
    to_decimal,
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
            "params": auto_rules.indicator_params(i),
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


@dataclass(frozen=True, slots=True)
class UnitRef:
    """What the engine needs of an assessed union (read as values, not models)."""

    pk: int
    parent_id: int | None


@dataclass(eq=False, slots=True)
class Line:
    """One unit's computed result, ready to become a ``QuarterReportRow``.

    The indicator detail is kept as JSON text (``indicators_json``): a city
    quarter has some 390,000 of them, far smaller and faster to write as text
    than as dicts; ``indicators`` decodes it.
    """

    unit: object  # a Union, or a UnitRef: anything with pk and parent_id
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
    indicators_json: str = "[]"

    @property
    def indicators(self) -> list:
        return json.loads(self.indicators_json)

    def as_row(self, report) -> QuarterReportRow:
        return QuarterReportRow(
            report=report,
            unit_id=self.unit.pk,
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


# --- the arithmetic, in whole cents ---------------------------------------------------
#
# docs/scoring.md rounds every indicator's points, and the base, bonus, deduction
# and total, half up to the cent. Stored scores and the rules' points already have
# two places, so the sums below are exact in integer cents, and the one division
# (the rescaled base) is rounded half up in integers: the same numbers as
# ``scoring.unit_totals`` in Decimal, some ten times faster for a city's 390,000
# indicator results. tests/assessments/test_engine.py checks both agree.

_GRADE_FLOORS_CENTS = tuple((int(floor * 100), grade) for floor, grade in GRADE_FLOORS)


def _to_cents(value) -> int:
    """A number with at most two places (a stored score, a rule's points) in cents."""
    return int(to_decimal(value) * 100)


def _from_cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


_TEXT: dict[int, str] = {}


def _cents_text(value: int) -> str:
    """``_num`` for whole cents: 480 → "4.80", as ``str(cents(Decimal))`` writes it."""
    text = _TEXT.get(value)
    if text is None:
        sign = "-" if value < 0 else ""
        whole, part = divmod(abs(value), 100)
        text = _TEXT.setdefault(value, f"{sign}{whole}.{part:02d}")
    return text


def _grade_of(total: int, veto: bool) -> str:
    if veto:
        return UNQUALIFIED
    for floor, grade in _GRADE_FLOORS_CENTS:
        if total >= floor:
            return grade
    return UNQUALIFIED


def _rescaled_base(points: int, applicable_max: int) -> int:
    """``scoring.rescaled_base`` in cents: min(100, points × 100 ÷ max), half up."""
    if applicable_max <= 0:
        return 0
    return min(10000, (2 * points * 10000 + applicable_max) // (2 * applicable_max))


@dataclass(frozen=True, slots=True)
class _Indicator:
    """An indicator of the rules, converted once for the whole unit loop."""

    id: int
    kind: str
    method: str
    category_id: int | None
    max_points: Decimal
    top: int  # cents: the max points, or 1 point for a veto scored by hand
    params: dict
    veto: bool


def _indicators(rules: dict) -> list[_Indicator]:
    result = []
    for indicator in rules["indicators"]:
        max_points = to_decimal(indicator["max_points"])
        veto = indicator["kind"] == VETO
        manual = indicator["method"] == "manual"
        result.append(
            _Indicator(
                id=indicator["id"],
                kind=indicator["kind"],
                method=indicator["method"],
                category_id=indicator["category_id"],
                max_points=max_points,
                top=100 if veto and manual else _to_cents(max_points),
                params=indicator["params"] or {},
                veto=veto,
            )
        )
    return result


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_JSON_BOOL = {True: "true", False: "false"}
_NO_SCORE = ("null", None, None, False)


def _manual_detail(indicator: _Indicator, self_cents, reviewed_cents):
    """(points, (head, tail)) of a hand-scored indicator's detail: its JSON text
    before and after the score's id and evidence flag (see ``compute_lines``)."""
    veto_text = _JSON_BOOL[indicator.veto]
    effective = reviewed_cents if reviewed_cents is not None else self_cents
    points = min(max(effective or 0, 0), indicator.top)
    self_text, reviewed_text = _score_text(self_cents), _score_text(reviewed_cents)
    how = _manual_how(self_text, reviewed_text, veto_text)
    head = (
        f'{{"id":{indicator.id},"points":"{_cents_text(points)}","applicable":true,'
        f'"self":{self_text},"reviewed":{reviewed_text},"score_id":'
    )
    return points, (head, f',"how":{how}}}')


def _manual_how(self_text: str, reviewed_text: str, veto_text: str) -> str:
    return (
        f'{{"key":"manual","params":{{"self":{self_text},'
        f'"reviewed":{reviewed_text},"veto":{veto_text}}}}}'
    )


def _score_text(value: int | None) -> str:
    return "null" if value is None else f'"{_cents_text(value)}"'


def compute_lines(
    *,
    rules: dict,
    units: list,
    scores: dict,
    facts: dict,
    overdue: dict,
    previous: dict,
    below: dict | None = None,
) -> list[Line]:
    """Every unit's indicator points, totals, grade and rank (no database access).

    ``units`` are Unions or UnitRefs; ``scores`` maps a unit id to
    ``{indicator id: (score id, self cents, reviewed cents, has evidence)}`` (see
    ``read_scores``); ``facts`` and ``overdue`` are the planning and office-term
    facts by unit; ``previous`` maps unit ids to (total, rank) of the previous
    period's report; ``below`` maps unit ids to the overdue units below them
    (``sources.overdue_below``), for an office-terms rule that counts them.
    """
    below = below or {}
    scheme = rules["scheme"]
    bonus_cap = _to_cents(scheme["bonus_cap"])
    unit_level = scheme["unit_level"]
    indicators = _indicators(rules)
    exempt = {
        (e["indicator_id"], e["unit_id"]): e["reason"] for e in rules["exemptions"]
    }
    exempt_units = {unit_id for _i, unit_id in exempt}
    outcomes: dict = {}  # (indicator id, facts key) → (points, JSON of how, ratio)
    manual: dict = {}  # (indicator id, self, reviewed) → (points, detail's text)
    no_scores: dict = {}
    lines = []
    for unit in units:
        unit_id = unit.pk
        unit_facts = sources.facts_for(facts, unit_id)
        months = int(overdue.get(unit_id, 0) or 0)
        unit_below = below.get(unit_id, ())
        unit_scores = scores.get(unit_id, no_scores)
        unit_exempt = unit_id in exempt_units
        base_points = base_max = bonus = deduction = 0
        veto = False
        categories: dict = {}
        details = []
        key_work_ratio = None
        for indicator in indicators:
            score = unit_scores.get(indicator.id)
            reason = exempt.get((indicator.id, unit_id)) if unit_exempt else None
            if reason is not None:
                points, applicable = 0, False
                how = _json_text({"key": "exempt", "params": {"reason": reason}})
            elif indicator.method == "manual":
                # Most units share their scores' values: the detail's text around
                # the score's id is made once per indicator and pair of scores.
                if score is None:
                    score_id, self_cents, reviewed_cents, evidence = _NO_SCORE
                else:
                    score_id, self_cents, reviewed_cents, evidence = score
                known = manual.get((indicator.id, self_cents, reviewed_cents))
                if known is None:
                    known = manual[(indicator.id, self_cents, reviewed_cents)] = (
                        _manual_detail(indicator, self_cents, reviewed_cents)
                    )
                points, (head, tail) = known
                details.append(
                    f'{head}{score_id},"evidence":{_JSON_BOOL[evidence]}{tail}'
                )
                applicable = True
            else:
                key = (
                    indicator.id,
                    auto_rules.facts_key(
                        indicator.method, unit_facts, months, unit_below
                    ),
                )
                known = outcomes.get(key)
                if known is None:
                    outcome = auto_rules.evaluate(
                        indicator.method,
                        indicator.kind,
                        indicator.max_points,
                        indicator.params,
                        unit_facts,
                        months,
                        unit_below,
                    )
                    known = outcomes[key] = (
                        _to_cents(outcome.points) if outcome.applicable else None,
                        _json_text(outcome.how),
                        outcome.ratio,
                    )
                points, how, ratio = known
                applicable = points is not None
                if not applicable:
                    points = 0
                if indicator.method == "key_work" and key_work_ratio is None:
                    key_work_ratio = ratio
            if applicable:
                # scoring.unit_totals: each result clamped to [0, its max] again.
                counted = min(max(points, 0), indicator.top)
                kind = indicator.kind
                if kind == BASE:
                    base_points += counted
                    base_max += indicator.top
                    if indicator.category_id is not None:
                        entry = categories.get(indicator.category_id)
                        if entry is None:
                            categories[indicator.category_id] = [counted, indicator.top]
                        else:
                            entry[0] += counted
                            entry[1] += indicator.top
                elif kind == BONUS:
                    bonus += counted
                elif kind == DEDUCTION:
                    deduction += counted
                elif kind == VETO:
                    veto = veto or points > 0  # IndicatorResult.veto_hit
            if indicator.method == "manual" and reason is None:
                continue  # its detail is written above
            if score is None:
                scored = '"self":null,"reviewed":null,"score_id":null,"evidence":false'
            else:
                score_id, self_cents, reviewed_cents, evidence = score
                scored = (
                    f'"self":{_score_text(self_cents)},'
                    f'"reviewed":{_score_text(reviewed_cents)},'
                    f'"score_id":{score_id},"evidence":{_JSON_BOOL[evidence]}'
                )
            details.append(
                f'{{"id":{indicator.id},"points":"{_cents_text(points)}",'
                f'"applicable":{_JSON_BOOL[applicable]},{scored},"how":{how}}}'
            )
        base = _rescaled_base(base_points, base_max)
        bonus = min(bonus_cap, bonus)
        total = max(0, base + bonus - deduction)
        group, peer_union_id = peer_group_of(unit, unit_level)
        lines.append(
            Line(
                unit=unit,
                peer_group=group,
                peer_union_id=peer_union_id,
                base=_from_cents(base),
                bonus=_from_cents(bonus),
                deduction=_from_cents(deduction),
                total=_from_cents(total),
                veto=veto,
                grade=_grade_of(total, veto),
                overdue_months=months,
                key_work_ratio=key_work_ratio,
                categories=[
                    {
                        "id": category_id,
                        "points": _cents_text(points),
                        "max": _cents_text(maximum),
                    }
                    for category_id, (points, maximum) in categories.items()
                ],
                indicators_json="[" + ",".join(details) + "]",
            )
        )
    _rank_and_compare(lines, previous)
    return lines


def _rank_and_compare(lines: list[Line], previous: dict) -> None:
    ranks = ranks_within_groups(
        (line.unit.pk, line.peer_group, line.total, line.veto) for line in lines
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
            reports__status="done",
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


# --- writing the rows ------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


class _CopySource:
    """A file-like view of an iterator of COPY text lines, read by ``copy_expert``.

    Each read hands over the next few hundred whole lines, whatever size was asked
    for: psycopg2 sends what it is given, and cutting the text to the asked size
    would copy the rest of the buffer on every read (seconds for a city quarter).
    """

    LINES_PER_READ = 200

    def __init__(self, lines):
        self._lines = iter(lines)

    def read(self, size: int = -1) -> str:
        return "".join(islice(self._lines, self.LINES_PER_READ))

    readline = read


ROW_COLUMNS = (
    "report_id",
    "unit_id",
    "peer_group",
    "peer_union_id",
    "base",
    "bonus",
    "deduction",
    "total",
    "veto",
    "grade",
    "rank",
    "previous_total",
    "change",
    "previous_rank",
    "overdue_months",
    "key_work_ratio",
    "categories",
    "indicators",
)


def _copy_line(report_id: int, line: Line) -> str:
    values = (
        report_id,
        line.unit.pk,
        line.peer_group,
        line.peer_union_id,
        line.base,
        line.bonus,
        line.deduction,
        line.total,
        line.veto,
        line.grade,
        line.rank,
        line.previous_total,
        line.change,
        line.previous_rank,
        line.overdue_months,
        line.key_work_ratio,
        _json_text(line.categories),
        line.indicators_json,
    )
    return "\t".join([_copy_value(v) for v in values]) + "\n"


def write_rows(report, lines: list[Line]) -> int:
    """Replaces the report's rows with the lines (inside the caller's transaction).

    On PostgreSQL the rows go in with one COPY (a city quarter's 15,000 rows of
    JSON detail in about a second); elsewhere with ``bulk_create`` in big batches.
    The caller has checked, under a lock, that the period is not locked.
    """
    QuarterReportRow.objects.filter(report=report).delete()
    if connection.vendor != "postgresql":
        QuarterReportRow.objects.bulk_create(
            (line.as_row(report) for line in lines), batch_size=2000
        )
        return len(lines)
    fields = {f.column for f in QuarterReportRow._meta.concrete_fields}
    if fields - {"id"} != set(ROW_COLUMNS):
        raise RuntimeError("QuarterReportRow has changed: update engine.ROW_COLUMNS")
    table = connection.ops.quote_name(QuarterReportRow._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ROW_COLUMNS)
    source = _CopySource(_copy_line(report.pk, line) for line in lines)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", source)
    return len(lines)
