from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import ADMIN, get_visible_or_404, role_required
from unionportal.htmx import render_page_or_partial
from unionportal.pagination import CappedPaginator
from unionportal.search import union_match
from unionportal.sorting import apply_sort

from . import services
from .audit import audit_kind_choices
from .forms import (
    LanguageForm,
    NotificationSettingsForm,
    StyledPasswordChangeForm,
    UserForm,
)
from .models import AuditEvent, Notification, User
from .token_views import token_section


@login_required
def profile(request, new_token=None):
    response = render(
        request,
        "accounts/profile.html",
        {
            "language_form": LanguageForm(
                initial={"language": request.user.language or request.LANGUAGE_CODE}
            ),
            "notification_form": NotificationSettingsForm(user=request.user),
            **token_section(request, new_token=new_token),
        },
    )
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def notification_settings(request):
    form = NotificationSettingsForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.notification_settings_save(
                user=request.user, choices=form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your notification settings are saved."))
    else:
        messages.error(request, _("Choose how each notification reaches you."))
    return redirect(reverse("accounts:profile") + "#notification-settings")


@require_POST
def set_language(request):
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        from django.conf import settings

        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).only(
        "kind", "params", "title", "body", "url", "created_at", "read_at"
    )
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    target = (
        notification.url
        if notification.url.startswith("/")
        else reverse("accounts:notification_list")
    )
    return redirect(target)


@login_required
@require_POST
def notifications_read_all(request):
    services.notification_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("accounts:notification_list")


@login_required
@role_required(ADMIN)
def admin_home(request):
    return render(request, "accounts/admin_home.html")


# The columns the user list sorts by (a whitelist; indexes: the user name, user_name,
# the unions' code, user_active).
USER_SORTS = {
    "username": "username",
    "name": ("last_name", "first_name"),
    "union": ("union__code", "username"),
    "active": ("is_active", "username"),
}
# The audit log's (the created_at index, audit_kind_when, audit_user_when).
AUDIT_SORTS = {
    "when": "created_at",
    "kind": ("kind", "created_at"),
    "user": ("username", "created_at"),
}


@login_required
@role_required(ADMIN)
def user_list(request):
    users = (
        User.objects.visible_to(request.user)
        .select_related("union")
        .order_by("username")
    )
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | union_match(query, "union")
        )
    users, sort = apply_sort(users, request.GET.get("sort", ""), USER_SORTS, "")
    page = Paginator(users, 25).get_page(request.GET.get("page"))
    return render_page_or_partial(
        request,
        "accounts/user_list.html",
        "accounts/partials/user_rows.html",
        {"page": page, "query": query, "sort": sort},
    )


def _user_form(request, user):
    form = UserForm(request.POST or None, instance=user, by=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            saved = services.user_save(
                user=user,
                data=data,
                password=form.cleaned_data["password"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error("password" if not hasattr(exc, "error_dict") else None, exc)
        else:
            messages.success(
                request, _("User %(name)s was saved.") % {"name": saved.username}
            )
            return redirect("accounts:user_list")
    return render(
        request, "accounts/user_form.html", {"form": form, "edited_user": user}
    )


@login_required
@role_required(ADMIN)
def user_create(request):
    return _user_form(request, User())


@login_required
@role_required(ADMIN)
def user_edit(request, pk):
    return _user_form(
        request, get_visible_or_404(User.objects.all(), request.user, pk=pk)
    )


@login_required
@role_required(ADMIN)
def audit_list(request):
    events = AuditEvent.objects.visible_to(request.user).order_by("-created_at", "-pk")
    kind = request.GET.get("kind", "")
    kinds = audit_kind_choices()
    if kind in dict(kinds):
        events = events.filter(kind=kind)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        # By person or by their union's name or code (who acted or was acted on).
        events = events.filter(
            Q(username__icontains=query)
            | union_match(query, "user__union")
            | union_match(query, "target_user__union")
        )
    events, sort = apply_sort(events, request.GET.get("sort", ""), AUDIT_SORTS, "")
    page = CappedPaginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_list.html",
        {
            "page": page,
            "kinds": kinds,
            "kind": kind,
            "query": query,
            "sort": sort,
        },
    )


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change with the audited, limited form."""

    form_class = StyledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PortalLoginView(auth_views.LoginView):
    """Django's sign-in page; a signed-in user is sent on to where they were going."""

    redirect_authenticated_user = True

    def get_redirect_url(self):
        # A ``next`` back to this very page would send a signed-in user round in a
        # loop, which Django answers with a server error: go home instead.
        url = super().get_redirect_url()
        return "" if urlsplit(url).path == self.request.path else url
