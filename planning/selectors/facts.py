"""What the assessment's automatic indicators count: completion, timeliness, events, training, publicity (a constant number of queries)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone

from .. import rules
from ..models import (
    ActivityEvent,
    KeyWorkProject,
    ProgressReport,
    WorkPlan,
)


@dataclass(frozen=True)
class UnitPlanningFacts:
    completion_weighted: float  # Σ weight × min(achieved / target, 1)
    completion_weight_total: float  # Σ weight, projects due in or before the period end
    projects_due: int
    reports_due: int  # progress reports whose deadline fell in the period
    reports_on_time: int  # ... of which submitted by their deadline
    events_held: int  # carrier-activity events in the period
    trainees: int  # trainees of training sessions in the period
    publicity: dict[str, int] = field(default_factory=dict)


MEDIA_LEVELS = tuple(ActivityEvent.MediaLevel.values)


@dataclass(frozen=True)
class DueReport:
    """One progress report a unit owed with its deadline in a period, as the
    timeliness indicator counts it."""

    project_id: int
    union_id: int
    period: "rules.ReportingPeriod"
    first_submitted_at: datetime | None
    on_time: bool


def _due_reports(among, projects, members, wanted, *, start, end, today):
    """Every report the units owed whose deadline fell within [start, end] and
    has passed (or was already met): one query for the submissions, the
    expected periods in Python. The one reading of timeliness, for
    ``assessment_facts`` and ``reports_due``."""
    submitted = {
        (project_id, union_id, period_start): first
        for project_id, union_id, period_start, first in ProgressReport.objects.filter(
            union_id__in=among,
            deadline__gte=start,
            deadline__lte=end,
            first_submitted_at__isnull=False,
        )
        .order_by()
        .values_list("project_id", "union_id", "period_start", "first_submitted_at")
    }
    # On time: first submitted before the local midnight that ends the deadline
    # day (the same as comparing local dates, without converting every datetime).
    day_ends = {}

    def day_end(deadline: date):
        if deadline not in day_ends:
            day_ends[deadline] = timezone.make_aware(
                datetime.combine(deadline + timedelta(days=1), time.min)
            )
        return day_ends[deadline]

    for project in projects:
        units = ({project.owner_id} | members[project.pk]) & wanted
        # Periods that ended more than due_days before the start have their
        # deadline before it: begin the walk at the first period that may count.
        periods = rules.expected_periods(
            frequency=project.frequency,
            due_days=project.due_days,
            start=max(project.start_date, start - timedelta(days=project.due_days)),
            due=project.due_date,
            completed_on=project.completed_on,
            until=end,
        )
        for period in periods:
            if not (start <= period.deadline <= end):
                continue
            for union_id in units:
                first = submitted.get((project.pk, union_id, period.start))
                if first is None and period.deadline >= today:
                    continue  # not yet due, not yet met
                yield DueReport(
                    project.pk,
                    union_id,
                    period,
                    first,
                    first is not None and first < day_end(period.deadline),
                )


def reports_due(*, union_id: int, start: date, end: date) -> list[DueReport]:
    """The progress reports one unit owed with a deadline in [start, end], as
    the timeliness indicator counts them (``assessment_facts``), by deadline.
    Three queries."""
    projects, members = _projects_of_units([union_id], due_from=start - _DEADLINE_REACH)
    rows = list(
        _due_reports(
            [union_id],
            projects,
            members,
            {union_id},
            start=start,
            end=end,
            today=timezone.localdate(),
        )
    )
    rows.sort(key=lambda r: (r.period.deadline, r.project_id))
    return rows


@dataclass(frozen=True)
class _SlotProject:
    """What timeliness needs of a project: plain values, no model instance."""

    pk: int
    owner_id: int
    start_date: date
    due_date: date
    completed_on: date | None
    frequency: str
    due_days: int


# A report's deadline comes at most this long after its period ends (the plan's
# report_due_days is at most 60), and a period ends at most a month after the due
# date; older projects cannot owe a report with a deadline in the period.
_DEADLINE_REACH = timedelta(days=60 + 31)


def _projects_of_units(among, *, due_from: date):
    """Projects of published or closed plans that the units own or take part in,
    due on or after ``due_from``, with their participants: two queries.

    The window matters at city scale: five years of plans hold 225,000 projects,
    of which a quarter's reports concern about a fifth; rows are read as values.
    """
    through = KeyWorkProject.participants.through
    participating = through.objects.filter(union_id__in=among).values(
        "keyworkproject_id"
    )
    relevant = (
        KeyWorkProject.objects.counted()
        .filter(plan__status__in=WorkPlan.COUNTED_STATUSES, due_date__gte=due_from)
        .filter(Q(owner_id__in=among) | Q(pk__in=participating))
    )
    projects = [
        _SlotProject(*row)
        for row in relevant.order_by().values_list(
            "pk",
            "owner_id",
            "start_date",
            "due_date",
            "completed_on",
            "plan__reporting_frequency",
            "plan__report_due_days",
        )
    ]
    members = defaultdict(set)
    for project_id, union_id in through.objects.filter(
        keyworkproject__in=relevant.values("pk"), union_id__in=among
    ).values_list("keyworkproject_id", "union_id"):
        members[project_id].add(union_id)
    return projects, members


def assessment_facts(
    *, union_ids: list[int], start: date, end: date, union_query=None
) -> dict[int, UnitPlanningFacts]:
    """Facts per union for the automatic indicators. A constant number of queries
    (aggregates grouped by union), whatever the number of unions.

    - completion: the unit's own projects due on or before ``end``, each counted
      with the achieved value of its latest approved report up to ``end``;
    - timeliness: every report the unit owed (as owner or participant) whose
      deadline fell within [start, end] and has passed (or was already met);
      on time when first submitted by the deadline;
    - events, trainees and publicity: by the event's date within [start, end].

    ``union_query``, when given, selects the ids of the same unions (a
    ``values("pk")`` queryset) and is used in the queries instead of the list.
    """
    union_ids = list(dict.fromkeys(union_ids))
    if not union_ids:
        return {}
    # The units as a subquery when the caller has one: PostgreSQL joins 15,000
    # unions in a tenth of the time it takes to test each row against as many
    # listed ids.
    among = union_query if union_query is not None else union_ids
    today = timezone.localdate()
    projects, members = _projects_of_units(among, due_from=start - _DEADLINE_REACH)
    wanted = set(union_ids)

    # Completion: each owned project due by the end with the achieved value of its
    # owner's latest approved report up to the end, looked up by the database per
    # project (one query; the unique index on project, union and period serves it)
    # rather than reading every approved report of every year.
    latest_approved = (
        ProgressReport.objects.filter(
            project=OuterRef("pk"),
            union=OuterRef("owner"),
            status=ProgressReport.Status.APPROVED,
            period_end__lte=end,
            achieved_value__isnull=False,
        )
        .order_by("-period_start")
        .values("achieved_value")[:1]
    )
    owned_due = (
        KeyWorkProject.objects.counted()
        .filter(
            plan__status__in=WorkPlan.COUNTED_STATUSES,
            owner_id__in=among,
            due_date__lte=end,
        )
        .annotate(latest_achieved=Subquery(latest_approved))
        .order_by()
        .values_list("owner_id", "weight", "target_value", "latest_achieved")
    )
    # Summed as decimals, so that the order the rows arrive in cannot move the
    # last digit of a float (and with it, at a half cent, a rounded score).
    weighted = defaultdict(Decimal)
    weights = defaultdict(Decimal)
    projects_due = defaultdict(int)
    for owner_id, weight, target_value, latest in owned_due:
        share = rules.completion_share(latest, target_value)
        weighted[owner_id] += weight * share
        weights[owner_id] += weight
        projects_due[owner_id] += 1

    # Timeliness: expected slots in Python, submissions in one query.
    reports_due = defaultdict(int)
    on_time = defaultdict(int)
    for due in _due_reports(
        among, projects, members, wanted, start=start, end=end, today=today
    ):
        reports_due[due.union_id] += 1
        if due.on_time:
            on_time[due.union_id] += 1

    # Events, trainees (one query) and publicity by media level (one query).
    events = {
        row["union_id"]: row
        for row in ActivityEvent.objects.filter(
            union_id__in=among, date__gte=start, date__lte=end
        )
        .values("union_id")
        .annotate(
            held=Count("pk", filter=Q(kind=ActivityEvent.Kind.ACTIVITY)),
            trained=Sum("trainees", filter=Q(kind=ActivityEvent.Kind.TRAINING)),
        )
    }
    publicity = defaultdict(lambda: dict.fromkeys(MEDIA_LEVELS, 0))
    for row in (
        ActivityEvent.objects.filter(
            union_id__in=among,
            date__gte=start,
            date__lte=end,
            kind=ActivityEvent.Kind.PUBLICITY,
        )
        .exclude(media_level="")
        .values("union_id", "media_level")
        .annotate(n=Count("pk"))
    ):
        publicity[row["union_id"]][row["media_level"]] = row["n"]

    return {
        union_id: UnitPlanningFacts(
            completion_weighted=float(weighted[union_id]),
            completion_weight_total=float(weights[union_id]),
            projects_due=projects_due[union_id],
            reports_due=reports_due[union_id],
            reports_on_time=on_time[union_id],
            events_held=events.get(union_id, {}).get("held") or 0,
            trainees=events.get(union_id, {}).get("trained") or 0,
            publicity=dict(publicity[union_id]),
        )
        for union_id in union_ids
    }
