from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .services import term_reminders_send


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def term_reminders_task() -> int:
    """Daily: notify about terms that became due or overdue (once per threshold)."""
    return term_reminders_send(at=timezone.localdate())
