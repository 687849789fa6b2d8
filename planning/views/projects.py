from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_editable_or_403, get_visible_or_404
from unionportal.cache import cached_part, query_part, reader_part, render_kept_page
from unionportal.downloads import as_download
from unionportal.htmx import is_partial_request
from unionportal.pagination import CappedPaginator
from unionportal.sorting import apply_sort
from unionportal.xlsx import XLSX_CONTENT_TYPE

from ..filters import ProjectFilter
from ..forms import HandDownForm, MilestoneForm, ProjectForm
from ..models import KeyWorkProject, Milestone, WorkPlan
from ..querysets import project_permissions
from ..selectors import (
    progress_chart,
    project_history,
    project_list_queryset,
    shown_version,
)
from ..selectors import (
    project_detail as select_project_detail,
)
from ..selectors.pages import project_page_version
from ..services import plan_exports, plans, proposals
from .common import apply_errors, unions_below


def _filtered(request):
    return ProjectFilter(
        request.GET or None,
        queryset=project_list_queryset(request.user),
        user=request.user,
    )


# The columns the project list sorts by (a whitelist; each read in the order of an
# index: project_title, project_due_title, project_percent, project_status_due, and
# the unions' code).
PROJECT_SORTS = {
    "title": "title",
    "owner": "owner__code",
    "due": ("due_date", "title"),
    "progress": "percent_complete",
    "status": ("status", "due_date", "title"),
}


def _sorted(request, project_filter):
    qs = project_filter.qs if project_filter.is_bound else project_filter.queryset
    return apply_sort(qs, request.GET.get("sort", ""), PROJECT_SORTS, "")


@login_required
def project_list(request):
    user = request.user
    can_propose = proposals.can_propose(user)
    # The page of rows and its count are the costly part at city scale (two
    # queries over a city's projects, 25 rows of badges), then the filter bar
    # (a city's districts, sub-districts and plans: some 360 options) and the
    # filter set itself (built afresh for every request): all kept under the
    # latest change of plans, projects and reports, and of unions (the owners'
    # names), so that an edit shows on the next request.
    parts = (
        reader_part(user),
        query_part(request),
        timezone.localdate(),
        shown_version(),
    )
    if is_partial_request(request):  # the filter bar asks for the rows alone
        return HttpResponse(_project_rows(request, parts, can_propose))
    content = cached_part(
        "planning:project_list_page",
        (*parts, can_propose),
        lambda: _project_list_page(request, parts, can_propose),
    )
    return render(request, "planning/project_list.html", {"page_content": content})


def _project_rows(request, parts: tuple, can_propose: bool, project_filter=None):
    """The rows of the list (kept under ``parts``); ``project_filter`` when the
    caller has built it already."""

    def rows() -> str:
        # The filtered, sorted queryset is built only when the rows are.
        nonlocal project_filter
        if project_filter is None:
            project_filter = _filtered(request)
        qs, sort = _sorted(request, project_filter)
        page = CappedPaginator(qs, 25).get_page(request.GET.get("page"))
        return render_to_string(
            "planning/partials/project_rows.html",
            {
                "filter": project_filter,
                "query": request.GET.urlencode(),
                "can_propose": can_propose,
                "sort": sort,
                "page": page,
                "request": request,  # the sort links keep the query
            },
        )

    return cached_part("planning:project_list", (*parts, can_propose), rows)


def _project_list_page(request, parts: tuple, can_propose: bool) -> str:
    """The list's content: its header, the filter bar and the rows."""
    user = request.user
    project_filter = _filtered(request)
    project_filter.defer_choices = True  # the bar is kept rendered, below
    fields_html = cached_part(
        "planning:project_filter",
        (reader_part(user), query_part(request), shown_version()),
        lambda: render_to_string(
            "planning/partials/filter_fields.html",
            {"form": project_filter.form_to_render(), "col": "col-6 col-md-4 col-xl-2"},
        ),
    )
    return render_to_string(
        "planning/partials/project_list_page.html",
        {
            "filter": project_filter,
            "query": request.GET.urlencode(),
            "can_propose": can_propose,
            "rows": _project_rows(request, parts, can_propose, project_filter),
            "filter_fields": fields_html,
        },
    )


