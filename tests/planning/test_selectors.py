from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from planning.models import ActivityEvent
from planning.selectors import UnitPlanningFacts, assessment_facts, outstanding_slots
from tests.unions.factories import grassroots_factory

from .factories import (
    EventFactory,
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    WorkPlanFactory,
)

YEAR = timezone.localdate().year - 1  # a year wholly in the past
Q2 = (date(YEAR, 4, 1), date(YEAR, 6, 30))


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def last_year_item(district):
    plan = WorkPlanFactory(owner=district, year=YEAR, report_due_days=5)
    return PlanItemFactory(plan=plan, due_date=date(YEAR, 12, 31))


def _project(item, owner, **kwargs):
    defaults = {
        "start_date": date(YEAR, 1, 1),
        "due_date": date(YEAR, 12, 31),
    }
    return ProjectFactory(item=item, owner=owner, **{**defaults, **kwargs})


def _report(project, month, *, union=None, submitted=None, **kwargs):
    from planning import rules

    period = rules.period_for("monthly", date(YEAR, month, 1), 5)
    return ReportFactory(
        project=project,
        union=union or project.owner,
        period=period,
        submitted_at=_at(submitted) if submitted else None,
        first_submitted_at=_at(submitted) if submitted else None,
        **kwargs,
    )


def test_no_unions_give_no_facts(db):
    assert assessment_facts(union_ids=[], start=Q2[0], end=Q2[1]) == {}


def test_a_unit_without_work_has_zero_denominators(grassroots):
    facts = assessment_facts(union_ids=[grassroots.pk], start=Q2[0], end=Q2[1])
    assert facts[grassroots.pk] == UnitPlanningFacts(
        completion_weighted=0.0,
        completion_weight_total=0.0,
        projects_due=0,
        reports_due=0,
        reports_on_time=0,
        events_held=0,
        trainees=0,
        publicity={"district": 0, "city": 0, "province": 0, "national": 0},
    )


def test_completion_is_weighted_and_capped(last_year_item, grassroots):
    half = _project(
        last_year_item, grassroots, due_date=date(YEAR, 6, 1), weight=Decimal(2)
    )
    over = ProjectFactory(
        item=PlanItemFactory(plan=last_year_item.plan),
        owner=grassroots,
        start_date=date(YEAR, 1, 1),
        due_date=date(YEAR, 5, 1),
        target_value=Decimal(10),
    )
    later = ProjectFactory(
        item=PlanItemFactory(plan=last_year_item.plan),
        owner=grassroots,
        start_date=date(YEAR, 1, 1),
        due_date=date(YEAR, 9, 30),
    )
    _report(
        half,
        5,
        status="approved",
        achieved_value=Decimal(50),
        submitted=date(YEAR, 6, 2),
    )
    _report(
        over,
        4,
        status="approved",
        achieved_value=Decimal(20),
        submitted=date(YEAR, 5, 2),
    )
    _report(
        later,
        5,
        status="approved",
        achieved_value=Decimal(100),
        submitted=date(YEAR, 6, 2),
    )
    facts = assessment_facts(union_ids=[grassroots.pk], start=Q2[0], end=Q2[1])[
        grassroots.pk
    ]
    assert facts.projects_due == 2
    assert facts.completion_weight_total == 3.0
    assert facts.completion_weighted == pytest.approx(2 * 0.5 + 1 * 1)


def test_unapproved_progress_does_not_count_toward_completion(
    last_year_item, grassroots
):
    project = _project(last_year_item, grassroots, due_date=date(YEAR, 6, 1))
    _report(
        project,
        5,
        status="submitted",
        achieved_value=Decimal(100),
        submitted=date(YEAR, 6, 2),
    )
    facts = assessment_facts(union_ids=[grassroots.pk], start=Q2[0], end=Q2[1])
    assert facts[grassroots.pk].completion_weighted == 0


def test_timeliness_counts_due_reports_and_first_submissions(
    last_year_item, grassroots
):
    project = _project(last_year_item, grassroots)
    # Deadlines in Q2: March (Apr 5), April (May 5), May (Jun 5).
    _report(project, 3, submitted=date(YEAR, 4, 5), status="approved")  # on time
    _report(project, 4, submitted=date(YEAR, 5, 6), status="approved")  # late
    # May: never written.
    facts = assessment_facts(union_ids=[grassroots.pk], start=Q2[0], end=Q2[1])
    assert (facts[grassroots.pk].reports_due, facts[grassroots.pk].reports_on_time) == (
        3,
        1,
    )


def test_participants_owe_reports_too(last_year_item, grassroots, grassroots_sibling):
    project = _project(last_year_item, grassroots)
    project.participants.add(grassroots_sibling)
    _report(project, 3, union=grassroots_sibling, submitted=date(YEAR, 4, 1))
    facts = assessment_facts(union_ids=[grassroots_sibling.pk], start=Q2[0], end=Q2[1])
    assert facts[grassroots_sibling.pk].reports_due == 3
    assert facts[grassroots_sibling.pk].reports_on_time == 1
    assert facts[grassroots_sibling.pk].projects_due == 0


def test_events_trainees_and_publicity_in_the_period(grassroots):
    EventFactory(union=grassroots, date=date(YEAR, 4, 2))
    EventFactory(union=grassroots, date=date(YEAR, 6, 30))
    EventFactory(union=grassroots, date=date(YEAR, 7, 1))  # outside
    for trainees in (10, 5):
        EventFactory(
            union=grassroots,
            kind=ActivityEvent.Kind.TRAINING,
            date=date(YEAR, 5, 1),
            trainees=trainees,
        )
    for level in ("city", "national", "national"):
        EventFactory(
            union=grassroots,
            kind=ActivityEvent.Kind.PUBLICITY,
            date=date(YEAR, 5, 1),
            media_level=level,
        )
    facts = assessment_facts(union_ids=[grassroots.pk], start=Q2[0], end=Q2[1])[
        grassroots.pk
    ]
    assert (facts.events_held, facts.trainees) == (2, 15)
    assert facts.publicity == {"district": 0, "city": 1, "province": 0, "national": 2}


def _facts_queries(union_ids):
    with CaptureQueriesContext(connection) as ctx:
        assessment_facts(union_ids=union_ids, start=Q2[0], end=Q2[1])
    return len(ctx)


def test_assessment_facts_runs_a_constant_number_of_queries(
    last_year_item, subdistrict
):
    unions = [grassroots_factory(subdistrict) for _ in range(5)]
    for union in unions:
        project = _project(PlanItemFactory(plan=last_year_item.plan), union)
        _report(project, 4, status="approved", submitted=date(YEAR, 5, 1))
        EventFactory(union=union, date=date(YEAR, 5, 1))
    one = _facts_queries([unions[0].pk])
    assert _facts_queries([u.pk for u in unions]) == one


def test_outstanding_slots_show_missing_and_returned_reports(project, grassroots):
    from .factories import past_period

    ReportFactory(project=project, period=past_period(project, 1), status="returned")
    ReportFactory(project=project, period=past_period(project, 2), status="approved")
    slots = outstanding_slots(union_ids=[grassroots.pk])
    states = {s.period.start: s.state for s in slots}
    assert states[past_period(project, 1).start] == "returned"
    assert past_period(project, 2).start not in states
    assert states[past_period(project, 3).start] == "late"


def test_running_period_without_a_draft_is_not_listed(project, grassroots):
    from .factories import past_period

    running = past_period(project, 0)
    slots = outstanding_slots(union_ids=[grassroots.pk])
    assert running.start not in {s.period.start for s in slots}
