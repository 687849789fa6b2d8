"""A report's page and its review, one by one and in bulk, and the review queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_visible_or_404
from unionportal.history import history_rows
from unionportal.htmx import is_partial_request, render_page_or_partial
from unionportal.pagination import CappedPaginator
from unionportal.roles import Role
from unionportal.sorting import apply_sort

from ...filters import ReviewFilter
from ...forms import BulkReviewForm, ReviewForm
from ...models import ProgressReport
from ...selectors import (
    review_queue_rows,
    with_evidence_counts,
)
from ...services import reports as report_services
from ..common import apply_errors, htmx_redirect


def _report_for_detail(user, pk):
    return get_visible_or_404(
        ProgressReport.objects.select_related(
            "project__plan",
            "project__owner",
            "union",
            "submitted_by",
            "reviewed_by",
        ).prefetch_related("evidence"),
        user,
        pk=pk,
    )


def _render_report_detail(request, report, review_form=None, status=200):
    user = request.user
    can_review = report_services.can_review(report=report, user=user)
    if can_review and review_form is None:
        review_form = ReviewForm()
    can_edit = ProgressReport.objects.editable_by(user).filter(pk=report.pk).exists()
    return render(
        request,
        "planning/report_detail.html",
        {
            "report": report,
            "project": report.project,
            "can_review": can_review,
            "review_form": review_form if can_review else None,
            "can_edit": can_edit,
            "actions": report.allowed_actions(
                can_write=can_edit, can_review=can_review
            ),
            "history": history_rows(
                (
                    lambda r: _("Report"),
                    ProgressReport.history.filter(id=report.pk).select_related(
                        "history_user"
                    ),
                ),
                limit=15,
            ),
        },
        status=status,
    )


@login_required
def report_detail(request, pk):
    return _render_report_detail(request, _report_for_detail(request.user, pk))


def _queue_base(user):
    return ProgressReport.objects.reviewable_by(user)


# The columns the review queue sorts by (whitelisted: never a field from the URL).
REVIEW_SORTS = {
    "unit": "union__code",
    "project": "project__title",
    "period": "period_start",
    "percent": "percent_complete",
    "submitted": "submitted_at",
}


@login_required
def review_queue(request):
    user = request.user
    if not user.has_role(Role.REVIEWER):
        raise PermissionDenied
    review_filter = ReviewFilter(
        request.GET or None, queryset=_queue_base(user), user=user
    )
    filtered = review_filter.qs
    # Reports waiting for review: the oldest first; decided ones: the newest.
    waiting = review_filter.form.cleaned_data.get("status") in (None, "", "submitted")
    reports = review_queue_rows(filtered, oldest_first=waiting)
    reports, sort = apply_sort(reports, request.GET.get("sort", ""), REVIEW_SORTS, "")
    page = CappedPaginator(reports, 25).get_page(request.GET.get("page"))
    page.object_list = with_evidence_counts(page.object_list)
    kept = request.session.pop(TICKED_KEY, None) or {}
    return render_page_or_partial(
        request,
        "planning/review_queue.html",
        "planning/partials/review_rows.html",
        {
            "filter": review_filter,
            "page": page,
            "oldest_first": waiting,
            "sort": sort,
            "checked": set(kept.get("ids", [])),
            "bulk_comment": kept.get("comment", ""),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "next": request.get_full_path(),
        },
    )


def _safe_next(request, default):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def report_review(request, pk):
    user = request.user
    report = get_visible_or_404(
        ProgressReport.objects.select_related("project__plan", "union"), user, pk=pk
    )
    if not report_services.can_review(report=report, user=user):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            report = report_services.report_review(
                report=report,
                by=user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if request.POST.get("row") and is_partial_request(request):
                report = (
                    ProgressReport.objects.select_related(
                        "project__owner", "union", "submitted_by"
                    )
                    .annotate(n_evidence=Count("evidence"))
                    .get(pk=report.pk)
                )
                return render(
                    request,
                    "planning/partials/review_row.html",
                    {"report": report, "now": timezone.now(), "decided": True},
                )
            messages.success(
                request,
                _("The report was approved.")
                if approve
                else _("The report was returned."),
            )
            return redirect(_safe_next(request, reverse("planning:review_queue")))
    if is_partial_request(request):
        messages.error(
            request, " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return htmx_redirect(request, report.get_absolute_url())
    return _render_report_detail(
        request, _report_for_detail(user, report.pk), review_form=form
    )


@login_required
@require_POST
def review_bulk(request):
    user = request.user
    if not user.has_role(Role.REVIEWER):
        raise PermissionDenied
    form = BulkReviewForm(request.POST, queryset=_queue_base(user))
    back = _safe_next(request, reverse("planning:review_queue"))
    ticked = _posted_ids(request.POST.getlist("reports"))
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return _back_with_ticks(request, back, ticked)
    approve = form.cleaned_data["decision"] == "approve"
    before = {r.pk: r.status for r in form.cleaned_data["reports"]}
    try:
        done, problems = report_services.reports_review_bulk(
            reports=form.cleaned_data["reports"],
            by=user,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_with_ticks(request, back, ticked)
    if done:
        messages.success(
            request,
            (
                _("%(count)s reports were approved.")
                if approve
                else _("%(count)s reports were returned.")
            )
            % {"count": done},
        )
    for problem in problems:
        messages.warning(request, problem)
    if problems:
        # The reports that could not be decided stay ticked.
        after = dict(
            ProgressReport.objects.filter(pk__in=before).values_list("pk", "status")
        )
        ticked = [pk for pk, status in before.items() if after.get(pk) == status]
        return _back_with_ticks(request, back, ticked)
    return redirect(back)


# Ticked boxes of a bulk action that failed, kept for the page it returns to.
TICKED_KEY = "review_bulk_ticked"


def _posted_ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) <= 18][:500]


def _back_with_ticks(request, back, ticked):
    """Back to the list, with ``ticked`` (and the comment typed) kept in the
    session for the next page of the queue to show ticked again."""
    request.session[TICKED_KEY] = {
        "ids": list(ticked),
        "comment": request.POST.get("comment", "")[:5000],
    }
    return redirect(back)
