"""Periodic jobs of planning, gathered by the settings (no Django imports here)."""

from celery.schedules import crontab

SCHEDULE = {
    # Status changes with the calendar (a due date passes): refresh before people
    # start work, then remind them of reports due and overdue.
    "planning-refresh-projects": {
        "task": "planning.tasks.refresh_projects_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "planning-report-reminders": {
        "task": "planning.tasks.send_report_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
}
