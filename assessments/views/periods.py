from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from unionportal.access import get_editable_or_403, get_visible_or_404
from unionportal.htmx import render_page_or_partial
from unions.models import Union

from .. import selectors, services
from ..forms import ReopenForm
from ..models import Period, QuarterReport, UnitLevel
from .report_files import files_context
from .schemes import message_errors


def _period_queryset():
    return Period.objects.select_related("scheme__owner")


def _report_context(period: Period, user) -> dict:
    report = (
        QuarterReport.objects.filter(period=period, is_current=True)
        .prefetch_related("files")
        .first()
    )
    can_manage = Period.objects.editable_by(user).filter(pk=period.pk).exists()
    actions = period.allowed_actions(user, editable=can_manage)
    stale = False
    if report is not None and report.is_done and report.finished_at:
        latest = selectors.latest_score_change(period)
        stale = bool(latest and latest > report.finished_at) or (
            report.scheme_version != period.scheme.version
        )
    # A published result is rebuilt only after a reopen (with a reason).
    can_build = "build_report" in actions and not (
        report is not None and report.is_busy
    )
    context = {
        "period": period,
        "report": report,
        "published_report": period.published_report,
        "report_stale": stale,
        "can_manage": can_manage,
        "actions": actions,
        "can_build": can_build,
        "report_visible": QuarterReport.objects.visible_to(user)
        .filter(period=period)
        .exists(),
    }
    if report is not None:
        report.period = period
    context.update(files_context(report, user))
    return context


@login_required
def period_detail(request, pk):
    period = get_visible_or_404(_period_queryset(), request.user, pk=pk)
    units = list(
        services.scheme_units(scheme=period.scheme)
        .visible_to(request.user)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    context = _report_context(period, request.user)
    progress = (
        selectors.period_unit_progress(period, units) if not period.is_year else []
    )
    history = list(
        period.history.select_related("history_user").order_by("-history_date")[:20]
    )
    context.update(
        {
            "progress": progress,
            "checklist": services.period_close_checklist(period=period, units=units)
            if period.status == Period.Status.OPEN and not period.is_year
            else None,
            "history": history,
            "show_parent": period.scheme.unit_level != UnitLevel.SUBDISTRICT,
            "can_import": not period.is_year
            and any(
                services.can_review(user=request.user, period=period, unit=unit)
                for unit in units
            ),
        }
    )
    return render(request, "assessments/period_detail.html", context)


@login_required
def report_status(request, pk):
    """The report card of a period page, polled by htmx while a build runs."""
    period = get_visible_or_404(_period_queryset(), request.user, pk=pk)
    return render_page_or_partial(
        request,
        "assessments/report_status_page.html",
        "assessments/partials/report_status.html",
        _report_context(period, request.user),
    )


# Labels stay lazy: they are read in the reader's language, not at import.
PERIOD_ACTIONS = {
    "close": (services.period_close, gettext_lazy("The period is closed for entry.")),
    "publish": (
        services.period_publish,
        gettext_lazy("The results are published; the units can see their scorecards."),
    ),
    "lock": (
        services.period_lock,
        gettext_lazy("The period is locked: nothing in it will change."),
    ),
}


@login_required
@require_POST
def period_action(request, pk, action):
    if action not in PERIOD_ACTIONS:
        raise Http404
    period = get_editable_or_403(_period_queryset(), request.user, pk=pk)
    service, done = PERIOD_ACTIONS[action]
    kwargs = {"period": period, "by": request.user}
    if action in ("publish", "lock", "close"):
        kwargs["request"] = request
    try:
        service(**kwargs)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect(period)


@login_required
def period_reopen(request, pk):
    period = get_editable_or_403(_period_queryset(), request.user, pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_reopen(
                period=period,
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The period is open for entry again."))
            return redirect(period)
    return render(
        request, "assessments/period_reopen.html", {"period": period, "form": form}
    )


@login_required
@require_POST
def report_build(request, pk):
    period = get_editable_or_403(_period_queryset(), request.user, pk=pk)
    try:
        report = services.report_request(period=period, by=request.user)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        # Without a broker the job has already run by now (eager mode).
        report.refresh_from_db()
        if report.is_done:
            messages.success(request, _("The report is ready."))
        elif report.status == QuarterReport.Status.FAILED:
            messages.error(request, report.error or _("The build failed."))
        else:
            messages.info(
                request,
                _(
                    "The report is being built. This page shows its progress; "
                    "you can leave it."
                ),
            )
    return redirect(period)


def assessed_unit_or_404(period: Period, user, union_pk) -> Union:
    """A union the period's scheme assesses and the user may see, or 404."""
    unit = get_visible_or_404(
        services.scheme_units(scheme=period.scheme).select_related("parent"),
        user,
        pk=union_pk,
    )
    return unit


@login_required
def period_close_confirm(request, pk):
    """Closing a period starts from its checklist: units without self scores,
    scores not reviewed, progress reports late or missing, each with a link; the
    confirmation names the counts, and the audit log keeps them."""
    period = get_editable_or_403(_period_queryset(), request.user, pk=pk)
    units = list(
        services.scheme_units(scheme=period.scheme)
        .visible_to(request.user)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    checklist = services.period_close_checklist(period=period, units=units)
    if request.method == "POST":
        try:
            services.period_close(
                period=period, by=request.user, checklist=checklist, request=request
            )
        except ValidationError as exc:
            message_errors(request, exc)
        else:
            messages.success(request, _("The period is closed for entry."))
        return redirect(period)
    return render(
        request,
        "assessments/period_close.html",
        {"period": period, "checklist": checklist},
    )
