from celery import shared_task

from .jobs import outbox_flush


@shared_task
def outbox_flush_task() -> int:
    """Every 30 s: sends the jobs that could not reach the broker when asked for."""
    return outbox_flush()
