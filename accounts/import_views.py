"""The bulk user import's pages: upload → preview → confirm, on the portal's one
import pipeline (accounts/imports.py, unionportal/imports.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from unionportal.access import ADMIN, role_required
from unionportal.downloads import as_download
from unionportal.xlsx import XLSX_CONTENT_TYPE

from .forms import UserImportForm
from .imports import USER_IMPORT, user_import_template


@login_required
@role_required(ADMIN)
def user_import(request):
    form = UserImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            preview = USER_IMPORT.preview(request, form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(
        request, "accounts/user_import.html", {"form": form, "preview": preview}
    )


@never_cache
@login_required
@role_required(ADMIN)
@require_POST
def user_import_confirm(request):
    if request.POST.get("cancel"):
        USER_IMPORT.forget(request)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("accounts:user_import")
    try:
        done = USER_IMPORT.confirm(request, request.POST.get("token", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:user_import")
    if not done.applied:
        # A user name was taken or a union closed since the preview.
        return render(
            request,
            "accounts/user_import.html",
            {"form": UserImportForm(), "preview": done.preview},
        )
    # The first passwords are shown in this answer only: never stored in clear,
    # never kept in the session, never cached.
    return render(request, "accounts/user_import_done.html", {"created": done.result})


@login_required
@role_required(ADMIN)
@require_GET
def user_import_template_download(request):
    response = HttpResponse(
        user_import_template(by=request.user), content_type=XLSX_CONTENT_TYPE
    )
    return as_download(
        response, _("Users import template.xlsx"), fallback="users-template"
    )
