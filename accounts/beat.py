"""Periodic jobs of accounts, gathered by the settings (no Django imports here)."""

from celery.schedules import crontab

SCHEDULE = {
    "accounts-notification-digest": {
        "task": "accounts.tasks.notification_digest_task",
        "schedule": crontab(hour=7, minute=30),
    },
}
