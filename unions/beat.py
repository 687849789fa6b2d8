from celery.schedules import crontab

SCHEDULE = {
    "unions-term-reminders": {
        "task": "unions.tasks.term_reminders_task",
        # Early in the morning, before the office opens.
        "schedule": crontab(hour=6, minute=30),
    },
}
