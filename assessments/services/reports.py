"""Quarter reports: requesting a build, the build itself, and the nightly run.

A build runs in three steps so its progress can be watched while it works:

1. claim: lock the report row, check that nobody else is building it, mark it
   running (committed at once);
2. compute: bulk reads, scoring, the .xlsx and .pdf files (progress is committed
   as it goes);
3. write: in one transaction, replace the rows, the files and the summary.

Running it twice leaves one snapshot with the same numbers (the rows are replaced,
and the period has one report by a unique constraint); a second run while the
first still works is turned away by the lock in step 1.
"""

import logging
import uuid
from datetime import datetime, time, timedelta
from time import sleep

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.jobs import enqueue_on_commit

from .. import engine, exports
from ..models import Period, QuarterReport, QuarterReportFile, QuarterReportRow, Scheme
from .common import refuse_if_locked

logger = logging.getLogger(__name__)

REPORT_LANGUAGES = ("zh-hans", "en")
# A "waiting" request older than this may be sent again (its worker may be gone).
PENDING_GRACE = timedelta(minutes=10)


def _running_is_stale(report: QuarterReport) -> bool:
    limit = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800))
    return report.started_at is None or report.started_at < timezone.now() - limit


def check_buildable(period: Period) -> None:
    """Raises ValidationError when the period's report may not be built now."""
    refuse_if_locked(period)
    if period.status not in (Period.Status.CLOSED, Period.Status.PUBLISHED):
        raise ValidationError(
            _("Close the period for entry before building its report.")
        )
    if period.scheme.status != Scheme.Status.ACTIVE:
        raise ValidationError(_("The scheme is not active; activate it first."))


@transaction.atomic
def report_request(*, period: Period, by) -> QuarterReport:
    """Asks for a (re)build from the period's page; the job runs after commit."""
    from ..tasks import build_quarter_report_task

    period = (
        Period.objects.select_for_update().select_related("scheme").get(pk=period.pk)
    )
    check_buildable(period)
    if period.is_year:
        engine.check_quarters_built(period)
    report, _created = QuarterReport.objects.get_or_create(period=period)
    report = QuarterReport.objects.select_for_update().get(pk=report.pk)
    now = timezone.now()
    if report.status == QuarterReport.Status.RUNNING and not _running_is_stale(report):
        raise ValidationError(_("The report is being built; wait for it to finish."))
    if (
        report.status == QuarterReport.Status.PENDING
        and report.requested_at
        and report.requested_at > now - PENDING_GRACE
        and report.run_token
    ):
        raise ValidationError(_("The report is already waiting to be built."))
    token = uuid.uuid4().hex
    report.status = QuarterReport.Status.PENDING
    report.progress = 0
    report.error = ""
    report.requested_at = now
    report.built_by = by if getattr(by, "pk", None) else None
    report.run_token = token
    report.save()
    # Written with the report row, sent after commit; kept if the broker is down.
    enqueue_on_commit(build_quarter_report_task, period_id=period.pk, token=token)
    return report


def _claim(period_id: int, token: str | None) -> tuple[QuarterReport, str] | None:
    """Step 1: returns the report and this run's token, or None when another run
    owns it. Raises ValidationError when the period may not be built; a request
    that was waiting for this run is then marked failed with the reason."""
    refusal = None
    with transaction.atomic():
        period = (
            Period.objects.select_for_update()
            .select_related("scheme__owner")
            .get(pk=period_id)
        )
        refuse_if_locked(period)
        try:
            check_buildable(period)
            if period.is_year:
                engine.check_quarters_built(period)
        except ValidationError as exc:
            refusal = exc
            report = QuarterReport.objects.filter(period=period).first()
            if report is not None and report.is_busy:
                _fail(report, " ".join(exc.messages))
        else:
            report, _created = QuarterReport.objects.get_or_create(period=period)
            report = QuarterReport.objects.select_for_update().get(pk=report.pk)
            owned_by_other = bool(report.run_token) and report.run_token != token
            if report.status == QuarterReport.Status.RUNNING and owned_by_other:
                if not _running_is_stale(report):
                    return None
            elif (
                report.status == QuarterReport.Status.PENDING
                and owned_by_other
                and token is not None
            ):
                # A newer request replaced this one; that run does the work.
                return None
            run_token = token or uuid.uuid4().hex
            report.status = QuarterReport.Status.RUNNING
            report.progress = 5
            report.error = ""
            report.started_at = timezone.now()
            report.finished_at = None
            report.run_token = run_token
            report.save()
            report.period = period
            return report, run_token
    raise refusal


