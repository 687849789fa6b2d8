"""The automatic indicators of §4, each scaled to its max points, with empty cases."""

from decimal import Decimal as D

from django.utils import translation

from assessments import rules
from assessments.explain import explain
from assessments.sources import EmptyFacts


def facts(**values):
    return EmptyFacts(**values)


def test_key_work_is_the_weighted_completion_scaled_to_max():
    outcome = rules.key_work(
        facts(completion_weighted=3.0, completion_weight_total=4.0, projects_due=3),
        D("20"),
    )
    assert outcome.points == D("15.00")
    assert outcome.ratio == 0.75


def test_key_work_without_projects_due_is_not_applicable():
    outcome = rules.key_work(facts(), D("20"))
    assert outcome.points is None
    assert outcome.how["key"] == "key_work_none"


def test_key_work_never_exceeds_max():
    outcome = rules.key_work(
        facts(completion_weighted=9.0, completion_weight_total=4.0, projects_due=2),
        D("20"),
    )
    assert outcome.points == D("20.00")


def test_timeliness_is_on_time_over_due():
    outcome = rules.timeliness(facts(reports_due=9, reports_on_time=7), D("10"))
    assert outcome.points == D("7.78")


def test_timeliness_explains_itself():
    outcome = rules.timeliness(facts(reports_due=9, reports_on_time=7), D("10"))
    with translation.override("en"):
        assert explain(outcome.how) == "7 of 9 reports on time"


def test_timeliness_without_reports_due_is_not_applicable():
    outcome = rules.timeliness(facts(reports_due=0, reports_on_time=0), D("10"))
    assert outcome.points is None


def test_activities_against_target_is_capped_at_one():
    assert rules.activities(facts(events_held=9), D("8"), target=4).points == D("8.00")


def test_activities_half_the_target_gives_half_the_points():
    assert rules.activities(facts(events_held=2), D("8"), target=4).points == D("4.00")


def test_activities_with_no_events_give_zero():
    outcome = rules.activities(facts(events_held=0), D("8"), target=4)
    assert outcome.points == D("0.00")
    assert outcome.applicable


def test_activities_with_no_target_are_not_applicable():
    assert rules.activities(facts(events_held=3), D("8"), target=0).points is None


def test_training_is_trainees_over_target():
    assert rules.training(facts(trainees=150), D("10"), target=200).points == D("7.50")


def test_terms_on_time_give_full_points():
    outcome = rules.terms(0, D("10"), per_month="2", kind="base")
    assert outcome.points == D("10.00")
    assert outcome.how["key"] == "terms_ok"


def test_terms_overdue_deduct_per_month():
    assert rules.terms(3, D("10"), per_month="2", kind="base").points == D("4.00")


def test_terms_long_overdue_stop_at_zero():
    assert rules.terms(12, D("10"), per_month="2", kind="base").points == D("0.00")


def test_terms_as_a_deduction_indicator_deduct_up_to_its_max():
    assert rules.terms(2, D("5"), per_month="2", kind="deduction").points == D("4.00")
    assert rules.terms(9, D("5"), per_month="2", kind="deduction").points == D("5.00")


def test_publicity_gives_points_per_item_by_level():
    outcome = rules.publicity(
        facts(publicity={"city": 2, "province": 1}),
        D("5"),
        points_per_level={"city": "1", "province": "2"},
    )
    assert outcome.points == D("4.00")


def test_publicity_is_capped_at_max():
    outcome = rules.publicity(
        facts(publicity={"national": 4}), D("5"), points_per_level={"national": "3"}
    )
    assert outcome.points == D("5.00")


def test_publicity_ignores_levels_the_scheme_does_not_score():
    outcome = rules.publicity(
        facts(publicity={"district": 5}), D("5"), points_per_level={"city": "1"}
    )
    assert outcome.points == D("0.00")


def test_evaluate_dispatches_on_the_method():
    outcome = rules.evaluate(
        "training", "base", D("10"), {"target": 10}, facts(trainees=5), 0
    )
    assert outcome.points == D("5.00")
