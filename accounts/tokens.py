"""Personal API tokens: created and revoked by their owner on the profile page.

A key is random (256 bits); only its SHA-256 digest is stored, so a leaked
database does not leak usable keys, and a lookup by digest needs no slow hash.
"""

import hashlib
import secrets

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ApiToken, AuditEvent, User
from .services import audit_record

KEY_PREFIX = "upt_"
# A user rarely needs more; a cap keeps forgotten keys from piling up.
MAX_ACTIVE_TOKENS = 10


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def api_token_create(*, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Creates a token and returns it with its key, which is never shown again."""
    # Locks the user's row so two requests cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _(
                "You already have %(count)s active tokens. Revoke one you no longer "
                "use before creating another."
            )
            % {"count": MAX_ACTIVE_TOKENS}
        )
    key = new_key()
    token = ApiToken(
        user=user, name=name.strip(), prefix=key[:10], key_hash=hash_key(key)
    )
    token.full_clean()
    token.save()
    audit_record(
        kind=AuditEvent.Kind.TOKEN_CREATED,
        request=request,
        user=user,
        detail=f"{token.name} ({token.prefix}…)",
    )
    return token, key


def api_token_revoke(*, token: ApiToken, request=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            kind=AuditEvent.Kind.TOKEN_REVOKED,
            request=request,
            user=token.user,
            detail=f"{token.name} ({token.prefix}…)",
        )
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key whose user may sign in, or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__union")
        .filter(key_hash=hash_key(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # One write per minute at most, not one per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “OA system sync”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(
            {"placeholder": gettext_lazy("e.g. OA system sync"), "autocomplete": "off"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
