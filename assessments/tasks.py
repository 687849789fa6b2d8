import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def build_quarter_report_task(self, period_id: int, token: str | None = None):
    """Builds one period's report snapshot (idempotent); the snapshot enqueues
    ``build_report_files_task`` for its files when it commits."""
    from .models import Period
    from .services import report_build

    try:
        # A job without a token has no request behind it (the nightly's): it
        # builds a period's missing report, never a second version.
        report = report_build(
            period_id=period_id, token=token, if_missing=token is None
        )
    except Period.DoesNotExist:
        logger.warning("report of period %s: no such period", period_id)
        return {"period": period_id, "status": "missing"}
    except ValidationError as exc:
        # Refused (locked, still open...): the reason is on the report; no retry.
        logger.warning("report of period %s refused: %s", period_id, exc.messages)
        return {"period": period_id, "status": "refused", "reason": exc.messages}
    if report is None:
        return {"period": period_id, "status": "skipped"}
    return {"period": period_id, "status": report.status, "report": report.pk}


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def build_report_files_task(self, report_id: int, token: str):
    """Makes a report snapshot's .xlsx and .pdf files from its stored rows
    (idempotent: does nothing when they are made, or belong to a newer snapshot)."""
    from .models import QuarterReport
    from .services import report_files_build

    try:
        report = report_files_build(report_id=report_id, token=token)
    except QuarterReport.DoesNotExist:
        logger.warning("files of report %s: no such report", report_id)
        return {"report": report_id, "status": "missing"}
    if report is None:
        return {"report": report_id, "status": "skipped"}
    return {"report": report_id, "status": "done"}


@shared_task
def build_due_reports_task():
    """Nightly: builds the reports of periods closed before today."""
    from django.db import transaction

    from .services import reports_build_due

    with transaction.atomic():
        return reports_build_due()
