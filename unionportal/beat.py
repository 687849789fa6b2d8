"""The shared package's own periodic job; each app's are in its ``beat.py``.

The settings module gathers them all into ``CELERY_BEAT_SCHEDULE``. No Django imports
here: this is read while settings load.
"""

# The outbox of unionportal/jobs.py: jobs the broker refused when they were asked for.
OUTBOX_SCHEDULE = {
    "outbox-flush": {"task": "unionportal.tasks.outbox_flush_task", "schedule": 30.0},
    # Staged import files older than 24 hours (unionportal/imports.py).
    "purge-staged-imports": {
        "task": "unionportal.tasks.purge_staged_imports_task",
        "schedule": 24 * 60 * 60.0,
    },
}
