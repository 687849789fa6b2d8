"""Forgotten passwords: Django's reset by e-mail, limited and audited.

The e-mail goes out in the recipient's language (their saved one, else the
site's); the page answers the same neutral words whether or not the address
belongs to someone, so it cannot be used to learn who has an account. Requests are
limited per address and per IP address in the cache; a refused one is audited
and told to wait. Setting the new password is audited and ends the user's API
tokens, as a change of password does.
"""

import hashlib

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent

# At most this many reset e-mails per address and per IP address in the window.
RESET_LIMIT_PER_EMAIL = 3
RESET_LIMIT_PER_IP = 10
RESET_WINDOW_SECONDS = 60 * 60


def _hit(key: str) -> int:
    """Counts one request under ``key`` in the window; the count so far."""
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        return 1


def reset_allowed(*, email: str, ip: str | None) -> bool:
    """Counts a request for ``email`` from ``ip``; False once either is over its
    limit (the address is hashed: the cache keeps no e-mail address)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    by_email = _hit(f"pwreset:email:{digest}")
    by_ip = _hit(f"pwreset:ip:{ip or 'unknown'}")
    return by_email <= RESET_LIMIT_PER_EMAIL and by_ip <= RESET_LIMIT_PER_IP


class PortalPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].widget.attrs.update(
            {"autofocus": True, "placeholder": "name@example.org"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self):
        email = self.cleaned_data["email"]
        if not reset_allowed(email=email, ip=services.client_ip(self.request)):
            services.audit_record(
                kind=AuditEvent.Kind.PASSWORD_RESET_LIMITED, request=self.request
            )
            raise forms.ValidationError(
                _(
                    "Too many requests for a new password. Wait an hour, then try "
                    "again, or ask your union's administrator."
                ),
                code="too_many_requests",
            )
        return email

    def save(self, *args, **kwargs):
        users = list(self.get_users(self.cleaned_data["email"]))
        if not users:
            services.audit_record(
                kind=AuditEvent.Kind.PASSWORD_RESET_REQUESTED,
                request=self.request,
                detail="no active user with this address",
            )
        return super().save(*args, **kwargs)

    def send_mail(
        self, subject_template_name, email_template_name, context, *args, **kwargs
    ):
        user = context["user"]
        services.audit_record(
            kind=AuditEvent.Kind.PASSWORD_RESET_REQUESTED,
            request=self.request,
            user=user,
            target=user,
        )
        # In the recipient's language, whatever the language of the page.
        with translation.override(user.language or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name, email_template_name, context, *args, **kwargs
            )


class PortalSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        self.request = kwargs.pop("request", None)
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def save(self, commit=True):
        user = super().save(commit=commit)
        services.audit_record(
            kind=AuditEvent.Kind.PASSWORD_RESET, request=self.request, user=user
        )
        services.api_tokens_revoke_all(user=user)
        return user


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
