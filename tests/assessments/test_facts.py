"""The automatic indicators wired to the real planning and unions selectors."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from assessments import services, sources
from assessments.models import Period, QuarterReport
from planning.models import ActivityEvent, ProgressReport
from planning.selectors import assessment_facts
from tests.planning.factories import (
    EventFactory,
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    WorkPlanFactory,
)
from tests.unions.factories import term_factory

from .factories import CategoryFactory, IndicatorFactory, PeriodFactory, SchemeFactory


@pytest.fixture
def auto_scheme(district, admin_user):
    """Every automatic rule, in one active scheme for sub-district unions."""
    scheme = SchemeFactory(owner=district, year=timezone.localdate().year)
    category = CategoryFactory(scheme=scheme)
    for code, method, points, params in (
        ("K", "key_work", "30", {}),
        ("T", "timeliness", "20", {}),
        ("A", "activities", "20", {"target": 2}),
        ("R", "training", "10", {"target": 10}),
        ("O", "terms", "20", {"per_month": "2"}),
    ):
        IndicatorFactory(
            category=category,
            code=code,
            method=method,
            max_points=D(points),
            params=params,
        )
    IndicatorFactory(
        category=category,
        code="P",
        kind="bonus",
        method="publicity",
        max_points=D("5"),
        params={"points": {"city": "1", "province": "2"}},
    )
    services.scheme_activate(scheme=scheme, by=admin_user)
    return scheme


@pytest.fixture
def facts_period(auto_scheme):
    today = timezone.localdate()
    return PeriodFactory(
        scheme=auto_scheme,
        kind=Period.Kind.Q1,
        start=today - timedelta(days=80),
        end=today,
    )


def build(period, admin_user):
    services.period_close(period=period, by=admin_user)
    return services.report_build(period_id=period.pk)


def details(report, unit):
    row = report.rows.get(unit=unit)
    codes = {i["id"]: i["code"] for i in report.rules["indicators"]}
    return row, {codes[d["id"]]: d for d in row.indicators}


def test_events_training_and_publicity_come_from_planning(
    facts_period, subdistrict, admin_user
):
    today = timezone.localdate()
    EventFactory(union=subdistrict, date=today)
    EventFactory(
        union=subdistrict, kind=ActivityEvent.Kind.TRAINING, trainees=5, date=today
    )
    EventFactory(
        union=subdistrict,
        kind=ActivityEvent.Kind.PUBLICITY,
        media_level="province",
        date=today,
    )
    EventFactory(
        union=subdistrict,
        kind=ActivityEvent.Kind.PUBLICITY,
        media_level="city",
        date=today,
    )
    row, by_code = details(build(facts_period, admin_user), subdistrict)
    assert by_code["A"]["how"] == {
        "key": "activities",
        "params": {"count": 1, "target": 2},
    }
    assert by_code["A"]["points"] == "10.00"
    assert by_code["R"]["points"] == "5.00"
    assert by_code["P"]["points"] == "3.00"
    assert row.bonus == D("3.00")


def test_an_overdue_term_is_deducted_per_month(
    facts_period, subdistrict, other_subdistrict, admin_user
):
    today = timezone.localdate()
    term_factory(other_subdistrict, planned_end=today - timedelta(days=75))
    term_factory(subdistrict, planned_end=today + timedelta(days=300))
    months = sources.overdue_months(union_ids=[other_subdistrict.pk], at=today)[
        other_subdistrict.pk
    ]
    assert months >= 2
    report = build(facts_period, admin_user)
    overdue_row, overdue = details(report, other_subdistrict)
    _row, on_time = details(report, subdistrict)
    assert overdue["O"]["points"] == f"{max(0, 20 - 2 * months)}.00"
    assert overdue_row.overdue_months == months
    assert on_time["O"]["how"] == {"key": "terms_ok", "params": {}}
    assert report.summary["overdue_units"] == 1


def test_key_work_follows_the_approved_reports(
    facts_period, district, subdistrict, admin_user
):
    today = timezone.localdate()
    plan = WorkPlanFactory(owner=district, year=today.year)
    item = PlanItemFactory(plan=plan, due_date=today - timedelta(days=5))
    project = ProjectFactory(
        item=item,
        owner=subdistrict,
        start_date=today - timedelta(days=70),
        due_date=today - timedelta(days=5),
    )
    ReportFactory(
        project=project, achieved_value=D(50), status=ProgressReport.Status.APPROVED
    )
    facts = assessment_facts(
        union_ids=[subdistrict.pk], start=facts_period.start, end=facts_period.end
    )[subdistrict.pk]
    assert facts.projects_due == 1
    row, by_code = details(build(facts_period, admin_user), subdistrict)
    expected = (
        D("30")
        * D(str(facts.completion_weighted))
        / D(str(facts.completion_weight_total))
    )
    assert D(by_code["K"]["points"]) == expected.quantize(D("0.01"))
    assert by_code["K"]["how"]["key"] == "key_work"
    assert row.key_work_ratio == pytest.approx(
        facts.completion_weighted / facts.completion_weight_total
    )
    categories = QuarterReport.objects.get().summary["key_work_categories"]
    assert [c["category"] for c in categories] == [item.category]


def test_units_with_nothing_due_have_key_work_and_timeliness_rescaled(
    facts_period, other_subdistrict, admin_user
):
    row, by_code = details(build(facts_period, admin_user), other_subdistrict)
    assert by_code["K"]["applicable"] is False
    assert by_code["T"]["applicable"] is False
    # Activities and training count 0 of 30; terms give 20 of 20: 20 ÷ 50 × 100.
    assert row.base == D("40.00")


def test_a_missing_selector_fails_loudly_instead_of_scoring_zero(monkeypatch):
    from datetime import date

    from assessments import sources

    def gone(**kwargs):
        raise ImportError("planning.selectors moved")

    monkeypatch.setattr(sources, "assessment_facts", gone)
    with pytest.raises(ImportError):
        sources.planning_facts(
            union_ids=[1], start=date(2026, 1, 1), end=date(2026, 3, 31)
        )
