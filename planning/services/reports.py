"""Progress reports: entry, submission, review, evidence, reminders."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.uploads import validate_upload

from .. import rules
from ..models import (
    ActivityEvent,
    EvidenceFile,
    KeyWorkProject,
    ProgressReport,
    ReportReminder,
    WorkPlan,
)
from . import notify
from .plans import project_refresh

REPORT_FIELDS = (
    "achieved_value",
    "percent_is_manual",
    "percent_complete",
    "decrease_reason",
    "narrative",
)


def period_of(project: KeyWorkProject, day: date) -> rules.ReportingPeriod:
    plan = project.plan
    return rules.period_for(plan.reporting_frequency, day, plan.report_due_days)


def report_for_period(
    *, project: KeyWorkProject, union_id: int, period: rules.ReportingPeriod
) -> ProgressReport:
    """The saved report for the slot, or a new unsaved draft."""
    report = (
        ProgressReport.objects.filter(
            project=project, union_id=union_id, period_start=period.start
        )
        .select_related("reviewed_by", "submitted_by")
        .first()
    )
    if report is None:
        report = ProgressReport(
            project=project,
            union_id=union_id,
            period_start=period.start,
            period_end=period.end,
            deadline=period.deadline,
            version=0,
        )
    return report


def _derive_percent(report: ProgressReport) -> None:
    """The percent is achieved ÷ target (at most 100) unless the cadre chose to
    enter it by hand: a cumulative figure and a percent that contradict each other
    cannot be saved."""
    if report.percent_is_manual:
        return
    derived = report.derived_percent
    report.percent_complete = None if derived is None else min(derived, Decimal(100))


def last_approved_value(report: ProgressReport) -> Decimal | None:
    """The unit's latest approved cumulative figure on the project before this
    report's period (one query)."""
    return (
        ProgressReport.objects.filter(
            project_id=report.project_id,
            union_id=report.union_id,
            status=ProgressReport.Status.APPROVED,
            period_start__lt=report.period_start,
            achieved_value__isnull=False,
        )
        .order_by("-period_start")
        .values_list("achieved_value", flat=True)
        .first()
    )


def entry_opens_on(report: ProgressReport) -> date:
    """The first day a report of its period may be submitted: the day after the
    period ends, or PROGRESS_ENTRY_OPENS_DAYS_BEFORE_MONTH_END days earlier."""
    days = getattr(settings, "PROGRESS_ENTRY_OPENS_DAYS_BEFORE_MONTH_END", 0)
    return report.period_end + timedelta(days=1) - timedelta(days=days)


def _check_editable(report: ProgressReport) -> None:
    if not report.union.is_active:
        raise ValidationError(
            _("%(union)s is deactivated: its records can be read but not changed.")
            % {"union": report.union.name},
            code="union_inactive",
        )
    if report.status == ProgressReport.Status.APPROVED:
        raise ValidationError(_("An approved report cannot be changed."))
    if report.status == ProgressReport.Status.SUBMITTED:
        raise ValidationError(
            _("This report was submitted and waits for review; it cannot be changed.")
        )
    if report.project.plan.status != WorkPlan.Status.PUBLISHED:
        raise ValidationError(
            _("The plan is not open for reporting; the report cannot be changed.")
        )


@transaction.atomic
def report_save(
    *, report: ProgressReport, data: dict, version: int, by
) -> ProgressReport:
    """Saves a draft (or a returned report being corrected).

    ``version`` is the one the user's form was built from: if the stored report
    moved on since, the save is refused rather than silently overwriting.
    """
    if report.pk:
        current = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if current.version != version:
            raise ValidationError(
                _(
                    "Someone else saved this report while you were editing it. "
                    "Reload the page to see their changes, then make yours again."
                )
            )
        report.status = current.status
        report.version = current.version
    elif version != 0:
        raise ValidationError(
            _("This report was deleted or never saved. Reload the page.")
        )
    _check_editable(report)
    for name in REPORT_FIELDS:
        if name in data:
            setattr(report, name, data[name])
    _derive_percent(report)
    report.version = (report.version or 0) + 1
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "Someone else started this report at the same time. "
                "Reload the page to continue from their version."
            )
        ) from exc
    return report


@transaction.atomic
def report_submit(
    *, report: ProgressReport, data: dict, version: int, by
) -> ProgressReport:
    """Saves and submits for review; what a reviewer needs must be filled in."""
    report = report_save(report=report, data=data, version=version, by=by)
    errors = {}
    if report.achieved_value is None:
        errors["achieved_value"] = _("Give the value achieved so far.")
    if report.percent_complete is None:
        errors["percent_complete"] = _("Give the percent complete.")
    if not report.narrative.strip():
        errors["narrative"] = _("Describe what was done in this period.")
    last = last_approved_value(report)
    if (
        report.achieved_value is not None
        and last is not None
        and report.achieved_value < last
        and not report.decrease_reason.strip()
    ):
        errors["decrease_reason"] = _(
            "The figure is lower than the last approved one (%(last)s): say why."
        ) % {"last": f"{last.normalize():f}"}
    opens = entry_opens_on(report)
    if timezone.localdate() < opens:
        errors["__all__"] = _(
            "This period has not ended yet: its report can be submitted from "
            "%(date)s. Save it as a draft until then."
        ) % {"date": f"{opens:%Y-%m-%d}"}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    again = report.first_submitted_at is not None
    report.status = ProgressReport.Status.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.submitted_by = by
    report.version += 1
    report.full_clean()
    report.save()
    notify.report_submitted(report=report, again=again)
    return report


