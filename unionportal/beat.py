"""The periodic jobs of every app, gathered for celery beat.

Each app may keep a ``beat.py`` holding a plain ``SCHEDULE`` dict (no Django
imports: it is read while settings load).
"""

import importlib

APPS_WITH_SCHEDULES = ("accounts", "unions", "planning", "assessments")


def _collect() -> dict:
    schedule: dict = {}
    for app in APPS_WITH_SCHEDULES:
        try:
            module = importlib.import_module(f"{app}.beat")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.beat":
                raise
            continue
        schedule.update(module.SCHEDULE)
    return schedule


# The outbox of unionportal/jobs.py: jobs the broker refused when they were asked for.
OUTBOX_SCHEDULE = {
    "outbox-flush": {"task": "unionportal.tasks.outbox_flush_task", "schedule": 30.0}
}

BEAT_SCHEDULE = {**_collect(), **OUTBOX_SCHEDULE}
