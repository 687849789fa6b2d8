from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    return services.notification_emails_send(notification_ids=notification_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_digest_task() -> int:
    """Daily: each person's digest of the notifications they take once a day."""
    return services.notification_digest_send()
