"""A scheme's rules and a period's lines: points, totals, grades and ranks, computed in whole cents."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from unions.models import Union

from .. import rules as auto_rules
from .. import sources
from ..models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    QuarterReportRow,
    UnitLevel,
)
from ..scoring import (
    BASE,
    BONUS,
    DEDUCTION,
    GRADE_FLOORS,
    UNQUALIFIED,
    VETO,
    cents,
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
