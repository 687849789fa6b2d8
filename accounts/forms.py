from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from unionportal.search import union_label, union_search_attrs

from .models import User


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class StyledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, audited and limited: a wrong current password is
    logged, and after several in a short time the page stops checking (someone at
    an unlocked computer must not be able to guess the password)."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_old_password(self):
        from . import services
        from .models import AuditEvent

        if services.password_checks_exhausted(user=self.user):
            raise forms.ValidationError(
                _("Too many wrong passwords. Wait %(minutes)s minutes, then try again.")
                % {"minutes": services.PASSWORD_CHECK_WINDOW_MINUTES},
                code="too_many_attempts",
            )
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            services.audit_record(
                kind=AuditEvent.Kind.PASSWORD_CHANGE_FAILED,
                request=self.request,
                user=self.user,
            )
            raise

    def save(self, commit=True):
        from . import services
        from .models import AuditEvent

        self.user.must_change_password = False
        user = super().save(commit=commit)
        services.audit_record(
            kind=AuditEvent.Kind.PASSWORD_CHANGED, request=self.request, user=user
        )
        services.api_tokens_revoke_all(user=user)
        return user


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[])

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES


class UserForm(forms.ModelForm):
    """An administrator's form for a portal user: their union and roles."""

    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "union",
            "is_cadre",
            "is_reviewer",
            "is_leader",
            "is_union_admin",
            "is_active",
        ]

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices follow the model's relation, scoped to what ``by`` administers:
        # accounts sits below unions and names no union model itself.
        unions = self.fields["union"].queryset
        if by is not None:
            unions = unions.visible_to(by).filter(is_active=True)
        self.fields["union"].queryset = unions
        self.fields["union"].required = True
        self.fields["union"].label_from_instance = lambda union: union_label(
            union.name, union.code
        )
        self.fields["union"].widget.attrs.update(union_search_attrs("active"))
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Person"),
                Div(
                    Div("username", css_class="col-md-4"),
                    Div("first_name", css_class="col-md-4"),
                    Div("last_name", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("email", css_class="col-md-6"),
                    Div("phone", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Union and roles"),
                "union",
                "is_cadre",
                "is_reviewer",
                "is_leader",
                "is_union_admin",
            ),
            Fieldset(_("Sign-in"), "password", "is_active"),
            Submit("save", _("Save")),
        )

    def clean(self):
        cleaned = super().clean()
        roles = ("is_cadre", "is_reviewer", "is_leader", "is_union_admin")
        if not any(cleaned.get(r) for r in roles):
            raise forms.ValidationError(_("Give the user at least one role."))
        return cleaned


class NotificationSettingsForm(forms.Form):
    """How each kind of notification reaches the person: a choice per kind."""

    def __init__(self, *args, user, **kwargs):
        from .notices import Delivery, kinds

        super().__init__(*args, **kwargs)
        for kind in kinds():
            choices = [
                (value, label)
                for value, label in Delivery.choices
                if value != Delivery.OFF or kind.can_switch_off
            ]
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                initial=user.notification_delivery(kind.code),
            )


class UserImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("Start from the template: one row per user."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
