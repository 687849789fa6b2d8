"""Quarter reports: requesting a build, the build itself, its files, and the nightly run.

Every build of a finished report makes a new numbered version (``versions.py``);
the rows and files of earlier versions are kept, and the published version stays
pinned. A build makes the snapshot, and a second job makes the files from it:

1. claim: lock the period and its latest version, check that nobody else is
   building it, mark it running (committed at once);
2. compute: bulk reads and scoring (progress is committed as it goes), with the
   rules stored for the period once it was published (``versions.stored_rules``);
3. write: in one transaction, write the version's rows and summary, mark it done
   and its files waiting, and enqueue the files job (sent after the commit);
4. files (``report_files_build``, its own job): the .xlsx and .pdf in both
   languages, made from the stored rows, stored in one short transaction.

A job sent twice builds its version once (the second finds it done), also the
nightly's, which has no request behind it; a second run while the first still
works is turned away by the lock in step 1. A new snapshot
gives its files a new token, so a files job of an older one never stores its
files over the new one's.
"""

import contextlib
import logging
import os
import uuid
from datetime import datetime, time, timedelta
from time import sleep

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.jobs import enqueue_on_commit

from .. import engine, exports, versions
from ..models import Period, QuarterReport, QuarterReportFile, Scheme
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
    if period.status == Period.Status.PUBLISHED:
        # A published result never changes by a rebuild: the office reopens the
        # period, with a reason kept in its history and the audit log, first.
        raise ValidationError(
            _(
                "The results of this period are published: reopen the period (with "
                "a reason) before building its report again."
            ),
            code="published",
        )
    if not period.allows("build_report"):
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
    report = _version_to_build(period)
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


def _version_to_build(period: Period) -> QuarterReport:
    """The latest version, locked, when it is not finished yet (waiting, running
    or failed); otherwise a new version (inside the caller's transaction)."""
    report = (
        QuarterReport.objects.select_for_update()
        .filter(period=period, is_current=True)
        .first()
    )
    if report is None or report.is_done:
        report = versions.next_version(period)
    return report


