"""The API-token section of the profile page: create (the key is shown once) and
revoke. Both answer an htmx request with the section alone, and a plain form post
with a redirect to the profile page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.tokens import ApiTokenForm, api_token_create, api_token_revoke
from unionportal.htmx import is_partial_request

from .models import ApiToken

PARTIAL = "accounts/partials/profile_tokens.html"


def token_section(request, *, form=None, new_token=None) -> dict:
    """The context of the token section, for the profile page and for htmx."""
    return {
        "api_tokens": list(
            ApiToken.objects.active()
            .filter(user=request.user)
            .only("name", "prefix", "created_at", "last_used_at")
        ),
        "token_form": form or ApiTokenForm(),
        "new_token": new_token,
    }


def _profile_redirect():
    return redirect(reverse("accounts:profile") + "#api-tokens")


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    new_token = None
    if form.is_valid():
        try:
            token, key = api_token_create(
                user=request.user, name=form.cleaned_data["name"], request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            new_token = {"name": token.name, "key": key}
            form = None
    if is_partial_request(request):
        context = token_section(request, form=form, new_token=new_token or {})
        return render(request, PARTIAL, context)
    if new_token:
        # Shown in this answer and nowhere else: the key is never stored (not even
        # in the signed session cookie until the next page).
        from .views import profile

        return profile(request, new_token=new_token)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return _profile_redirect()


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.active(), pk=pk, user=request.user)
    api_token_revoke(token=token, request=request)
    if is_partial_request(request):
        return render(request, PARTIAL, token_section(request, new_token={}))
    messages.success(
        request, _("The token %(name)s was revoked.") % {"name": token.name}
    )
    return _profile_redirect()
