"""Running totals on the scoring page, recomputed from what is being typed.

This is the one place that scores outside the report job: one unit, its own page,
while it is being scored. Dashboards and scorecards read snapshots instead.
"""

from decimal import Decimal, InvalidOperation

from . import rules as auto_rules
from . import sources
from .scoring import ZERO, IndicatorResult, clamp, unit_totals


def _typed(data, key: str, fallback):
    """The number typed in ``key``; the fallback when the field is absent; None
    when it was emptied or is not a number."""
    if data is None or key not in data:
        return fallback
    raw = (data.get(key) or "").strip()
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def automatic_outcomes(period, unit, rows) -> dict:
    """{indicator id: rules.Outcome} for the unit's automatic indicators."""
    auto = [r["indicator"] for r in rows if not r["indicator"].is_manual]
    if not auto:
        return {}
    facts = sources.facts_for(
        sources.planning_facts(union_ids=[unit.pk], start=period.start, end=period.end),
        unit.pk,
    )
    months = sources.overdue_months(union_ids=[unit.pk], at=period.end).get(unit.pk, 0)
    below = ()
    if any(getattr(i, "term_scope", "own") == "below" for i in auto):
        below = sources.overdue_below(
            root_path=unit.path, union_ids=[unit.pk], at=period.end
        ).get(unit.pk, ())
    return {
        indicator.pk: auto_rules.evaluate(
            indicator.method,
            indicator.kind,
            indicator.max_points,
            auto_rules.indicator_params(indicator),
            facts,
            months,
            below,
        )
        for indicator in auto
    }


def running_totals(period, unit, rows, outcomes: dict, data=None) -> dict:
    """The self-assessment total and the reviewed total, from typed values where
    given and stored ones elsewhere, plus the indicators whose value is out of range."""
    self_results, reviewed_results = [], []
    out_of_range = []
    for row in rows:
        indicator, score = row["indicator"], row["score"]
        pk = indicator.pk
        top = indicator.score_max
        applicable = row["exempt_reason"] is None
        if indicator.is_manual:
            stored_self = score.self_score if score else None
            stored_reviewed = score.reviewed_score if score else None
            self_value = _typed(data, f"self_score_{pk}", stored_self)
            reviewed_value = _typed(data, f"reviewed_score_{pk}", stored_reviewed)
            for value in (self_value, reviewed_value):
                if value is not None and (value < 0 or value > top):
                    out_of_range.append(indicator.code)
                    break
            self_points = clamp(self_value or ZERO, top)
            reviewed_points = clamp(
                reviewed_value if reviewed_value is not None else (self_value or ZERO),
                top,
            )
        else:
            outcome = outcomes.get(pk)
            if outcome is None or not outcome.applicable:
                applicable = False
                self_points = reviewed_points = ZERO
            else:
                self_points = reviewed_points = outcome.points
        for target, points in (
            (self_results, self_points),
            (reviewed_results, reviewed_points),
        ):
            target.append(
                IndicatorResult(
                    indicator_id=pk,
                    kind=indicator.kind,
                    max_points=top,
                    points=points,
                    applicable=applicable,
                    category_id=indicator.category_id,
                )
            )
    bonus_cap = period.scheme.bonus_cap
    return {
        "self": unit_totals(self_results, bonus_cap),
        "reviewed": unit_totals(reviewed_results, bonus_cap),
        "out_of_range": sorted(set(out_of_range)),
    }
