"""Automatic indicators (docs/design.md §4), as pure functions over a unit's facts.

Each rule takes the indicator's settings and the unit's facts (planning's
``UnitPlanningFacts``, or anything with the same attributes) and returns an
``Outcome``: the points, and ``how`` — a message key with its numbers that the
pages turn into "7 of 9 reports on time" in the reader's language (see
``assessments.explain``). ``points is None`` means "not applicable": there was
nothing to measure, and the unit's base is rescaled over the other indicators.
"""

from dataclasses import dataclass
from decimal import Decimal

from .scoring import ZERO, cents, clamp, scale, to_decimal


@dataclass(frozen=True)
class Outcome:
    points: Decimal | None
    how: dict
    ratio: float | None = None

    @property
    def applicable(self) -> bool:
        return self.points is not None


def _num(value) -> str:
    """A number for the ``how`` record: JSON has no Decimal."""
    value = to_decimal(value)
    if value == value.to_integral():
        return str(int(value))
    return str(cents(value))


def key_work(facts, max_points) -> Outcome:
    """Σ(weight × min(achieved/target, 1)) ÷ Σ weight over projects due by the end."""
    weight_total = to_decimal(getattr(facts, "completion_weight_total", 0))
    projects = int(getattr(facts, "projects_due", 0) or 0)
    if weight_total <= 0 or projects == 0:
        return Outcome(None, {"key": "key_work_none", "params": {}})
    ratio = min(to_decimal(facts.completion_weighted) / weight_total, Decimal("1"))
    ratio = max(ratio, ZERO)
    return Outcome(
        scale(ratio, max_points),
        {
            "key": "key_work",
            "params": {
                "percent": _num(ratio * 100),
                "projects": projects,
            },
        },
        float(ratio),
    )


def timeliness(facts, max_points) -> Outcome:
    """Progress reports submitted by their deadline ÷ reports due in the period."""
    due = int(getattr(facts, "reports_due", 0) or 0)
    if due <= 0:
        return Outcome(None, {"key": "timeliness_none", "params": {}})
    on_time = min(int(facts.reports_on_time or 0), due)
    ratio = Decimal(on_time) / Decimal(due)
    return Outcome(
        scale(ratio, max_points),
        {"key": "timeliness", "params": {"on_time": on_time, "due": due}},
        float(ratio),
    )


def _against_target(count: int, target, max_points, key: str) -> Outcome:
    target = int(target or 0)
    if target <= 0:
        # Refused when the scheme is saved; kept safe here all the same.
        return Outcome(None, {"key": "no_target", "params": {}})
    ratio = min(Decimal(count) / Decimal(target), Decimal("1"))
    return Outcome(
        scale(ratio, max_points),
        {"key": key, "params": {"count": count, "target": target}},
        float(ratio),
    )


def activities(facts, max_points, *, target) -> Outcome:
    """Carrier-activity events held ÷ the scheme's target, capped at 1."""
    held = int(getattr(facts, "events_held", 0) or 0)
    return _against_target(held, target, max_points, "activities")


def training(facts, max_points, *, target) -> Outcome:
    """Trainees of training sessions ÷ the scheme's target, capped at 1."""
    trainees = int(getattr(facts, "trainees", 0) or 0)
    return _against_target(trainees, target, max_points, "training")


def terms(overdue_months: int, max_points, *, per_month, kind: str) -> Outcome:
    """Full points unless a term is overdue at the period's end; a deduction per month.

    As a base indicator: max − months × per month, never below 0. As a deduction
    indicator: months × per month, never above its max.
    """
    months = max(int(overdue_months or 0), 0)
    per_month = to_decimal(per_month)
    deducted = per_month * months
    if kind == "deduction":
        points = clamp(deducted, max_points)
    else:
        points = clamp(to_decimal(max_points) - deducted, max_points)
    if months == 0:
        return Outcome(points, {"key": "terms_ok", "params": {}}, 1.0)
    return Outcome(
        points,
        {
            "key": "terms_overdue",
            "params": {"months": months, "per_month": _num(per_month)},
        },
        None,
    )


