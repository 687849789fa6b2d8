from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_visible_or_404
from unionportal.downloads import as_download
from unionportal.xlsx import XLSX_CONTENT_TYPE

from ..forms import ScoreImportForm
from ..models import Period
from ..services import can_review, imports, scheme_units
from ..services.reports import period_slug


def _session_key(period: Period) -> str:
    return f"assessments-import-{period.pk}"


def _import_period(request, pk) -> Period:
    """A period whose scores the user may import: 404 unseen, 403 otherwise."""
    period = get_visible_or_404(
        Period.objects.select_related("scheme__owner"), request.user, pk=pk
    )
    if period.is_year or not request.user.has_role("reviewer"):
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
    rows = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.score_import_parse(
                period=period, file=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            good = [row for row in rows if not row.error]
            if len(good) == len(rows):
                request.session[_session_key(period)] = [
                    row.as_session() for row in rows
                ]
            else:
                request.session.pop(_session_key(period), None)
    return render(
        request,
        "assessments/score_import.html",
        {
            "period": period,
            "form": form,
            "rows": rows,
            "errors": sum(1 for row in rows or [] if row.error),
        },
    )


@login_required
@require_POST
def score_import_confirm(request, pk):
    period = _import_period(request, pk)
    saved = request.session.get(_session_key(period))
    if not saved:
        messages.error(
            request, _("Upload the workbook again: the preview has expired.")
        )
        return redirect("assessments:score_import", pk=period.pk)
    try:
        rows = imports.score_import_restore(period=period, saved=saved, by=request.user)
        count = imports.score_import_apply(period=period, rows=rows, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("assessments:score_import", pk=period.pk)
    request.session.pop(_session_key(period), None)
    messages.success(
        request, _("%(count)s reviewed scores were imported.") % {"count": count}
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