def _test_pause() -> None:
    # tests/trust/test_chaos.py kills a worker in the middle of a build; this
    # setting (0, i.e. off, everywhere else) makes the middle long enough to hit.
    seconds = getattr(settings, "REPORT_BUILD_TEST_PAUSE", 0)
    if seconds:
        sleep(seconds)


def _progress(report: QuarterReport, token: str, value: int) -> None:
    QuarterReport.objects.filter(pk=report.pk, run_token=token).update(progress=value)


def _fail(report: QuarterReport, message: str) -> None:
    report.status = QuarterReport.Status.FAILED
    report.error = message[:2000]
    report.finished_at = timezone.now()
    report.progress = 0
    report.save(update_fields=["status", "error", "finished_at", "progress"])


def report_build(*, period_id: int, token: str | None = None) -> QuarterReport | None:
    """The job: builds (or rebuilds) a period's snapshot and its files.

    Returns None when another run owns the build. A locked period is refused
    without writing anything.
    """
    claimed = _claim(period_id, token)
    if claimed is None:
        logger.info("report of period %s is being built by another run", period_id)
        return None
    report, token = claimed
    try:
        return _build(report, token)
    except Exception as exc:
        logger.exception("report of period %s failed", period_id)
        message = (
            " ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else (f"{type(exc).__name__}: {exc}")
        )
        QuarterReport.objects.filter(pk=report.pk, run_token=token).update(
            status=QuarterReport.Status.FAILED,
            error=(_("The build failed: %(reason)s") % {"reason": message})[:2000],
            finished_at=timezone.now(),
            progress=0,
        )
        raise


def _build(report: QuarterReport, token: str) -> QuarterReport | None:
    period = report.period
    scheme = period.scheme
    rules = engine.scheme_rules(scheme)
    _progress(report, token, 20)
    if period.is_year:
        lines = engine.compute_year(period, rules)
    else:
        lines = engine.compute_quarter(period, rules)
    summary = engine.summarise(lines, rules)
    summary["key_work_categories"] = engine.key_work_categories(period, lines)
    _progress(report, token, 50)
    _test_pause()
    built_at = timezone.now()
    files = {}
    for language in REPORT_LANGUAGES:
        files[("xlsx", language)] = exports.report_xlsx(
            period=period, rules=rules, lines=lines, language=language
        )
        files[("pdf", language)] = exports.report_pdf(
            period=period,
            rules=rules,
            lines=lines,
            summary=summary,
            language=language,
            built_at=built_at,
        )
    _progress(report, token, 85)
    with transaction.atomic():
        current = QuarterReport.objects.select_for_update().get(pk=report.pk)
        if current.run_token != token:
            logger.info("report %s was taken over by another run", report.pk)
            return None
        QuarterReportRow.objects.filter(report=current).delete()
        QuarterReportRow.objects.bulk_create(
            [line.as_row(current) for line in lines], batch_size=500
        )
        _store_files(current, files)
        current.scheme_version = scheme.version
        current.rules = rules
        current.summary = summary
        current.unit_count = len(lines)
        current.status = QuarterReport.Status.DONE
        current.progress = 100
        current.error = ""
        current.finished_at = timezone.now()
        current.save()
    return current


def _store_files(report: QuarterReport, files: dict) -> None:
    existing = {
        (f.kind, f.language): f for f in QuarterReportFile.objects.filter(report=report)
    }
    slug = f"{period_slug(report.period)}"
    for (kind, language), content in files.items():
        record = existing.get((kind, language)) or QuarterReportFile(
            report=report, kind=kind, language=language
        )
        old_name = record.file.name if record.file else ""
        name = f"{slug}-{language}.{kind}"
        record.file.save(name, ContentFile(content), save=False)
        record.size = len(content)
        record.save()
        if old_name and old_name != record.file.name:
            transaction.on_commit(
                lambda name=old_name, storage=record.file.storage: storage.delete(name)
            )


def period_slug(period: Period) -> str:
    return f"assessment-{period.scheme.year}-{period.kind}-{period.scheme.unit_level}"


def reports_build_due(*, today=None) -> list[int]:
    """Nightly: builds the report of every period closed before today that has no
    finished (or running) report yet. Returns the ids of the periods enqueued."""
    from ..tasks import build_quarter_report_task

    today = today or timezone.localdate()
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    due = (
        Period.objects.filter(
            status=Period.Status.CLOSED,
            closed_at__lt=start_of_today,
            scheme__status=Scheme.Status.ACTIVE,
        )
        .exclude(report__status__in=("done", "running", "pending"))
        .values_list("pk", flat=True)
    )
    ids = list(due)
    for period_id in ids:
        enqueue_on_commit(build_quarter_report_task, period_id=period_id)
    return ids
