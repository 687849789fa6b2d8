"""Enqueue Celery jobs after commit, without ever dropping one.

    from unionportal.jobs import enqueue_on_commit
    enqueue_on_commit(build_quarter_report_task, period_id=period.pk, token=token)

in place of ``transaction.on_commit(lambda: task.delay(...))``. With a plain
``delay`` in ``on_commit``, a broker that is down (Redis restarting, a network
blip) makes ``delay`` raise *after* the change was committed: the user gets an
error page and the job is lost. Here the job is first written to the database
(``OutboxJob``) in the caller's transaction, then sent after the commit; if the
broker refuses, the row stays and ``outbox_flush_task`` (unionportal/tasks.py, run
by celery beat every 30 s) sends it once the broker is back. A job may then run
twice (the send worked but the row could not be deleted): tasks are idempotent, as
docs/architecture.md requires.
"""

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.utils import timezone

from .models import OutboxJob

logger = logging.getLogger(__name__)

# How hard a send tries before the job is left to the flush task: a few quick
# attempts, so a request is not held up by a broker that is down.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Rows younger than this are still being sent by the request that wrote them.
FLUSH_GRACE = timedelta(seconds=5)
FLUSH_BATCH = 500


def enqueue_on_commit(task, /, **kwargs) -> OutboxJob:
    """Sends ``task(**kwargs)`` once the current transaction commits; never loses it.

    ``kwargs`` must be JSON (ids, not model instances).
    """
    job = OutboxJob.objects.create(task=task.name, kwargs=kwargs)
    transaction.on_commit(lambda: publish(job.pk))
    return job


def publish(job_id: int) -> bool:
    """Sends one outbox job to the broker and deletes it; False when it stays."""
    app = current_app
    if app.conf.task_always_eager:
        # No broker: the job runs here and now, as ``delay`` would run it.
        job = OutboxJob.objects.filter(pk=job_id).first()
        if job is None:
            return False
        job.delete()
        app.tasks[job.task].delay(**job.kwargs)
        return True
    with transaction.atomic():
        # skip_locked: a flush and the request that wrote the row never both send it.
        job = (
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return False
        try:
            _send(app, job)
        except Exception as exc:  # any broker or network error: keep the row
            logger.warning(
                "job %s (%s) could not be sent, it stays queued: %s",
                job.pk,
                job.task,
                exc,
            )
            job.attempts += 1
            job.last_error = f"{type(exc).__name__}: {exc}"[:500]
            job.save(update_fields=["attempts", "last_error"])
            return False
        job.delete()
        return True


def outbox_flush(*, older_than: timedelta = FLUSH_GRACE) -> int:
    """Sends the jobs that their request could not send; returns how many went."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutboxJob.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
            :FLUSH_BATCH
        ]
    )
    return sum(publish(job_id) for job_id in ids)


def _send(app, job: OutboxJob) -> None:
    options = {"retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    task = app.tasks.get(job.task)
    if task is not None:
        task.apply_async(kwargs=job.kwargs, **options)
    else:
        # A process that never imported the task's module sends it by name.
        app.send_task(job.task, kwargs=job.kwargs, **options)
