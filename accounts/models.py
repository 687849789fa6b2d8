from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionportal.roles import Role

from .audit import audit_kind_choices, register_audit_kinds


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators see the users of the unions in their scope."""
        from unionportal.access import scope_filter

        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.filter(scope_filter(user, "union"))

    def editable_by(self, user):
        return self.visible_to(user)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: belongs to one union and holds one or more roles."""

    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    is_cadre = models.BooleanField(_("cadre"), default=False)
    is_reviewer = models.BooleanField(_("reviewer"), default=False)
    is_leader = models.BooleanField(_("leader"), default=False)
    is_union_admin = models.BooleanField(_("administrator"), default=False)
    # Set when someone else chose the password (an administrator, a bulk import):
    # the person must choose their own before anything else
    # (accounts.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(
        _("must change the password at the next sign-in"), default=False
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # How each kind of notification reaches this person: {kind: "now"|"digest"|"off"};
    # a kind not named here arrives at once (accounts.notices.Delivery).
    notification_settings = models.JSONField(
        _("notification settings"), default=dict, blank=True
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        indexes = [
            # The user list's sortable columns (views.USER_SORTS); the user name
            # is unique, so indexed already.
            models.Index(fields=["last_name", "first_name", "id"], name="user_name"),
            models.Index(fields=["is_active", "username"], name="user_active"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """张丽 for a Chinese name (family name first, no space), Li Zhang otherwise."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def roles(self) -> list[str]:
        flags = {
            Role.CADRE: self.is_cadre,
            Role.REVIEWER: self.is_reviewer,
            Role.LEADER: self.is_leader,
            Role.ADMIN: self.is_union_admin or self.is_superuser,
        }
        return [role for role, held in flags.items() if held]

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def get_roles_display(self) -> str:
        return ", ".join(str(Role(role).label) for role in self.roles)

    @property
    def is_read_only(self) -> bool:
        """Leaders read everything and change nothing."""
        return not self.has_role(Role.CADRE, Role.REVIEWER, Role.ADMIN)

    def notification_delivery(self, kind: str) -> str:
        from .notices import Delivery

        chosen = (self.notification_settings or {}).get(kind)
        return chosen if chosen in Delivery.values else Delivery.NOW


class Notification(models.Model):
    """A message in a user's portal inbox (the bell), optionally also e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # What happened, as a kind and its parameters (accounts/notices.py): rendered in
    # the reader's language when read. ``title`` and ``body`` keep the text in the
    # site's language for the admin, and are what notifications of kind "text"
    # (written before kinds existed) show.
    kind = models.CharField(_("kind"), max_length=60, default="text")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Lets a job notify once per event: (recipient, dedupe_key) is unique when set.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set when the notification went out by e-mail, at once or in a daily digest:
    # a digest job that runs twice sends nothing twice.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell counts unread notifications of one user on every page.
            models.Index(
                fields=["recipient", "read_at"], name="notif_recipient_unread"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notif_unique_dedupe_key",
            )
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        from .notices import render

        return render(self)[0]

    @property
    def display_body(self) -> str:
        from .notices import render

        return render(self)[1]


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An administrator reads the events of the people in their subtree: what
        they did, or what was done to them. Sign-ins that failed under a name no
        user has (and anything else without a person) only the administrators at
        the top of a tree read."""
        from unionportal.access import scope_filter

        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        people = scope_filter(user, "user__union") | scope_filter(
            user, "target_user__union"
        )
        at_the_top = (user.is_superuser and user.union_id is None) or (
            user.union_id is not None and user.union.parent_id is None
        )
        if at_the_top:
            people |= models.Q(user__isnull=True, target_user__isnull=True)
        return self.filter(people)


class AuditEvent(models.Model):
    """Security-relevant events: sign-ins, role changes, personal-data exports, and
    the kinds other apps register (accounts/audit.py)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        LOCKED_OUT = "locked_out", _("Locked out")
        ROLE_CHANGED = "role_changed", _("Roles changed")
        PERSONAL_DATA_EXPORT = "personal_export", _("Personal data exported")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        PASSWORD_SET = "password_set", _("Password set by an administrator")
        PASSWORD_CHANGED = "password_changed", _("Own password changed")
        PASSWORD_CHANGE_FAILED = (
            "password_change_failed",
            _("Wrong current password when changing it"),
        )
        PASSWORD_RESET_REQUESTED = (
            "password_reset_requested",
            _("Password reset e-mail requested"),
        )
        PASSWORD_RESET_LIMITED = (
            "password_reset_limited",
            _("Password reset refused: too many requests"),
        )
        PASSWORD_RESET = "password_reset", _("Password reset by e-mail")
        USER_DEACTIVATED = "user_deactivated", _("User deactivated")
        USER_REACTIVATED = "user_reactivated", _("User reactivated")

    # The choices are every app's registered kinds (accounts/audit.py), read when
    # asked for: this app's own below, the period events of assessments...
    kind = models.CharField(_("event"), max_length=30, choices=audit_kind_choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    # The person an administrator acted on (roles, password, deactivation): the
    # administrators above that person's union see the event too.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concerning"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The audit log sorted by event or by person (views.AUDIT_SORTS).
            models.Index(fields=["kind", "created_at"], name="audit_kind_when"),
            models.Index(fields=["username", "created_at"], name="audit_user_when"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username}"


register_audit_kinds(AuditEvent.Kind)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal key for the REST API, acting with its owner's roles and scope.

    Only a SHA-256 digest of the key is stored: the key itself is shown once, when
    it is created, and cannot be recovered afterwards. ``prefix`` (the first
    characters of the key) lets its owner tell keys apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “OA system sync”."),
    )
    prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    # The digest is looked up on every API request, hence unique (and indexed).
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
