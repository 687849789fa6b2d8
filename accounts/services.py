from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEvent, Notification, User


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def audit_record(
    *,
    kind: str,
    request=None,
    user=None,
    username: str = "",
    detail: str = "",
    target=None,
) -> AuditEvent:
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=username or (user.get_username() if user is not None else ""),
        target_user=target if target is not None and target.pk else None,
        ip_address=client_ip(request),
        detail=detail[:500],
    )


def api_tokens_revoke_all(*, user: User) -> int:
    """A new password ends every API token of the user: a token taken with the old
    password must not outlive it."""
    from .models import ApiToken

    return ApiToken.objects.active().filter(user=user).update(revoked_at=timezone.now())


# Wrong current passwords on the password-change page: more than this many in the
# window and the page refuses to check another for the rest of it.
PASSWORD_CHECK_LIMIT = 5
PASSWORD_CHECK_WINDOW_MINUTES = 15


def password_checks_exhausted(*, user: User) -> bool:
    since = timezone.now() - timezone.timedelta(minutes=PASSWORD_CHECK_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PASSWORD_CHANGE_FAILED, user=user, created_at__gte=since
    ).count()
    return failures >= PASSWORD_CHECK_LIMIT


def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    params: dict | None = None,
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Puts a notification of ``kind`` in each recipient's inbox, unless they switched
    that kind off, and e-mails it at once to those who want it at once (when mail is
    on); those who chose the daily digest get it with ``notification_digest_send``.

    The notification keeps ``params`` (ids, names, dates: JSON values) and is
    rendered in the reader's language when read (accounts/notices.py). With a
    ``dedupe_key`` a recipient gets the notification only once, however often a job
    runs: the unique constraint decides, so two workers cannot both send.
    """
    from django.utils import translation

    from .notices import Delivery, get_kind

    if get_kind(kind) is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    params = params or {}
    # The stored text is the site's language, for the admin and as a fallback.
    with translation.override(settings.LANGUAGE_CODE):
        probe = Notification(kind=kind, params=params)
        title, body = probe.display_title, probe.display_body
    created, at_once = [], []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        if not user.is_active:
            continue
        delivery = user.notification_delivery(kind)
        if delivery == Delivery.OFF:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    params=params,
                    title=title[:255],
                    body=body,
                    url=url,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            continue
        created.append(notification)
        if delivery == Delivery.NOW:
            at_once.append(notification.pk)
    if at_once and settings.EMAIL_NOTIFICATIONS:
        from unionportal.jobs import enqueue_on_commit

        from .tasks import send_notification_emails_task

        enqueue_on_commit(send_notification_emails_task, notification_ids=at_once)
    return created


def _mail_language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """E-mails each notification to its recipient, in the recipient's language;
    idempotent: a notification already e-mailed is not sent again."""
    from django.core.mail import send_mail
    from django.utils import translation

    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        user = notification.recipient
        if user.email:
            with translation.override(_mail_language(user)):
                title, body = notification.display_title, notification.display_body
                link = _absolute(notification.url)
                send_mail(
                    title,
                    "\n\n".join(part for part in (body, link) if part),
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
            sent += 1
        Notification.objects.filter(pk=notification.pk).update(
            emailed_at=timezone.now()
        )
    return sent


def notification_digest_send() -> int:
    """One e-mail per person with the notifications of the kinds they take as a
    daily digest, not yet e-mailed. Idempotent: each goes out once."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext

    from .notices import Delivery

    sent = 0
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        user = notification.recipient
        if user.notification_delivery(notification.kind) == Delivery.DIGEST:
            by_user.setdefault(user.pk, []).append(notification)
    for notifications in by_user.values():
        user = notifications[0].recipient
        with translation.override(_mail_language(user)):
            lines = []
            for notification in notifications:
                lines.append(f"· {notification.display_title}")
                if notification.display_body:
                    lines.append(f"  {notification.display_body}")
                if notification.url:
                    lines.append(f"  {_absolute(notification.url)}")
            subject = gettext("Your daily digest: %(count)s notifications") % {
                "count": len(notifications)
            }
            send_mail(
                subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email]
            )
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent


def _absolute(url: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    return f"{base.rstrip('/')}{url}" if url.startswith("/") and base else url


def notification_settings_save(*, user: User, choices: dict[str, str]) -> User:
    """Keeps how each kind of notification reaches ``user``."""
    from .notices import Delivery, get_kind

    cleaned = {}
    for kind, delivery in choices.items():
        entry = get_kind(kind)
        if entry is None or delivery not in Delivery.values:
            raise ValidationError(_("Unknown notification setting."))
        if delivery == Delivery.OFF and not entry.can_switch_off:
            raise ValidationError(_("This notification cannot be switched off."))
        if delivery != Delivery.NOW:
            cleaned[kind] = delivery
    user.notification_settings = cleaned
    user.save(update_fields=["notification_settings"])
    return user


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    from .unread import forget_unread

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    marked = unread.update(read_at=timezone.now())
    forget_unread(user.pk)
    return marked


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
    was_active = None
    if user.pk:
        before = (
            User.objects.filter(pk=user.pk).values(*ROLE_FIELDS, "union_id").first()
        )
        was_active = User.objects.filter(pk=user.pk).values_list(
            "is_active", flat=True
        )[0]
    for name, value in data.items():
        setattr(user, name, value)
    if password:
        validate_password(password, user)
        user.set_password(password)
        # Someone else chose it: the person chooses their own at the next sign-in.
        user.must_change_password = user.pk != by.pk
    user.full_clean(exclude=["password"])
    user.save()
    after = {name: getattr(user, name) for name in (*ROLE_FIELDS, "union_id")}
    if before != after:
        audit_record(
            kind=AuditEvent.Kind.ROLE_CHANGED,
            request=request,
            user=by,
            target=user,
            # Role codes, not their labels: the log is read in any language.
            detail=f"{user.username}: {','.join(user.roles)} @ {user.union_id}",
        )
    if password:
        api_tokens_revoke_all(user=user)
    if password and was_active is not None:
        # An administrator who sets someone's password could sign in as them:
        # the log keeps who did it (a new user's first password is part of
        # creating the account).
        audit_record(
            kind=AuditEvent.Kind.PASSWORD_SET,
            request=request,
            user=by,
            target=user,
            detail=user.username,
        )
    if was_active is not None and was_active != user.is_active:
        audit_record(
            kind=AuditEvent.Kind.USER_REACTIVATED
            if user.is_active
            else AuditEvent.Kind.USER_DEACTIVATED,
            request=request,
            user=by,
            target=user,
            detail=user.username,
        )
    return user
