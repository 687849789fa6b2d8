from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def refresh_projects_task() -> int:
    """Re-derives every published project's status; notifies new delays once."""
    from .services.plans import projects_refresh

    return projects_refresh()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_report_reminders_task() -> int:
    """One digest per cadre per day; idempotent through reminder rows and the
    notification's dedupe key."""
    from .services.reports import reminders_send

    return reminders_send()
