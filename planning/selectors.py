"""Reads of planning that other pages and apps rely on, each with a fixed number of
queries whatever the number of rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.history import HistoryRow, history_rows
from unionportal.roles import Role
from unions.models import Union

from . import rules
from .models import (
    ActivityEvent,
    EvidenceFile,
    KeyWorkProject,
    Milestone,
    ProgressReport,
    WorkPlan,
)

# --- the interface for assessments (docs/architecture.md) ---------------------------


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
    # media level ("district", "city", "province", "national") -> items in the period


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
        .filter(plan__status__in=["published", "closed"], due_date__gte=due_from)
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
            plan__status__in=["published", "closed"],
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


# --- what a unit has to report ------------------------------------------------------


@dataclass
class ReportSlot:
    """One report a unit owes: a project, a period, and the report if started."""

    project: KeyWorkProject
    union_id: int
    period: rules.ReportingPeriod
    report: ProgressReport | None
    today: date

    @property
    def state(self) -> str:
        if (
            self.report is not None
            and self.report.status == ProgressReport.Status.RETURNED
        ):
            return "returned"
        if self.period.deadline < self.today:
            return "late"
        if self.period.end < self.today:
            return "due"
        if self.report is not None:
            return "draft"
        return "open"

    @property
    def state_label(self) -> str:
        return {
            "returned": _("Returned"),
            "late": _("Late"),
            "due": _("Due"),
            "draft": _("Draft"),
            "open": _("Open"),
        }[self.state]

    @property
    def state_tone(self) -> str:
        return {
            "returned": "returned",
            "late": "overdue",
            "due": "due",
            "draft": "draft",
            "open": "open",
        }[self.state]

    @property
    def days_left(self) -> int:
        return (self.period.deadline - self.today).days

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def outstanding_slots(
    *,
    union_ids: list[int] | None,
    today: date | None = None,
    until_deadline: date | None = None,
    include_drafts: bool = True,
) -> list[ReportSlot]:
    """Reports not yet submitted by the units (all units when ``union_ids`` is
    None) on projects of published plans: periods that have ended, plus returned
    reports and started drafts. Two or three queries.

    With ``until_deadline``, only slots whose deadline is on or before it.
    """
    today = today or timezone.localdate()
    projects = KeyWorkProject.objects.filter(plan__status="published").select_related(
        "plan", "owner"
    )
    through = KeyWorkProject.participants.through
    links = through.objects.filter(keyworkproject__plan__status="published")
    if union_ids is not None:
        # The units' projects by id, gathered through the indexes on the owner
        # and on the participants; "owner in ... or id in (...)" would make the
        # database read every project of the city for a cadre's handful (40 ms).
        owned = (
            KeyWorkProject.objects.filter(owner_id__in=union_ids)
            .order_by()
            .values("pk")
        )
        participating = (
            through.objects.filter(union_id__in=union_ids)
            .order_by()
            .values("keyworkproject_id")
        )
        projects = projects.filter(pk__in=owned.union(participating, all=True))
        links = links.filter(union_id__in=union_ids)
    projects = list(projects)
    members = defaultdict(set)
    for project_id, union_id in links.values_list("keyworkproject_id", "union_id"):
        members[project_id].add(union_id)
    reports = {
        (r.project_id, r.union_id, r.period_start): r
        for r in ProgressReport.objects.filter(
            project__plan__status="published",
            **({"union_id__in": union_ids} if union_ids is not None else {}),
        ).only(
            "pk",
            "project_id",
            "union_id",
            "period_start",
            "status",
            "version",
            "review_comment",
        )
    }
    wanted = set(union_ids) if union_ids is not None else None
    slots = []
    taken = set()
    for project in projects:
        units = {project.owner_id} | members[project.pk]
        if wanted is not None:
            units &= wanted
        periods = rules.expected_periods(
            frequency=project.plan.reporting_frequency,
            due_days=project.plan.report_due_days,
            start=project.start_date,
            due=project.due_date,
            completed_on=project.completed_on,
            until=today,
        )
        for period in periods:
            if until_deadline is not None and period.deadline > until_deadline:
                continue
            for union_id in sorted(units):
                report = reports.get((project.pk, union_id, period.start))
                if report is not None and report.status in (
                    ProgressReport.Status.SUBMITTED,
                    ProgressReport.Status.APPROVED,
                ):
                    continue
                if report is None and period.end >= today:
                    continue  # the period is still running and nothing is started
                if (
                    report is not None
                    and report.status == ProgressReport.Status.DRAFT
                    and not include_drafts
                ):
                    continue
                slots.append(ReportSlot(project, union_id, period, report, today))
                taken.add((project.pk, union_id, period.start))
    # A started or returned report outside the expected periods (the project was
    # completed or its dates moved since) still needs its author.
    by_pk = {p.pk: p for p in projects}
    for key, report in reports.items():
        project = by_pk.get(key[0])
        if (
            key in taken
            or project is None
            or report.status not in ("draft", "returned")
            or (report.status == ProgressReport.Status.DRAFT and not include_drafts)
            or (wanted is not None and key[1] not in wanted)
        ):
            continue
        period = rules.period_for(
            project.plan.reporting_frequency, key[2], project.plan.report_due_days
        )
        if until_deadline is not None and period.deadline > until_deadline:
            continue
        slots.append(ReportSlot(project, key[1], period, report, today))
    slots.sort(key=lambda s: (s.period.deadline, s.project.title))
    return slots


# --- pages --------------------------------------------------------------------------


def project_list_queryset(user, *, own_first: bool = True):
    """The projects a user sees, with what the list shows; a cadre's own union's
    projects first (owned, then taken part in), then by due date.

    Without a cadre's own-first order, the list is in the order of the index
    project_due_title, so that a page of a city's projects is read without
    sorting them.
    """
    qs = KeyWorkProject.objects.visible_to(user).select_related("owner", "plan")
    if not (own_first and user.union_id and user.has_role(Role.CADRE)):
        # The rows still have ``mine``: a template looking up a missing attribute
        # lists the object's attributes (dir()) to tell why, 0.1 ms a row.
        return qs.annotate(mine=Value(0, output_field=IntegerField()))
    through = KeyWorkProject.participants.through
    taking_part = Exists(
        through.objects.filter(keyworkproject_id=OuterRef("pk"), union_id=user.union_id)
    )
    return qs.annotate(
        mine=Case(
            When(owner_id=user.union_id, then=Value(2)),
            When(taking_part, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-mine", "due_date", "title", "pk")


# What a row of the review queue shows (planning/partials/review_row.html).
REVIEW_ROW_FIELDS = (
    "project",
    "union",
    "status",
    "period_start",
    "period_end",
    "deadline",
    "achieved_value",
    "percent_complete",
    "submitted_at",
    "first_submitted_at",
    "project__title",
    "project__owner",
    "project__target_value",
    "project__target_unit",
    "union__name_zh",
    "union__name_en",
)


def review_queue_rows(reports, *, oldest_first: bool = True):
    """The review queue's reports by submission (the oldest first when waiting,
    else the newest: both served by the index report_status_submitted), with the
    columns its rows show."""
    return (
        reports.select_related("project", "union")
        .only(*REVIEW_ROW_FIELDS)
        .order_by(
            *(("submitted_at", "pk") if oldest_first else ("-submitted_at", "-pk"))
        )
    )


def with_evidence_counts(rows, *, to: str = "report") -> list:
    """Sets ``n_evidence`` on each report (or event: ``to="event"``): one query
    for the rows given (a page), where a subquery or a join in the list's query
    would count the files of every row the list sorts."""
    rows = list(rows)
    counts = dict(
        EvidenceFile.objects.filter(**{f"{to}_id__in": [r.pk for r in rows]})
        .order_by()
        .values_list(f"{to}_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        row.n_evidence = counts.get(row.pk, 0)
    return rows


# What the project page shows of each report (its table, the chart, the files).
DETAIL_REPORT_FIELDS = (
    "project",
    "union",
    "period_start",
    "period_end",
    "deadline",
    "achieved_value",
    "percent_complete",
    "status",
    "submitted_at",
    "first_submitted_at",
    "union__name_zh",
    "union__name_en",
)


def project_detail(project_pk: int, user) -> KeyWorkProject:
    """A visible project with everything the detail page shows, and only that;
    ``visible_reports`` holds the reports the user may see. Five queries."""
    project = (
        KeyWorkProject.objects.visible_to(user)
        .select_related("owner", "plan", "item", "responsible_user")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Union.objects.only("pk", "name_zh", "name_en", "path"),
            ),
            Prefetch(
                "milestones", queryset=Milestone.objects.order_by("due_date", "pk")
            ),
        )
        .get(pk=project_pk)
    )
    project.visible_reports = list(
        ProgressReport.objects.of_visible_project(project, user)
        .select_related("union")
        .only(*DETAIL_REPORT_FIELDS)
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=EvidenceFile.objects.only(
                    "pk", "report_id", "original_name", "size", "uploaded_at"
                ),
            )
        )
        .order_by("-period_start", "union__path")
    )
    return project


def progress_chart(project: KeyWorkProject, reports) -> dict | None:
    """An ECharts option: percent complete (typed and derived) of the owner's
    approved reports, against an even pace."""
    points = sorted(
        (
            r
            for r in reports
            if r.union_id == project.owner_id
            and r.status == ProgressReport.Status.APPROVED
        ),
        key=lambda r: r.period_start,
    )
    if not points:
        return None
    labels = [r.period_label for r in points]
    typed = [float(r.percent_complete or 0) for r in points]
    derived = [
        float(rules.derived_percent(r.achieved_value, project.target_value) or 0)
        for r in points
    ]
    pace = [
        round(
            float(
                rules.expected_percent(
                    start=project.start_date, due=project.due_date, today=r.period_end
                )
            ),
            1,
        )
        for r in points
    ]
    return {
        "animation": False,
        "color": ["#a4231b", "#0d6efd", "#adb5bd"],
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "min": 0, "max": max(100, *typed, *derived)},
        "series": [
            {
                "name": _("Percent complete (reported)"),
                "type": "line",
                "data": typed,
                "symbolSize": 8,
            },
            {
                "name": _("Achieved ÷ target"),
                "type": "line",
                "data": derived,
                "lineStyle": {"type": "dashed"},
            },
            {
                "name": _("Even pace"),
                "type": "line",
                "data": pace,
                "symbol": "none",
                "lineStyle": {"type": "dotted"},
            },
        ],
    }


# --- history ------------------------------------------------------------------------


def project_history(project: KeyWorkProject, report_ids) -> list[HistoryRow]:
    """Changes to the project, its milestones and the reports the user may see:
    three queries."""
    return history_rows(
        (
            lambda r: _("Project"),
            KeyWorkProject.history.filter(id=project.pk).select_related("history_user"),
        ),
        (
            lambda r: _("Milestone: %(title)s") % {"title": r.title},
            Milestone.history.filter(project_id=project.pk).select_related(
                "history_user"
            ),
        ),
        (
            lambda r: _("Report %(period)s") % {"period": f"{r.period_start:%Y-%m}"},
            ProgressReport.history.filter(
                project_id=project.pk, id__in=list(report_ids)
            ).select_related("history_user"),
        ),
    )


# --- who is late (docs/design.md §3: the leader's "who is late") --------------------


def data_version() -> tuple:
    """When a plan, a project or a progress report was last saved (1 query):
    parts of pages counted from them are cached under it (``unionportal.cache``)."""

    def latest(model):
        return Subquery(model.objects.order_by("-updated_at").values("updated_at")[:1])

    row = (
        WorkPlan.objects.order_by("-updated_at")
        .annotate(
            latest_project=latest(KeyWorkProject), latest_report=latest(ProgressReport)
        )
        .values_list("updated_at", "latest_project", "latest_report")
        .first()
    )
    return tuple(str(value) for value in row) if row else ()


def late_slots(*, union_ids: list[int], today: date) -> list[ReportSlot]:
    """Progress reports the units owe whose deadline has passed: not submitted
    (missing, a draft, or returned), as of ``today``. Two or three queries (those
    of ``outstanding_slots``)."""
    if not union_ids:
        return []
    return [
        slot
        for slot in outstanding_slots(union_ids=union_ids, today=today)
        if slot.period.deadline < today
    ]
