"""The querysets and figures of planning's pages: the project list, the review queue, the project page, its chart and history, the data version."""

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Value,
    When,
)
from django.utils.translation import gettext as _

from unionportal.cache import latest_changes, once_per_request
from unionportal.history import HistoryRow, history_rows
from unionportal.roles import Role
from unions.models import Union
from unions.selectors import data_version as unions_version

from .. import rules
from ..models import (
    EvidenceFile,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)


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


def report_history_version() -> tuple:
    """The latest history record of a progress report and of an evidence file
    (1 query, two index reads): the review queue is kept under it. Every save
    and every deletion adds one, through the services, the API, the admin or a
    cascade, where the latest ``updated_at`` misses a deleted report, and a
    file (counted by the queue) has no ``updated_at`` at all."""
    return once_per_request("planning:report_history_version", _history_version)


def _history_version() -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_history_sql())
        return tuple(str(value) for value in cursor.fetchone())


@lru_cache(maxsize=1)
def _history_sql() -> str:
    # Written once: reaching a history model builds a manager (half a millisecond).
    from django.db import connection

    quote = connection.ops.quote_name
    # Only the models' own table and column names go into the statement, quoted.
    return "SELECT " + ", ".join(  # noqa: S608
        f"(SELECT MAX({quote(h.pk.column)}) FROM {quote(h.db_table)})"  # noqa: S608
        for h in (m.history.model._meta for m in (ProgressReport, EvidenceFile))
    )


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
    "version",  # the history panel is kept under the reports' versions
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


def project_page_version(project_pk: int) -> tuple | None:
    """Everything the project page shows changes with, read in one statement of
    index reads (None: no such project): the project's and its plan's last save,
    its plan item's description, the names of its responsible and proposing
    users, its participants, its milestones, its reports, their evidence files
    and the unions' last save (names, the tree). The page is kept under it
    (``planning.views.projects.project_detail``).

    Written out rather than built by the ORM: compiling it took longer than
    running it. Milestones, participants, plan items and users have no
    ``updated_at``, and the admin saves them without moving the project's: their
    rows (a handful) are read instead. Of the reports, the sum of their
    ``version`` (which every save of the services raises) as well as the latest
    ``updated_at``: a save that commits after a later one does not move the
    latest on, but it raises the sum."""
    from django.db import connection

    if not 0 < project_pk < 2**63:  # no such key (the ORM answers the same)
        return None
    with connection.cursor() as cursor:
        cursor.execute(_page_version_sql(connection.vendor), [project_pk])
        row = cursor.fetchone()
    return None if row is None else tuple(str(value) for value in row)


@lru_cache(maxsize=2)
def _page_version_sql(vendor: str) -> str:
    from django.db import connection

    # Only the models' own table names go in, quoted.
    q = connection.ops.quote_name
    project, plan, item = (
        q(m._meta.db_table) for m in (KeyWorkProject, WorkPlan, PlanItem)
    )
    user = q(get_user_model()._meta.db_table)
    through = q(KeyWorkProject.participants.through._meta.db_table)
    milestone, report, evidence, union = (
        q(m._meta.db_table) for m in (Milestone, ProgressReport, EvidenceFile, Union)
    )
    # A list of rows in one value: PostgreSQL's string_agg, SQLite's group_concat.
    if vendor == "postgresql":
        joined = "string_agg({}, ',' ORDER BY {})"
    else:
        joined = "group_concat({}, ',')"
    name = "u.username || '|' || u.first_name || '|' || u.last_name"
    milestone_row = (
        "CAST(m.id AS TEXT) || '|' || m.title || '|' || CAST(m.due_date AS TEXT)"
        " || '|' || COALESCE(CAST(m.done_on AS TEXT), '')"
    )
    return f"""
        SELECT p.updated_at, w.updated_at, i.description,
          (SELECT {name} FROM {user} u WHERE u.id = p.responsible_user_id),
          (SELECT {name} FROM {user} u WHERE u.id = p.proposed_by_id),
          (SELECT {joined.format("CAST(t.union_id AS TEXT)", "t.union_id")}
             FROM {through} t WHERE t.keyworkproject_id = p.id),
          (SELECT {joined.format(milestone_row, "m.id")}
             FROM {milestone} m WHERE m.project_id = p.id),
          (SELECT CAST(COUNT(*) AS TEXT) || '|' || CAST(COALESCE(MAX(r.id), 0) AS TEXT)
             || '|' || CAST(COALESCE(SUM(r.version), 0) AS TEXT)
             || '|' || COALESCE(CAST(MAX(r.updated_at) AS TEXT), '')
             FROM {report} r WHERE r.project_id = p.id),
          (SELECT CAST(COUNT(*) AS TEXT) || '|' || CAST(COALESCE(MAX(e.id), 0) AS TEXT)
             FROM {evidence} e JOIN {report} r ON r.id = e.report_id
             WHERE r.project_id = p.id),
          (SELECT MAX(updated_at) FROM {union})
        FROM {project} p
        JOIN {plan} w ON w.id = p.plan_id
        LEFT JOIN {item} i ON i.id = p.item_id
        WHERE p.id = %s
    """  # noqa: S608


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
            # Named as the report list names it ("2025 Q4" for a quarterly one).
            lambda r: _("Report %(period)s") % {"period": r.instance.period_label},
            ProgressReport.history.filter(
                project_id=project.pk, id__in=list(report_ids)
            ).select_related("history_user"),
        ),
    )


def data_version() -> tuple:
    """When a plan, a project or a progress report was last saved (1 query):
    parts of pages counted from them are cached under it (``unionportal.cache``)."""
    return once_per_request("planning:data_version", _data_version)


def shown_version() -> tuple:
    """What a planning page shows changes with: plans, projects and reports, and
    the unions (their names, the tree). The version the planning lists, home
    tasks and the API's report list are kept under."""
    return (data_version(), unions_version())


def _data_version() -> tuple:
    return latest_changes(WorkPlan, KeyWorkProject, ProgressReport)