@login_required
def project_export(request):
    project_filter = _filtered(request)
    if project_filter.is_bound and not project_filter.is_valid():
        raise Http404
    qs, _sort = _sorted(request, project_filter)
    handle = plan_exports.projects_export(projects=qs)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return as_download(
        FileResponse(handle, content_type=XLSX_CONTENT_TYPE),
        _("Key-work projects %(date)s.xlsx") % {"date": stamp},
        fallback=f"projects-{stamp}",
    )


@login_required
def project_detail(request, pk):
    user = request.user
    version = project_page_version(int(pk))
    if version is None:
        raise Http404
    # The page's content (its buttons, its forms, which reports it lists, or
    # that the reader may not see the project at all) is kept under all it
    # depends on: the project's version (everything shown of it, its reports,
    # milestones, files and the unions' names), what the reader's rights depend
    # on, and the day ("late", "overdue"). Six queries and 10 ms of rendering
    # are paid once per change, not once per visit.
    return render_kept_page(
        request,
        "planning/project_detail.html",
        "planning:project_page",
        (
            int(pk),
            version,
            reader_part(user),
            _reader_union(user),
            timezone.localdate(),
        ),
        lambda token: _project_page(int(pk), user, token),
    )


def _reader_union(user) -> tuple:
    """What a reader's rights on a project page depend on beyond
    ``reader_part``: a cadre of a deactivated union no longer writes, and only
    a union with one above it proposes its own projects."""
    if not user.union_id:
        return ()
    return (user.union.is_active, user.union.parent_id)


def _project_page(pk: int, user, token: str) -> tuple[str, ...]:
    """The project page's title, breadcrumb and content for ``user``, its forms
    carrying ``token``; empty when the project is not visible to them."""
    try:
        project = select_project_detail(pk, user)
    except KeyWorkProject.DoesNotExist:
        return ()
    reports = project.visible_reports
    participants = list(project.participants.all())
    allowed = project_permissions(project, user, {u.pk for u in participants})
    can_milestones = (
        project.plan.status != WorkPlan.Status.CLOSED and allowed["milestones"]
    )
    evidence = [e for r in reports for e in r.evidence.all()]
    content = render_to_string(
        "planning/partials/project_page.html",
        {
            "project": project,
            "participants": participants,
            "milestones": list(project.milestones.all()),
            "reports": reports,
            "evidence": evidence,
            "chart": progress_chart(project, reports),
            "history_html": _history_html(project, reports),
            "can_edit": allowed["edit"],
            "can_report": allowed["report"],
            "can_milestones": can_milestones,
            "can_hand_down": allowed["hand_down"],
            "can_decide_proposal": project.self_chosen
            and not project.counts
            and proposals.can_decide(project=project, user=user),
            "can_correct_proposal": project.self_chosen
            and not project.counts
            and project.owner_id == user.union_id
            and proposals.can_propose(user),
            "milestone_form": _blank_milestone_form() if can_milestones else None,
            "csrf_token": token,
        },
    )
    # Escaped as the template escapes them (truncatechars:40 for the crumb):
    # the kept pieces are served as they are.
    return (
        conditional_escape(project.title),
        conditional_escape(Truncator(project.title).chars(40)),
        content,
    )


def _blank_milestone_form() -> str:
    """The empty "add a milestone" fields, the same for every project: rendered
    once per language (crispy-forms takes over a millisecond for them)."""
    return cached_part(
        "planning:milestone_form",
        (),
        lambda: render_to_string(
            "planning/partials/milestone_fields.html", {"form": MilestoneForm()}
        ),
    )


