"""A cadre's side of progress reports: the progress home, report entry, evidence, and the lists of late and due reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_visible_or_404, scope_filter
from unionportal.history import history_rows
from unionportal.htmx import is_partial_request, render_page_or_partial
from unionportal.roles import Role
from unionportal.sorting import apply_sort
from unions.models import Union
from unions.selectors import DISTRICT_LEVEL, in_subdistrict

from ... import rules
from ...filters import area_choices
from ...forms import EvidenceForm, ProgressReportForm
from ...home import waiting_count
from ...models import EvidenceFile, KeyWorkProject, ProgressReport, WorkPlan
from ...selectors import (
    late_slots,
    open_evidence,
    outstanding_slots,
    reports_due,
    visible_evidence,
)
from ...services import reports as report_services
from ..common import apply_errors, htmx_redirect, parse_iso_date

# The columns of a cadre's sent reports (indexes report_union_period and the
# unique project/union/period one).
SENT_SORTS = {
    "period": "period_start",
    "project": ("project__title", "period_start"),
    "status": ("status", "period_start"),
}


@login_required
def progress_home(request):
    user = request.user
    today = timezone.localdate()
    slots = []
    projects = []
    recent = None
    sort = ""
    if user.has_role(Role.CADRE) and user.union_id:
        slots = outstanding_slots(union_ids=[user.union_id], today=today)
        projects = list(
            KeyWorkProject.objects.reportable_by(user)
            .select_related("plan")
            .order_by("due_date", "title")
        )
        sent = (
            ProgressReport.objects.filter(union_id=user.union_id)
            .exclude(status=ProgressReport.Status.DRAFT)
            .select_related("project", "reviewed_by")
            .order_by("-period_start", "project__title")
        )
        sent, sort = apply_sort(sent, request.GET.get("sort", ""), SENT_SORTS, "")
        recent = Paginator(sent, 15).get_page(request.GET.get("page"))
    waiting = waiting_count(user) if user.has_role(Role.REVIEWER) else 0
    return render(
        request,
        "planning/progress_home.html",
        {
            "slots": slots,
            "projects": projects,
            "page": recent,
            "sort": sort,
            "waiting": waiting,
            "today": today,
            "is_cadre": user.has_role(Role.CADRE) and user.union_id,
        },
    )


@login_required
def late_reports(request):
    """Progress reports whose deadline has passed and that are not submitted, of
    the units the user sees; ``?area=`` one sub-district (or ``district``, the
    district level) as the dashboard's "who is late" counts them. A constant
    number of queries (the units, the areas, and the slots' two or three)."""
    user = request.user
    today = timezone.localdate()
    choices = area_choices(user)
    area = request.GET.get("area", "")
    if area not in dict(choices):
        area = ""
    units = Union.objects.filter(scope_filter(user, ""))
    if area:
        units = units.filter(
            in_subdistrict(None if area == DISTRICT_LEVEL else int(area), "")
        )
    names = {u.pk: u for u in units.only("pk", "name_zh", "name_en", "code")}
    slots = late_slots(union_ids=list(names), today=today)
    page = Paginator(slots, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/late_reports.html",
        {
            "page": page,
            "rows": [(slot, names[slot.union_id]) for slot in page.object_list],
            "count": len(slots),
            "area": area,
            "area_choices": choices,
            "today": today,
        },
    )


ON_TIME = {"yes": True, "no": False}


@login_required
def due_reports(request):
    """The progress reports one unit owed with a deadline in a period, as the
    timeliness indicator counts them ("应报 11 份，按时报送 10 份"): ``?union=``
    (the user's own union without it), ``?start=`` and ``?end=`` (dates), and
    ``?on_time=yes|no``. Four queries."""
    wanted = request.GET.get("union") or request.user.union_id
    unit = get_visible_or_404(Union.objects.all(), request.user, pk=_digits(wanted))
    start = _day(request.GET.get("start"))
    end = _day(request.GET.get("end"))
    on_time = ON_TIME.get(request.GET.get("on_time", ""))
    rows, error = [], ""
    if start is None or end is None or start > end:
        error = _("Give the period as two dates, the first not after the second.")
    else:
        rows = reports_due(union_id=unit.pk, start=start, end=end)
        if on_time is not None:
            rows = [r for r in rows if r.on_time is on_time]
    titles = dict(
        KeyWorkProject.objects.filter(pk__in={r.project_id for r in rows}).values_list(
            "pk", "title"
        )
    )
    return render(
        request,
        "planning/due_reports.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "on_time": on_time,
            "error": error,
            "rows": [(r, titles.get(r.project_id, "")) for r in rows],
            "count": len(rows),
        },
    )


def _digits(value) -> int:
    value = str(value or "")
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


def _day(value):
    try:
        return parse_iso_date(value)
    except Http404:
        return None


def _reportable_project(request, pk):
    project = get_visible_or_404(
        KeyWorkProject.objects.select_related("plan", "owner"), request.user, pk=pk
    )
    if not KeyWorkProject.objects.reportable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return project


def _periods(project, today):
    return rules.expected_periods(
        frequency=project.plan.reporting_frequency,
        due_days=project.plan.report_due_days,
        start=project.start_date,
        due=project.due_date,
        completed_on=None,
        until=max(today, project.start_date),
    )