def can_review(*, report: ProgressReport, user) -> bool:
    return ProgressReport.objects.reviewable_by(user).filter(pk=report.pk).exists()


@transaction.atomic
def report_review(
    *, report: ProgressReport, by, approve: bool, comment: str = ""
) -> ProgressReport:
    """Approves or returns a report. Returning needs a comment.

    A reviewer above may overrule: approve a returned report, or return an
    approved one, which reopens it for the unit.
    """
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("project__plan", "submitted_by")
        .get(pk=report.pk)
    )
    if not can_review(report=report, user=by):
        raise PermissionDenied
    comment = (comment or "").strip()
    Status = ProgressReport.Status
    if approve:
        if not report.allows("approve"):
            raise ValidationError(_("Only a submitted report can be approved."))
        report.status = Status.APPROVED
    else:
        if not comment:
            raise ValidationError(
                {"comment": _("Say what must be corrected when returning a report.")}
            )
        if not report.allows("return"):
            raise ValidationError(_("Only a submitted report can be returned."))
        report.status = Status.RETURNED
    report.review_comment = comment
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.version += 1
    report.full_clean()
    report.save()
    if report.union_id == report.project.owner_id:
        project_refresh(project=report.project)
    notify.report_decided(report=report, approved=approve)
    return report


def reports_review_bulk(
    *, reports, by, approve: bool, comment: str = ""
) -> tuple[int, list[str]]:
    """Reviews several reports; each is decided on its own, in its own transaction,
    so one that cannot be decided does not hold back the others."""
    if not approve and not (comment or "").strip():
        raise ValidationError(
            {"comment": _("Say what must be corrected when returning a report.")}
        )
    done = 0
    problems = []
    for report in reports:
        try:
            report_review(report=report, by=by, approve=approve, comment=comment)
        except (ValidationError, PermissionDenied) as exc:
            reason = (
                "; ".join(exc.messages)
                if isinstance(exc, ValidationError)
                else _("not yours to review")
            )
            problems.append(f"{report}: {reason}")
        else:
            done += 1
    return done, problems


# --- evidence ---------------------------------------------------------------------


@transaction.atomic
def evidence_attach(
    *,
    file,
    by,
    report: ProgressReport | None = None,
    event: ActivityEvent | None = None,
) -> EvidenceFile:
    """Stores an uploaded file after checking its size and its real type."""
    if report is not None:
        _check_editable(report)
    kind = validate_upload(file)
    evidence = EvidenceFile(
        report=report,
        event=event,
        original_name=(file.name or "file")[:255],
        size=file.size,
        kind=kind.label,
        uploaded_by=by,
    )
    evidence.file.save(file.name, file, save=False)
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile) -> None:
    if evidence.report_id:
        _check_editable(evidence.report)
    stored = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored))


# --- reminders --------------------------------------------------------------------


def reminders_send(*, today: date | None = None) -> int:
    """One digest per cadre per day naming the reports due within 3 days and the
    overdue ones; each slot is named once per threshold, and nobody hears anything
    when nothing is due. Returns the number of notifications sent."""
    from ..selectors import outstanding_slots

    today = today or timezone.localdate()
    horizon = today + timedelta(days=3)
    slots = outstanding_slots(union_ids=None, today=today, until_deadline=horizon)
    sent_before = set(
        ReportReminder.objects.filter(
            project_id__in={s.project.pk for s in slots}
        ).values_list("project_id", "union_id", "period_start", "kind")
    )
    new_by_union = defaultdict(list)
    reminders = []
    for slot in slots:
        kind = (
            ReportReminder.Kind.OVERDUE
            if slot.period.deadline < today
            else ReportReminder.Kind.DUE_SOON
        )
        key = (slot.project.pk, slot.union_id, slot.period.start, kind.value)
        if key in sent_before:
            continue
        new_by_union[slot.union_id].append((slot, kind))
        reminders.append(
            ReportReminder(
                project_id=slot.project.pk,
                union_id=slot.union_id,
                period_start=slot.period.start,
                kind=kind,
                sent_on=today,
            )
        )
    if not reminders:
        return 0
    sent = 0
    with transaction.atomic():
        ReportReminder.objects.bulk_create(reminders, ignore_conflicts=True)
        cadres = notify.cadres_of(new_by_union)
        for user in cadres:
            entries = [
                (slot, kind == ReportReminder.Kind.OVERDUE)
                for slot, kind in new_by_union[user.union_id]
            ]
            sent += notify.reminders(user=user, entries=entries, today=today)
    return sent
