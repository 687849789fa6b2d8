"""The report engine's integer-cent arithmetic gives the numbers of the Decimal
rules in ``assessments.scoring`` (docs/scoring.md), for any scores."""

import json
import random
from decimal import Decimal as D

import pytest

from assessments import engine
from assessments.scoring import (
    IndicatorResult,
    cents,
    clamp,
    unit_totals,
)
from assessments.sources import EmptyFacts

KINDS = ["base", "base", "base", "bonus", "deduction", "veto"]


def _rules(rng: random.Random) -> dict:
    indicators = []
    for n in range(1, rng.randint(2, 9)):
        kind = rng.choice(KINDS)
        method = "manual"
        if kind == "base" and rng.random() < 0.3:
            method = rng.choice(["timeliness", "key_work", "terms"])
        indicators.append(
            {
                "id": n,
                "code": f"I{n}",
                "category_id": rng.choice([1, 2, None]),
                "name_zh": f"指标{n}",
                "name_en": f"Indicator {n}",
                "kind": kind,
                "method": method,
                "max_points": str(cents(D(rng.randint(0, 4000)) / 100)),
                "params": {"per_month": "1.5"} if method == "terms" else {},
            }
        )
    return {
        "scheme": {
            "unit_level": "grassroots",
            "bonus_cap": rng.choice(["5.00", "3.50"]),
        },
        "categories": [],
        "indicators": indicators,
        "exemptions": [
            {"indicator_id": i["id"], "unit_id": 7, "reason": 'n/a "quoted"\n'}
            for i in indicators
            if i["kind"] == "base" and rng.random() < 0.2
        ],
    }


def _points(rng):
    return None if rng.random() < 0.15 else rng.randint(-500, 5000)


def _decimal_totals(rules, scores, facts, months):
    """The unit's totals the slow way: Decimal rules, one indicator at a time."""
    from assessments import rules as auto_rules

    exempt = {e["indicator_id"] for e in rules["exemptions"]}
    results = []
    for indicator in rules["indicators"]:
        max_points = D(indicator["max_points"])
        score = scores.get(indicator["id"])
        if indicator["id"] in exempt:
            continue
        if indicator["method"] == "manual":
            top = D(1) if indicator["kind"] == "veto" else max_points
            effective = None
            if score is not None:
                effective = score[2] if score[2] is not None else score[1]
            value = D(effective or 0) / 100
            points = clamp(value, top)
            results.append(
                IndicatorResult(
                    indicator["id"], indicator["kind"], top, points, True, None
                )
            )
        else:
            outcome = auto_rules.evaluate(
                indicator["method"],
                indicator["kind"],
                max_points,
                indicator["params"],
                facts,
                months,
            )
            results.append(
                IndicatorResult(
                    indicator["id"],
                    indicator["kind"],
                    max_points,
                    outcome.points if outcome.applicable else D(0),
                    outcome.applicable,
                    None,
                )
            )
    return unit_totals(results, D(rules["scheme"]["bonus_cap"]))


@pytest.mark.parametrize("seed", range(40))
def test_integer_cents_give_the_decimal_rules_totals(seed):
    rng = random.Random(seed)
    rules = _rules(rng)
    units = [engine.UnitRef(7, 1), engine.UnitRef(8, 1), engine.UnitRef(9, 2)]
    scores = {
        unit.pk: {
            i["id"]: (100 + i["id"], _points(rng), _points(rng), rng.random() < 0.1)
            for i in rules["indicators"]
            if rng.random() < 0.9
        }
        for unit in units
    }
    facts = {
        unit.pk: EmptyFacts(
            reports_due=rng.randint(0, 9),
            reports_on_time=rng.randint(0, 9),
            completion_weighted=rng.random() * 5,
            completion_weight_total=rng.choice([0, 5.0]),
            projects_due=rng.randint(0, 3),
        )
        for unit in units
    }
    overdue = {unit.pk: rng.randint(0, 4) for unit in units}
    lines = engine.compute_lines(
        rules=rules,
        units=units,
        scores=scores,
        facts=facts,
        overdue=overdue,
        previous={},
    )
    for line in lines:
        unit_id = line.unit.pk
        scores_of = {
            k: v
            for k, v in scores[unit_id].items()
            if not (
                unit_id == 7 and k in {e["indicator_id"] for e in rules["exemptions"]}
            )
        }
        expected = _decimal_totals(
            {**rules, "exemptions": [] if unit_id != 7 else rules["exemptions"]},
            scores_of,
            facts[unit_id],
            overdue[unit_id],
        )
        assert (line.base, line.bonus, line.deduction, line.total) == (
            expected.base,
            expected.bonus,
            expected.deduction,
            expected.total,
        )
        assert (line.veto, line.grade) == (expected.veto, expected.grade)
        assert str(line.total) == str(expected.total)
        details = json.loads(line.indicators_json)
        assert [d["id"] for d in details] == [i["id"] for i in rules["indicators"]]


def test_the_detail_of_an_exempt_indicator_keeps_its_reason_as_written():
    rules = {
        "scheme": {"unit_level": "subdistrict", "bonus_cap": "5.00"},
        "categories": [],
        "indicators": [
            {
                "id": 1,
                "category_id": None,
                "kind": "base",
                "method": "manual",
                "max_points": "100.00",
                "params": {},
            }
        ],
        "exemptions": [{"indicator_id": 1, "unit_id": 3, "reason": 'a "b"\n\\c 中'}],
    }
    (line,) = engine.compute_lines(
        rules=rules,
        units=[engine.UnitRef(3, None)],
        scores={},
        facts={},
        overdue={},
        previous={},
    )
    assert line.indicators[0]["how"] == {
        "key": "exempt",
        "params": {"reason": 'a "b"\n\\c 中'},
    }
    assert line.total == D("0.00")