def _choose_period(periods, reports, wanted, today):
    if wanted is not None:
        for period in periods:
            if period.start == wanted:
                return period
        raise Http404
    for period in periods:
        report = reports.get(period.start)
        if period.end < today and (report is None or report.is_editable):
            return period
    return periods[-1]


@login_required
def report_entry(request, pk):
    """A unit's report on a project for one period; drafts save in place (htmx)."""
    user = request.user
    project = _reportable_project(request, pk)
    today = timezone.localdate()
    periods = _periods(project, today)
    existing = {
        r.period_start: r
        for r in ProgressReport.objects.filter(project=project, union_id=user.union_id)
        .select_related("reviewed_by", "submitted_by")
        .prefetch_related("evidence")
    }
    wanted = parse_iso_date(request.POST.get("period") or request.GET.get("period"))
    period = _choose_period(periods, existing, wanted, today)
    report = existing.get(period.start) or report_services.report_for_period(
        project=project, union_id=user.union_id, period=period
    )
    report.project = project
    editable = report.is_editable and project.plan.status == WorkPlan.Status.PUBLISHED
    form = ProgressReportForm(
        request.POST or None,
        instance=report,
        unit=project.target_unit,
        initial=None if report.pk else _carry_over(existing, period),
    )
    saved_at = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in report_services.REPORT_FIELDS}
            version = form.cleaned_data["version"]
            stored = report.pk is not None
            try:
                if action == "submit":
                    report_services.report_submit(
                        report=report, data=data, version=version, by=user
                    )
                else:
                    report_services.report_save(
                        report=report, data=data, version=version, by=user
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
                # Nothing was saved: the page shows the report as it is stored
                # (a new one stays unsaved: no draft badge, no upload box).
                if stored:
                    report.refresh_from_db()
                else:
                    report.pk = None
                    report.version = 0
                    report.status = ProgressReport.Status.DRAFT
            else:
                url = (
                    reverse("planning:report_entry", args=[project.pk])
                    + f"?period={period.start:%Y-%m-%d}"
                )
                if action == "submit":
                    messages.success(request, _("The report was submitted for review."))
                    return htmx_redirect(request, url)
                if not is_partial_request(request):
                    messages.success(request, _("The draft was saved."))
                    return redirect(url)
                saved_at = timezone.localtime()
                form = ProgressReportForm(instance=report, unit=project.target_unit)
    context = {
        "project": project,
        "report": report,
        "period": period,
        "periods": [(p, existing.get(p.start)) for p in reversed(periods)],
        "form": form,
        "editable": editable,
        "saved_at": saved_at,
        "evidence_form": EvidenceForm(),
        "today": today,
        "history": history_rows(
            (
                lambda r: _("Report"),
                ProgressReport.history.filter(id=report.pk).select_related(
                    "history_user"
                ),
            ),
            limit=10,
        )
        if report.pk
        else [],
    }
    return render_page_or_partial(
        request,
        "planning/report_entry.html",
        "planning/partials/report_panel.html",
        context,
    )


def _carry_over(existing, period) -> dict:
    """A new report starts from the previous one's cumulative figures."""
    earlier = [r for start, r in existing.items() if start < period.start]
    if not earlier:
        return {}
    last = max(earlier, key=lambda r: r.period_start)
    return {
        "achieved_value": last.achieved_value,
        "percent_is_manual": last.percent_is_manual,
        "percent_complete": last.percent_complete if last.percent_is_manual else None,
    }


@login_required
@require_POST
def report_evidence_upload(request, pk):
    report = get_visible_or_404(
        ProgressReport.objects.select_related("project__plan"), request.user, pk=pk
    )
    if not ProgressReport.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report_services.evidence_attach(
                file=form.cleaned_data["file"], by=request.user, report=report
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = EvidenceForm()
            if not is_partial_request(request):
                messages.success(request, _("The file was attached."))
    if not is_partial_request(request):
        if form.errors:
            messages.error(
                request, " ".join(str(e) for errs in form.errors.values() for e in errs)
            )
        return redirect(
            reverse("planning:report_entry", args=[report.project_id])
            + f"?period={report.period_start:%Y-%m-%d}"
        )
    return render(
        request,
        "planning/partials/evidence_panel.html",
        {
            "report": report,
            "evidence": list(report.evidence.all()),
            "evidence_form": form,
            "editable": True,
            "upload_url": reverse("planning:report_evidence_upload", args=[report.pk]),
        },
    )


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = get_visible_or_404(
        EvidenceFile.objects.select_related("report__project__plan", "event"),
        request.user,
        pk=pk,
    )
    if not EvidenceFile.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    report, event = evidence.report, evidence.event
    try:
        report_services.evidence_delete(evidence=evidence)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was removed."))
    if report is not None:
        return redirect(
            reverse("planning:report_entry", args=[report.project_id])
            + f"?period={report.period_start:%Y-%m-%d}"
        )
    return redirect(event)


@login_required
def evidence_download(request, pk):
    try:
        evidence = visible_evidence(request.user, pk)
        handle = open_evidence(evidence)
    except EvidenceFile.DoesNotExist as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
    )
