"""A report's page and its review, one by one and in bulk, and the review queue."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache, partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_visible_or_404
from unionportal.cache import cached_form_part, cached_part, query_part, reader_part
from unionportal.history import history_rows
from unionportal.htmx import is_partial_request
from unionportal.pagination import CappedPaginator
from unionportal.roles import Role
from unionportal.sorting import apply_sort
from unions.selectors import data_version as unions_version

from ...filters import ReviewFilter
from ...forms import BulkReviewForm, ReviewForm
from ...models import ProgressReport
from ...selectors import (
    review_queue_rows,
    shown_version,
    with_evidence_counts,
)
from ...selectors.pages import report_history_version
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


def _review_filter(request):
    review_filter = ReviewFilter(
        request.GET or None, queryset=_queue_base(request.user), user=request.user
    )
    review_filter.defer_choices = True  # the bar is kept rendered (review_queue)
    return review_filter


@lru_cache(maxsize=1)
def age_placeholder() -> str:
    """Where a kept row has how long ago its report was submitted (followed by
    the time, in microseconds since 1970): derived from the secret key, so that
    no user can type it into a name the rows show."""
    digest = hashlib.sha256(f"age-placeholder:{settings.SECRET_KEY}".encode())
    return "age" + digest.hexdigest()[:28]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _put_ages(html: str, now) -> str:
    """The rows with each "… ago" written for ``now``, as review_row.html
    writes it: the rows are kept for a day, the ages change by the minute."""
    marked = re.compile(re.escape(age_placeholder()) + r"(\d{1,20})\.")
    ago = _("%(age)s ago")

    def age(match) -> str:
        submitted = _EPOCH + timedelta(microseconds=int(match[1]))
        return ago % {"age": conditional_escape(timesince(submitted, now))}

    return mark_safe(marked.sub(age, html))  # noqa: S308 - rendered, ages escaped


@login_required
def review_queue(request):
    user = request.user
    if not user.has_role(Role.REVIEWER):
        raise PermissionDenied
    review_filter = cache(partial(_review_filter, request))  # built once, if at all
    # Ticks (and a comment) kept from a bulk decision that failed: shown once.
    kept = request.session.pop(TICKED_KEY, None) or {}

    def pieces(token: str) -> tuple[str, str, str]:
        """The subtitle (the rows' order), the project named by the link and
        the rows, rendered with the CSRF token ``token``: the queryset is built
        only here."""
        filtered = review_filter()
        queryset = filtered.qs
        # Waiting reports: the oldest first; decided ones: the newest.
        waiting = filtered.form.cleaned_data.get("status") in (None, "", "submitted")
        reports = review_queue_rows(queryset, oldest_first=waiting)
        reports, sort = apply_sort(
            reports, request.GET.get("sort", ""), REVIEW_SORTS, ""
        )
        page = CappedPaginator(reports, 25).get_page(request.GET.get("page"))
        page.object_list = with_evidence_counts(page.object_list)
        context = {
            "request": request,
            "csrf_token": token,
            "filter": filtered,
            "page": page,
            "oldest_first": waiting,
            "sort": sort,
            "checked": set(kept.get("ids", [])),
            "bulk_comment": kept.get("comment", ""),
            "age_mark": age_placeholder(),
            "next": request.get_full_path(),
        }
        return (
            render_to_string("planning/partials/review_order.html", context),
            render_to_string("planning/partials/review_project.html", context),
            render_to_string("planning/partials/review_rows.html", context),
        )

    if kept or request.GET.get("age"):
        # Afresh: the ticks are this reader's alone, and a filter by age moves
        # with the clock.
        order, project_filter, rows = (
            mark_safe(piece)  # noqa: S308 - rendered by the templates
            for piece in pieces(get_token(request))
        )
    else:
        # Kept under what the rows show: the reader's scope, the address (the
        # query, and the page the forms return to), the day ("late"), the
        # latest change of plans, projects, reports and unions (their names),
        # and the latest history record of reports (a deletion too) and
        # evidence files (the counts). A decision, an edit, an upload or a
        # rename shows on the next request.
        order, project_filter, rows = cached_form_part(
            request,
            "planning:review_queue",
            (
                reader_part(user),
                request.get_full_path(),
                is_partial_request(request),
                timezone.localdate(),
                shown_version(),
                report_history_version(),
            ),
            pieces,
        )
    rows = _put_ages(rows, timezone.now())
    if is_partial_request(request):
        return HttpResponse(rows)
    # The filter bar (the units below the reviewer's union): rendered once per
    # change of unions.
    fields = cached_part(
        "planning:review_filter",
        (reader_part(user), query_part(request), unions_version()),
        lambda: render_to_string(
            "planning/partials/filter_fields.html",
            {"form": review_filter().form_to_render(), "col": "col-6 col-md-4 col-xl"},
        ),
    )
    return render(
        request,
        "planning/review_queue.html",
        {
            "order": order,
            "filter_fields": fields,
            "project_filter": project_filter,
            "rows": rows,
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
