"""Celery beat entries of the assessment app (plain data: read while settings load)."""

from celery.schedules import crontab

SCHEDULE = {
    # The day after a period closes, its report is built (and any that failed is
    # tried again), early enough to be ready when the office opens.
    "assessments-build-due-reports": {
        "task": "assessments.tasks.build_due_reports_task",
        "schedule": crontab(hour=1, minute=30),
    },
}
