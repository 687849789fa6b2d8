"""The reporting slots a union owes: outstanding and late progress reports."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..models import (
    KeyWorkProject,
    ProgressReport,
    WorkPlan,
)


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
    def is_late(self) -> bool:
        return self.state == "late"

    @property
    def is_returned(self) -> bool:
        return self.state == "returned"

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
    projects = KeyWorkProject.objects.filter(
        plan__status=WorkPlan.Status.PUBLISHED
    ).select_related("plan", "owner")
    through = KeyWorkProject.participants.through
    links = through.objects.filter(
        keyworkproject__plan__status=WorkPlan.Status.PUBLISHED
    )
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
            project__plan__status=WorkPlan.Status.PUBLISHED,
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
            or report.status not in ProgressReport.EDITABLE_STATUSES
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