def _history_html(project, reports) -> str:
    """The page's history panel, kept under what it shows the changes of: the
    project's last save, its milestones and the visible reports' versions (all
    loaded by the page already), so three history queries and their rendering
    are paid once per change, not once per visit."""
    parts = (
        project.pk,
        str(project.updated_at),
        tuple((m.pk, m.title, m.due_date, m.done_on) for m in project.milestones.all()),
        tuple((r.pk, r.version, r.status) for r in reports),
    )
    return cached_part(
        "planning:project_history",
        parts,
        lambda: render_to_string(
            "partials/history.html",
            {"history": project_history(project, [r.pk for r in reports])},
        ),
    )


@login_required
def project_edit(request, pk):
    project = get_editable_or_403(
        KeyWorkProject.objects.select_related("plan__owner", "owner"),
        request.user,
        pk=pk,
    )
    users = get_user_model().objects.filter(union_id=project.owner_id, is_active=True)
    form = ProjectForm(
        request.POST or None,
        instance=project,
        scope=unions_below(request.user, project.plan.owner),
        users=users,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "participants"}
        try:
            plans.project_update(
                project=project,
                data=data,
                participants=form.cleaned_data["participants"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The project was saved."))
            return redirect(project)
    return render(
        request, "planning/project_form.html", {"form": form, "project": project}
    )


def _milestone_project(request, pk):
    project = get_visible_or_404(
        KeyWorkProject.objects.select_related("plan"), request.user, pk=pk
    )
    if (
        not KeyWorkProject.objects.milestones_editable_by(request.user)
        .filter(pk=project.pk)
        .exists()
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return project


@login_required
@require_POST
def milestone_create(request, pk):
    project = _milestone_project(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            plans.milestone_save(
                milestone=Milestone(project=project), data=form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The milestone was added."))
    else:
        messages.error(
            request,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect(f"{project.get_absolute_url()}#milestones")


def _milestone(request, pk):
    milestone = get_visible_or_404(
        Milestone.objects.select_related("project__plan"), request.user, pk=pk
    )
    _milestone_project(request, milestone.project_id)
    return milestone


@login_required
@require_POST
def milestone_toggle(request, pk):
    milestone = _milestone(request, pk)
    try:
        plans.milestone_toggle(milestone=milestone)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{milestone.project.get_absolute_url()}#milestones")


@login_required
@require_POST
def milestone_delete(request, pk):
    milestone = _milestone(request, pk)
    project = milestone.project
    try:
        plans.milestone_delete(milestone=milestone)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The milestone was removed."))
    return redirect(f"{project.get_absolute_url()}#milestones")


@login_required
def project_hand_down(request, pk):
    """分解下达: a union's reviewer hands its project down to the units below."""
    try:
        project = select_project_detail(int(pk), request.user)
    except KeyWorkProject.DoesNotExist as exc:
        raise Http404 from exc
    allowed = project_permissions(project, request.user, set())
    if not allowed["hand_down"]:
        raise PermissionDenied
    units = unions_below(request.user, project.owner).order_by("code")
    form = HandDownForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            created, skipped = plans.project_hand_down(
                project=project,
                unions=list(form.cleaned_data["unions"]),
                start_date=form.cleaned_data.get("start_date"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Handed down to %(created)s units (%(skipped)s already had it).")
                % {"created": len(created), "skipped": skipped},
            )
            return redirect(project.get_absolute_url())
    # The units that have this work already (of the item, or of this project).
    same_work = (
        Q(item_id=project.item_id)
        if project.item_id is not None
        else Q(handed_down_from=project)
    )
    taken = dict(
        KeyWorkProject.objects.filter(same_work, owner__in=units).values_list(
            "owner_id", "pk"
        )
    )
    return render(
        request,
        "planning/project_hand_down.html",
        {"project": project, "form": form, "taken": taken},
    )
