from celery import shared_task

from .imports import purge_staged_imports
from .jobs import outbox_flush


@shared_task
def outbox_flush_task() -> int:
    """Every 30 s: sends the jobs that could not reach the broker when asked for."""
    return outbox_flush()


@shared_task
def purge_staged_imports_task() -> int:
    """Daily: deletes uploads of imports that were never confirmed nor cancelled."""
    return purge_staged_imports()
