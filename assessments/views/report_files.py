"""A report's files on the pages: their state, downloads, and asking for them again.

The .xlsx and .pdf are made by their own job after the snapshot (see
``services.reports``); while they are being prepared the files card polls
``report_files`` every two seconds.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_editable_or_403, get_visible_or_404

from .. import services
from ..models import Period, QuarterReport
from .schemes import message_errors


def files_context(report: QuarterReport | None, user) -> dict:
    """What ``assessments/partials/report_files.html`` needs (2 queries).

    Both queries run whatever the files' state, so that a page costs the same
    number of queries before and after its files are made.
    """
    if report is None or not report.is_done:
        return {"files": [], "can_prepare_files": False}
    files = list(report.files.all())
    may_edit = Period.objects.editable_by(user).filter(pk=report.period_id).exists()
    can_prepare = (
        report.files_status
        in (QuarterReport.FilesStatus.NONE, QuarterReport.FilesStatus.FAILED)
        and report.period.status != Period.Status.LOCKED
        and may_edit
    )
    return {
        "files": files if report.files_ready else [],
        "can_prepare_files": can_prepare,
    }


@login_required
def report_files(request, pk):
    """The files card of a report page (a fragment), polled by htmx while the
    files are made."""
    report = get_visible_or_404(
        QuarterReport.objects.select_related("period"), request.user, pk=pk
    )
    context = {"report": report, "files_next": "report"}
    context.update(files_context(report, request.user))
    return render(request, "assessments/partials/report_files.html", context)


@login_required
@require_POST
def report_files_build(request, pk):
    """Asks for a period report's files again (after a failure, or when none were
    made); back to the report page or the period page."""
    period = get_editable_or_403(
        Period.objects.select_related("scheme"), request.user, pk=pk
    )
    report = period.report
    try:
        if report is None:
            raise ValidationError(_("Build the report before preparing its files."))
        report = services.report_files_request(report=report, by=request.user)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        report.refresh_from_db()
        if report.files_ready:  # without a broker the job has run already
            messages.success(request, _("The report's files are ready."))
        elif report.files_status == QuarterReport.FilesStatus.FAILED:
            messages.error(
                request, report.files_error or _("The files could not be made.")
            )
        else:
            messages.info(
                request,
                _("The files are being prepared. This page shows when they are ready."),
            )
    if report is not None and request.POST.get("next") == "report":
        return redirect(report)
    return redirect(period)