def terms_below(below, max_points, *, per, count: str, kind: str) -> Outcome:
    """The office terms of the units below the assessed union: a deduction per
    overdue unit (``count`` "unit") or per overdue month of each (``count``
    "month"), capped at the indicator's max points.

    ``below`` is ``((name_zh, name_en, months), ...)``, the overdue units below
    (``sources.overdue_below``); the ``how`` names each of them. A unit overdue
    by less than a whole month (0 months) counts as an overdue unit, and for 0
    months when months are counted.
    """
    below = list(below or ())
    per = to_decimal(per)
    steps = len(below) if count == "unit" else sum(int(unit[2]) for unit in below)
    deducted = per * steps
    if kind == "deduction":
        points = clamp(deducted, max_points)
    else:
        points = clamp(to_decimal(max_points) - deducted, max_points)
    if not below:
        return Outcome(points, {"key": "terms_below_ok", "params": {}}, 1.0)
    return Outcome(
        points,
        {
            "key": "terms_below_overdue",
            "params": {
                "units": [
                    {"zh": zh, "en": en, "months": int(months)}
                    for zh, en, months in below
                ],
                "count": "unit" if count == "unit" else "month",
                "per": _num(per),
                "deducted": _num(min(deducted, to_decimal(max_points))),
            },
        },
        None,
    )


def publicity(facts, max_points, *, points_per_level: dict) -> Outcome:
    """Points per published item by media level, capped at the indicator's max."""
    published = getattr(facts, "publicity", None) or {}
    raw = ZERO
    counted = {}
    for level, per_item in points_per_level.items():
        count = int(published.get(level, 0) or 0)
        if count:
            counted[level] = count
            raw += to_decimal(per_item) * count
    return Outcome(
        clamp(raw, max_points),
        {
            "key": "publicity",
            "params": {"items": counted, "raw": _num(raw)},
        },
        None,
    )


def indicator_params(indicator) -> dict:
    """An indicator's parameters as the rules read them: an office-terms rule's
    ``scope`` (own or below) and ``count`` (month or unit) go in with them."""
    params = dict(indicator.params or {})
    if indicator.method == "terms":
        params["scope"] = indicator.term_scope
        params["count"] = indicator.term_count
    return params


def facts_key(method: str, facts, overdue_months: int, below=()):
    """What ``evaluate`` reads of a unit for ``method``: two units with the same key
    get the same outcome, so the report job works each outcome out once. Keep it in
    step with the rules above (a rule that reads another fact must add it here)."""
    if method == "key_work":
        return (
            getattr(facts, "completion_weighted", 0),
            getattr(facts, "completion_weight_total", 0),
            getattr(facts, "projects_due", 0),
        )
    if method == "timeliness":
        return (getattr(facts, "reports_due", 0), getattr(facts, "reports_on_time", 0))
    if method == "activities":
        return getattr(facts, "events_held", 0)
    if method == "training":
        return getattr(facts, "trainees", 0)
    if method == "terms":
        return (overdue_months, below)
    if method == "publicity":
        return tuple(sorted((getattr(facts, "publicity", None) or {}).items()))
    raise ValueError(f"unknown automatic rule {method!r}")


def evaluate(
    method: str,
    kind: str,
    max_points,
    params: dict,
    facts,
    overdue_months: int,
    below=(),
) -> Outcome:
    """Runs the automatic rule named ``method`` for one unit; ``below`` are the
    overdue units below it, read by an office-terms rule that counts them."""
    params = params or {}
    if method == "key_work":
        return key_work(facts, max_points)
    if method == "timeliness":
        return timeliness(facts, max_points)
    if method == "activities":
        return activities(facts, max_points, target=params.get("target"))
    if method == "training":
        return training(facts, max_points, target=params.get("target"))
    if method == "terms" and params.get("scope") == "below":
        return terms_below(
            below,
            max_points,
            per=params.get("per_month"),
            count=params.get("count", "unit"),
            kind=kind,
        )
    if method == "terms":
        return terms(
            overdue_months, max_points, per_month=params.get("per_month"), kind=kind
        )
    if method == "publicity":
        return publicity(facts, max_points, points_per_level=params.get("points", {}))
    raise ValueError(f"unknown automatic rule {method!r}")
