from axes.signals import user_locked_out
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import AuditEvent, Notification


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    from .services import audit_record

    audit_record(kind=AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    from .services import audit_record

    if user is not None:
        audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    from .services import audit_record

    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out)
def _audit_locked_out(sender, request, username, ip_address, **kwargs):
    from .services import audit_record

    audit_record(
        kind=AuditEvent.Kind.LOCKED_OUT, request=request, username=username or ""
    )


@receiver(post_save, sender=Notification)
@receiver(post_delete, sender=Notification)
def _forget_unread(sender, instance, **kwargs):
    from .unread import forget_unread

    forget_unread(instance.recipient_id)
