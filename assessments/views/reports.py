from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from unionportal.access import ADMIN, LEADER, get_visible_or_404, role_required
from unionportal.cache import cached_part, query_part, reader_part, render_kept_page
from unionportal.downloads import as_download
from unionportal.htmx import is_partial_request
from unionportal.search import union_match
from unionportal.sorting import apply_sort
from unions.models import Union

from .. import dashboards, lateness, pages, selectors, versions
from ..models import Grade, Period, QuarterReport, QuarterReportFile
from ..notice import results_notice
from ..services.reports import REPORT_LANGUAGES, period_file_title, period_slug
from .report_files import files_context


def _language() -> str:
    language = (get_language() or "zh-hans").lower()
    return "en" if language.startswith("en") else "zh-hans"


# The columns the report list sorts by (a whitelist); without one, the newest
# period first (selectors.REPORT_LIST_ORDER).
REPORT_SORTS = {
    "period": ("period__scheme__year", "period__kind", "period__scheme__owner__code"),
    "owner": ("period__scheme__owner__code", "period__scheme__year", "period__kind"),
    "units": ("period__scheme__unit_level", "period__scheme__year", "period__kind"),
    "status": ("period__status", "period__scheme__year", "period__kind"),
    "built": "finished_at",
}


@login_required
def report_list(request):
    reports = selectors.report_list(request.user).select_related(
        "period__scheme__owner"
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        reports = reports.filter(union_match(query, "period__scheme__owner"))
    reports, sort = apply_sort(reports, request.GET.get("sort", ""), REPORT_SORTS, "")
    page = Paginator(reports, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/report_list.html",
        {"page": page, "language": _language(), "query": query, "sort": sort},
    )


@login_required
def report_detail(request, pk):
    user = request.user
    version = pages.report_page_version(int(pk))
    if version is None:
        raise Http404
    # Everything around the rows (kept under the build already) is kept under
    # what it shows (``pages.report_page_version``: the period's versions, their
    # files, the period's status, the scheme), what the reader's rights depend
    # on (who may read it, who may prepare its files) and the query (the rows'
    # filters): four queries and their compiling are paid once per change.
    return render_kept_page(
        request,
        "assessments/report_detail.html",
        "assessments:report_page",
        (int(pk), version, reader_part(user), query_part(request)),
        lambda token: _report_page(request, int(pk), token),
        timeout=3600,
    )


def _report_page(request, pk: int, token: str) -> tuple[str, ...]:
    """The report page's title, breadcrumb and content for the reader, its form
    carrying ``token``; empty when the report is not visible to them."""
    try:
        report = get_visible_or_404(
            QuarterReport.objects.select_related(
                "period__scheme__owner", "built_by"
            ).defer("rules"),
            request.user,
            pk=pk,
        )
    except Http404:
        return ()
    period = report.period
    level = period.scheme.unit_level
    content = render_to_string(
        "assessments/partials/report_page.html",
        {
            "report": report,
            "period": period,
            **(_report_rows(request, report) if report.is_done else {}),
            **files_context(report, request.user),
            "files_next": "report",
            "language": _language(),
            "show_groups": level != "subdistrict",
            **_versions_context(report),
            "csrf_token": token,
        },
    )
    # Escaped as the template would escape them: the kept pieces are served as
    # they are.
    label = conditional_escape(period.label)
    return (
        label,
        format_html("{} · {}", label, period.scheme.get_unit_level_display()),
        content,
    )


def _versions_context(report: QuarterReport) -> dict:
    """Every version of the period's report (who built it, when, with which
    scheme version, which one is published), for the version list (2 queries)."""
    every = versions.versions_of(report.period)
    return {
        "versions": every,
        "published_version": next((v for v in every if v.is_published), None),
    }


def _report_rows(request, report: QuarterReport) -> dict:
    """A page of the report's rows (50), of one sub-district or all, searched by
    unit name or code, in a whitelisted order; the .xlsx holds them all.

    A built report's rows do not change until it is rebuilt (with a new
    ``finished_at``), so each page is rendered once and cached under the build.
    """
    groups = dashboards.report_groups(report)
    names = dict(groups)
    group = request.GET.get("group") or None
    if group not in names:
        group = None
    search = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in selectors.REPORT_SORTS:
        sort = ""
    grade = request.GET.get("grade", "")
    if grade not in Grade.values:
        grade = ""

    def render_rows():
        rows = selectors.report_rows(
            report, groups=groups, group=group, search=search, sort=sort, grade=grade
        )
        page = Paginator(rows, selectors.REPORT_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {
            "period": report.period,
            "show_groups": report.period.scheme.unit_level != "subdistrict",
            "page": page,
            "rows": [
                {"row": row, "peer_group": names.get(row.peer_group, "–")}
                for row in page.object_list
            ],
            "group_choices": [("", _("All sub-districts")), *groups],
            "group": group,
            "search": search,
            "sort": sort,
            "grade": grade,
            "grade_choices": [("", _("All grades")), *Grade.choices],
            "filtered": bool(group or search or grade),
        }
        return render_to_string(
            "assessments/partials/report_rows.html", context, request
        )

    html = cached_part(
        "assessments:report_rows",
        (report.pk, str(report.finished_at), report.unit_count, query_part(request)),
        render_rows,
        timeout=3600,
    )
    return {"report_rows": html}


@login_required
def report_download(request, pk, kind):
    """A report file in the reader's language (or ``?lang=``), through an access check."""
    if kind not in QuarterReportFile.Kind.values:
        raise Http404
    report = get_visible_or_404(
        QuarterReport.objects.select_related("period__scheme"), request.user, pk=pk
    )
    language = request.GET.get("lang") or _language()
    if language not in REPORT_LANGUAGES:
        raise Http404
    record = QuarterReportFile.objects.filter(
        report=report, kind=kind, language=language
    ).first()
    if record is None or not record.file:
        raise Http404
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    with translation.override(language):
        title = period_file_title(report.period)
    return as_download(
        response,
        f"{title}.{kind}",
        fallback=f"{period_slug(report.period)}-{language}",
    )


@login_required
@role_required(LEADER, ADMIN)
def dashboard(request):
    periods = dashboards.dashboard_periods(request.user)
    # Published first: the dashboard opens on the latest published period. A
    # provisional result (a version not yet published) is offered only to those
    # who can publish it, and marked as such; a leader reads the published
    # version, also while the period is reopened and rebuilt.
    published = [p for p in periods if p.shown_report.is_published]
    chosen = None
    wanted = request.GET.get("period", "")
    if wanted.isdigit():
        chosen = next((p for p in periods if p.pk == int(wanted)), None)
        if chosen is None:
            raise Http404
    elif periods:
        chosen = published[0] if published else periods[0]
    context = {
        "late_panel": lateness.who_is_late_panel(request, today=timezone.localdate()),
        "today": timezone.localdate(),
        "periods": periods,
        "chosen": chosen,
        "provisional": chosen is not None and not chosen.shown_report.is_published,
    }
    if chosen is not None:
        chosen.shown_report.period = chosen
        context.update(
            dashboards.dashboard_part(
                chosen.shown_report, request.GET.get("group") or None, request
            )
        )
    return render(request, "assessments/dashboard.html", context)


@login_required
@role_required(LEADER, ADMIN)
def who_is_late(request):
    """Every row of the dashboard's "who is late" table, most to chase first: a
    page of its own, or the table alone that the dashboard swaps in for its
    folded one (htmx)."""
    panel = lateness.who_is_late_panel(
        request, today=timezone.localdate(), everything=True
    )
    if is_partial_request(request):
        response = HttpResponse(panel)
    else:
        response = render(request, "assessments/who_is_late.html", {"panel": panel})
    # One address, two answers: a browser's cache must not give one for the other.
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def unit_scorecard(request, union_pk):
    """One unit's results: indicators, how each was computed, evidence, history."""
    unit = get_visible_or_404(
        Union.objects.select_related("parent"), request.user, pk=union_pk
    )
    rows = selectors.scorecard_rows(unit, request.user)
    wanted = request.GET.get("period", "")
    row = None
    if wanted.isdigit():
        row = next((r for r in rows if r.report.period_id == int(wanted)), None)
        if row is None:
            raise Http404
    elif rows:
        quarters = [r for r in rows if not r.report.period.is_year]
        row = (quarters or rows)[-1]
    context = {
        "unit": unit,
        "rows": rows,
        "row": row,
        "provisional": row is not None and not row.report.is_published,
    }
    if row is not None:
        detail = selectors.scorecard_detail(row)
        peer = selectors.peer_average(row)
        history = [
            r for r in rows if r.report.period.is_year == row.report.period.is_year
        ]
        context.update(
            {
                "detail": detail,
                "peer": peer,
                "period": row.report.period,
                "history_chart": _history_chart(history),
                "history": list(reversed(history)),
            }
        )
    return render(request, "assessments/unit_scorecard.html", context)


def _history_chart(rows) -> dict | None:
    from django.utils.translation import gettext as _

    if len(rows) < 2:
        return None
    labels = [r.report.period.label for r in rows]
    averages = [
        float(
            (r.report.summary or {})
            .get("peer_groups", {})
            .get(r.peer_group, {})
            .get("average", 0)
            or 0
        )
        for r in rows
    ]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": 100 if max(float(r.total) for r in rows) <= 100 else 120,
        },
        "series": [
            {
                "name": _("Total"),
                "type": "line",
                "data": [float(r.total) for r in rows],
                "itemStyle": {"color": "#a4231b"},
                "label": {"show": True},
            },
            {
                "name": _("Peer group average"),
                "type": "line",
                "data": averages,
                "lineStyle": {"type": "dashed"},
                "itemStyle": {"color": "#6c757d"},
            },
        ],
    }


DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


@login_required
def report_notice(request, pk):
    """The results notice (考核结果通报) of a published period, as .docx in the
    reader's language (or ``?lang=``)."""
    report = get_visible_or_404(
        QuarterReport.objects.select_related("period__scheme__owner"),
        request.user,
        pk=pk,
    )
    if report.period.status not in (Period.Status.PUBLISHED, Period.Status.LOCKED):
        raise Http404
    if not report.is_done:
        raise Http404
    language = request.GET.get("lang") or _language()
    if language not in REPORT_LANGUAGES:
        raise Http404
    content = results_notice(report, language=language)
    with translation.override(language):
        title = _("%(title)s notice") % {"title": period_file_title(report.period)}
    return as_download(
        HttpResponse(content, content_type=DOCX_CONTENT_TYPE),
        f"{title}.docx",
        fallback=f"{period_slug(report.period)}-notice-{language}",
    )