def _claim(
    period_id: int, token: str | None, *, if_missing: bool = False
) -> tuple[QuarterReport, str] | None:
    """Step 1: returns the report and this run's token, or None when another run
    owns it (or, with ``if_missing``, when the latest version is built). Raises ValidationError when the period may not be built; a request
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
            report = period.report
            if report is not None and report.is_busy:
                _fail(report, " ".join(exc.messages))
        else:
            report = (
                QuarterReport.objects.select_for_update()
                .filter(period=period, is_current=True)
                .first()
            )
            if report is not None and report.is_done and (token or if_missing):
                # This request's version is built already (a job sent twice), or
                # a newer request's was; a job with no request behind it (the
                # nightly's, sent twice) makes no second version either.
                return None
            if report is None or report.is_done:
                report = versions.next_version(period)
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
    # setting, defined only by the tests' settings (tests/settings.py), makes the
    # middle long enough to hit. Production settings do not define it.
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


def report_build(
    *,
    period_id: int,
    token: str | None = None,
    files: bool = True,
    if_missing: bool = False,
) -> QuarterReport | None:
    """The job: builds (or rebuilds) a period's snapshot and its files.

    Returns None when another run owns the build, or, with ``if_missing``, when
    the latest version is built already. A locked period is refused without
    writing anything. ``files=False`` leaves the files unmade ("Not made", made
    when someone asks for them): the demo's seed uses it where no worker would
    make them in the background.
    """
    claimed = _claim(period_id, token, if_missing=if_missing)
    if claimed is None:
        logger.info("report of period %s is being built by another run", period_id)
        return None
    report, token = claimed
    try:
        return _build(report, token, files=files)
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


def _build(report: QuarterReport, token: str, *, files: bool) -> QuarterReport | None:
    period = report.period
    scheme = period.scheme
    rules = engine.scheme_rules(scheme)
    stored = versions.stored_rules(period)
    if stored:
        # A period once published is rebuilt with its own rules, not today's
        # scheme; only the exemptions (units' data, like scores) are today's.
        rules = {**stored, "exemptions": rules["exemptions"]}
    _progress(report, token, 20)
    if period.is_year:
        lines = engine.compute_year(period, rules)
    else:
        lines = engine.compute_quarter(period, rules)
    summary = engine.summarise(lines, rules)
    summary["key_work_categories"] = engine.key_work_categories(period, lines)
    _progress(report, token, 50)
    _test_pause()
    with transaction.atomic():
        # The period first, then the report: the order _claim and period_lock use.
        locked_period = Period.objects.select_for_update().get(pk=period.pk)
        refuse_if_locked(locked_period)
        current = QuarterReport.objects.select_for_update().get(pk=report.pk)
        if current.run_token != token:
            logger.info("report %s was taken over by another run", report.pk)
            return None
        engine.write_rows(current, lines)
        # Only this version's own files (of an earlier failed try) go; earlier
        # versions keep theirs.
        _drop_files(current)
        files_token = uuid.uuid4().hex
        now = timezone.now()
        current.scheme_version = rules["scheme"]["version"]
        current.rules = rules
        current.summary = summary
        current.unit_count = len(lines)
        current.status = QuarterReport.Status.DONE
        current.progress = 100
        current.error = ""
        current.finished_at = now
        current.files_status = (
            QuarterReport.FilesStatus.PENDING
            if files
            else QuarterReport.FilesStatus.NONE
        )
        current.files_error = ""
        current.files_token = files_token
        current.files_requested_at = now if files else None
        current.files_started_at = None
        current.files_finished_at = None
        current.save()
        if files:
            _enqueue_files(current.pk, files_token)
    return current


def _enqueue_files(report_id: int, token: str) -> None:
    from ..tasks import build_report_files_task

    enqueue_on_commit(build_report_files_task, report_id=report_id, token=token)


def _drop_files(report: QuarterReport) -> None:
    """Deletes the report's file records now and their stored files after commit:
    they were made from the rows being replaced."""
    records = list(QuarterReportFile.objects.filter(report=report))
    names = [(r.file.storage, r.file.name) for r in records if r.file]
    QuarterReportFile.objects.filter(report=report).delete()
    for storage, name in names:
        transaction.on_commit(
            lambda storage=storage, name=name: _delete_quietly(storage, name)
        )


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # a file already gone is what was wanted
        logger.warning("report file %s could not be deleted", name)


# --- the files job ------------------------------------------------------------------

_UNLOCKED = [s for s in Period.Status.values if s != Period.Status.LOCKED]


def _files_running_is_stale(report: QuarterReport) -> bool:
    limit = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800))
    started = report.files_started_at
    return started is None or started < timezone.now() - limit


@transaction.atomic
def report_files_request(*, report: QuarterReport, by) -> QuarterReport:
    """Asks for the report's files again (after a failure, or for a snapshot that
    has none); the files job runs after commit."""
    report = (
        QuarterReport.objects.select_for_update()
        .select_related("period")
        .get(pk=report.pk)
    )
    refuse_if_locked(report.period)
    if not report.is_done:
        raise ValidationError(_("Build the report before preparing its files."))
    if report.files_status == QuarterReport.FilesStatus.RUNNING:
        if not _files_running_is_stale(report):
            raise ValidationError(_("The files are being prepared; wait for them."))
    elif (
        report.files_status == QuarterReport.FilesStatus.PENDING
        and report.files_requested_at
        and report.files_requested_at > timezone.now() - PENDING_GRACE
    ):
        raise ValidationError(_("The files are already waiting to be prepared."))
    token = uuid.uuid4().hex
    report.files_status = QuarterReport.FilesStatus.PENDING
    report.files_error = ""
    report.files_token = token
    report.files_requested_at = timezone.now()
    report.files_started_at = None
    report.save(
        update_fields=[
            "files_status",
            "files_error",
            "files_token",
            "files_requested_at",
            "files_started_at",
        ]
    )
    _enqueue_files(report.pk, token)
    return report


def _claim_files(report_id: int, token: str) -> QuarterReport | None:
    """Marks the files job running, or returns None when there is nothing to do:
    the files are made already, or belong to a newer snapshot or request."""
    with transaction.atomic():
        report = (
            QuarterReport.objects.select_for_update()
            .select_related("period__scheme__owner")
            .get(pk=report_id)
        )
        if report.period.is_locked:
            logger.info("files of report %s: the period is locked", report_id)
            return None
        if not report.is_done or report.files_token != token:
            logger.info("files of report %s: superseded", report_id)
            return None
        if report.files_status == QuarterReport.FilesStatus.DONE:
            logger.info("files of report %s: already made", report_id)
            return None
        # A run with this token may be under way still (a job sent twice, or one
        # that Celery hands out again after its worker died): the later run
        # makes the same files from the same rows, and only one stores them.
        report.files_status = QuarterReport.FilesStatus.RUNNING
        report.files_started_at = timezone.now()
        report.files_error = ""
        report.save(update_fields=["files_status", "files_started_at", "files_error"])
        return report


def report_files_build(*, report_id: int, token: str) -> QuarterReport | None:
    """The files job: the report's .xlsx and .pdf in both languages, made from the
    stored rows (memory stays flat whatever the number of units).

    Returns None when there was nothing to do. A failure is recorded on the report
    (shown with a button to try again) and raised for Celery's log.
    """
    report = _claim_files(report_id, token)
    if report is None:
        return None
    made: list[tuple[str, str, str]] = []  # (kind, language, temporary path)
    try:
        built_at = report.finished_at or timezone.now()
        for language in REPORT_LANGUAGES:
            path = exports.report_xlsx_file(report, language=language)
            made.append(("xlsx", language, path))
            if len(made) == 1:
                _test_pause()
            path = exports.report_pdf_file(report, language=language, built_at=built_at)
            made.append(("pdf", language, path))
        return _store_files(report, token, made)
    except Exception as exc:
        logger.exception("files of report %s failed", report_id)
        message = (
            " ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else f"{type(exc).__name__}: {exc}"
        )
        QuarterReport.objects.filter(
            pk=report_id, files_token=token, period__status__in=_UNLOCKED
        ).update(
            files_status=QuarterReport.FilesStatus.FAILED,
            files_error=(
                _("The files could not be made: %(reason)s") % {"reason": message}
            )[:2000],
            files_finished_at=timezone.now(),
        )
        raise
    finally:
        for _kind, _language, path in made:
            _remove(path)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _store_files(
    report: QuarterReport, token: str, made: list[tuple[str, str, str]]
) -> QuarterReport | None:
    """Saves the made files to storage and records them, unless a newer snapshot
    (or another run of this one) got there first."""
    slug = period_slug(report.period)
    saved = []
    for kind, language, path in made:
        record = QuarterReportFile(report=report, kind=kind, language=language)
        with open(path, "rb") as handle:
            record.file.save(f"{slug}-{language}.{kind}", File(handle), save=False)
        record.size = record.file.size
        saved.append(record)
    with transaction.atomic():
        Period.objects.select_for_update().get(pk=report.period_id)
        current = QuarterReport.objects.select_for_update().get(pk=report.pk)
        wanted = (
            not current.period.is_locked
            and current.is_done
            and current.files_token == token
            and current.files_status != QuarterReport.FilesStatus.DONE
        )
        if not wanted:
            for record in saved:
                transaction.on_commit(
                    lambda f=record.file: _delete_quietly(f.storage, f.name)
                )
            logger.info("files of report %s: superseded before storing", report.pk)
            return None
        _drop_files(current)
        QuarterReportFile.objects.bulk_create(saved)
        current.files_status = QuarterReport.FilesStatus.DONE
        current.files_error = ""
        current.files_finished_at = timezone.now()
        current.save(update_fields=["files_status", "files_error", "files_finished_at"])
    return current


def period_slug(period: Period) -> str:
    return f"assessment-{period.scheme.year}-{period.kind}-{period.scheme.unit_level}"


def period_file_title(period: Period) -> str:
    """A file's name as the office writes it, in the reader's language:
    2026年第四季度街道总工会考核结果 (2026 Q4 results of sub-district general unions)."""
    return _("%(period)s results of %(level)s") % {
        "period": period.label,
        "level": period.scheme.get_unit_level_display(),
    }


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
        .exclude(
            pk__in=QuarterReport.objects.filter(
                is_current=True,
                status__in=(
                    QuarterReport.Status.DONE,
                    QuarterReport.Status.RUNNING,
                    QuarterReport.Status.PENDING,
                ),
            ).values("period_id")
        )
        .values_list("pk", flat=True)
    )
    ids = list(due)
    for period_id in ids:
        enqueue_on_commit(build_quarter_report_task, period_id=period_id)
    return ids
