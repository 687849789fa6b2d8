import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    sent = 0
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient"
    )
    for notification in notifications:
        if not notification.recipient.email:
            continue
        send_mail(
            notification.title,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        sent += 1
    return sent
