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


BEAT_SCHEDULE = _collect()
