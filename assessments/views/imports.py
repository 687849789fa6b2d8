from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_visible_or_404
from unionportal.downloads import as_download
from unionportal.roles import Role
from unionportal.xlsx import XLSX_CONTENT_TYPE

from ..forms import ScoreImportForm
from ..models import Period
from ..services import can_review, imports, scheme_units
from ..services.reports import period_slug


def _import_period(request, pk) -> Period:
    """A period whose scores the user may import: 404 unseen, 403 otherwise."""
    period = get_visible_or_404(
        Period.objects.select_related("scheme__owner"), request.user, pk=pk
    )
    if period.is_year or not request.user.has_role(Role.REVIEWER):
        raise PermissionDenied
    if period.status not in (Period.Status.OPEN, Period.Status.CLOSED):
        raise PermissionDenied
    if not any(
        can_review(user=request.user, period=period, unit=unit)
        for unit in scheme_units(scheme=period.scheme)
    ):
        raise PermissionDenied  # a reviewer with no unit of this scheme below them
    return period


@login_required
def score_import(request, pk):
    """Upload a workbook of reviewed scores and see every row checked."""
    period = _import_period(request, pk)
    form = ScoreImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            preview = imports.SCORE_IMPORT.preview(
                request,
                form.cleaned_data["file"],
                data={"period": period.pk},
                slot=str(period.pk),
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    return _render(request, period, form, preview)


def _render(request, period, form, preview):
    return render(
        request,
        "assessments/score_import.html",
        {
            "period": period,
            "form": form,
            "preview": preview,
            "rows": preview.rows if preview else None,
            "errors": len(preview.error_rows) if preview else 0,
            "token": preview.token if preview else "",
        },
    )


@login_required
@require_POST
def score_import_confirm(request, pk):
    period = _import_period(request, pk)
    if request.POST.get("cancel"):
        imports.SCORE_IMPORT.forget(request, slot=str(period.pk))
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("assessments:score_import", pk=period.pk)
    try:
        done = imports.SCORE_IMPORT.confirm(
            request, request.POST.get("token", ""), slot=str(period.pk)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("assessments:score_import", pk=period.pk)
    if not done.applied:
        # A row became wrong since the preview (a score was reviewed meanwhile, the
        # period closed): the rows are shown again with what is wrong now.
        return _render(request, period, ScoreImportForm(), done.preview)
    messages.success(
        request, _("%(count)s reviewed scores were imported.") % {"count": done.result}
    )
    return redirect(period)


@login_required
def score_import_template(request, pk):
    period = _import_period(request, pk)
    response = HttpResponse(
        imports.import_template(period=period, user=request.user),
        content_type=XLSX_CONTENT_TYPE,
    )
    return as_download(
        response,
        _("%(period)s reviewed scores template.xlsx") % {"period": period.label},
        fallback=f"{period_slug(period)}-reviewed-scores",
    )
