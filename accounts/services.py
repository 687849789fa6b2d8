from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AuditEvent, Notification, User


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def audit_record(
    *, kind: str, request=None, user=None, username: str = "", detail: str = ""
) -> AuditEvent:
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=username or (user.get_username() if user is not None else ""),
        ip_address=client_ip(request),
        detail=detail[:500],
    )


def notification_send(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Puts a notification in each recipient's inbox and mails it when mail is on.

    With a ``dedupe_key`` a recipient gets the notification only once, however
    often a job runs: the unique constraint decides, so two workers cannot both send.
    """
    created = []
    for user in {u.pk: u for u in recipients}.values():
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=user,
                        title=title[:255],
                        body=body,
                        url=url,
                        dedupe_key=dedupe_key,
                    )
                )
        except IntegrityError:
            continue
    if created and settings.EMAIL_NOTIFICATIONS:
        from unionportal.jobs import enqueue_on_commit

        from .tasks import send_notification_emails_task

        enqueue_on_commit(
            send_notification_emails_task, notification_ids=[n.pk for n in created]
        )
    return created


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


ROLE_FIELDS = ("is_cadre", "is_reviewer", "is_leader", "is_union_admin")


@transaction.atomic
def user_save(
    *, user: User, data: dict, password: str = "", by: User, request=None
) -> User:
    """Creates or changes a portal user; a change of roles or union is audited."""
    from django.contrib.auth.password_validation import validate_password

    before = None
    if user.pk:
        before = (
            User.objects.filter(pk=user.pk).values(*ROLE_FIELDS, "union_id").first()
        )
    for name, value in data.items():
        setattr(user, name, value)
    if password:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    after = {name: getattr(user, name) for name in (*ROLE_FIELDS, "union_id")}
    if before != after:
        audit_record(
            kind=AuditEvent.Kind.ROLE_CHANGED,
            request=request,
            user=by,
            detail=f"{user.username}: {user.get_roles_display()} @ {user.union_id}",
        )
    return user
