from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import (
    ADMIN,
    get_editable_or_403,
    get_visible_or_404,
    role_required,
)
from unionportal.downloads import as_download
from unionportal.history import history_rows
from unionportal.xlsx import XLSX_CONTENT_TYPE
from unions.models import Union

from ..forms import HandOutForm, PlanImportForm, PlanItemForm, WorkPlanForm
from ..models import Category, KeyWorkProject, PlanItem, WorkPlan
from ..services import excel, plan_exports, plans
from .common import apply_errors, unions_below


def _plan_owner(user) -> Union | None:
    if user.union_id:
        return user.union
    return Union.objects.filter(kind=Union.Kind.DISTRICT).order_by("path").first()


@login_required
def plan_list(request):
    plans_qs = list(
        WorkPlan.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(n_items=Count("items", distinct=True))
        .order_by("-year", "title")
    )
    # The card's project counts are those the project list shows the reader
    # (its visible projects, by plan and status), so each opens that many rows.
    counts: dict = {}
    for plan_id, status, n in (
        KeyWorkProject.objects.visible_to(request.user)
        .filter(plan_id__in=[p.pk for p in plans_qs])
        .values_list("plan_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(plan_id, {})[status] = n
    for plan in plans_qs:
        by_status = counts.get(plan.pk, {})
        plan.n_projects = sum(by_status.values())
        plan.n_delayed = by_status.get("delayed", 0)
        plan.n_at_risk = by_status.get("at_risk", 0)
        plan.n_completed = by_status.get("completed", 0)
    return render(
        request,
        "planning/plan_list.html",
        {
            "plans": plans_qs,
            "can_create": request.user.has_role(ADMIN),
        },
    )


def _plan_form(request, plan: WorkPlan):
    form = WorkPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            if plan.pk:
                saved = plans.plan_update(plan=plan, data=form.cleaned_data)
            else:
                owner = _plan_owner(request.user)
                saved = plans.plan_create(owner=owner, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect(saved)
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan})


@login_required
@role_required(ADMIN)
def plan_create(request):
    return _plan_form(request, WorkPlan())


@login_required
def plan_edit(request, pk):
    plan = get_editable_or_403(WorkPlan.objects.all(), request.user, pk=pk)
    return _plan_form(request, plan)


@login_required
def plan_detail(request, pk):
    return _plan_page(request, pk)


def _plan_page(request, pk, *, hand_out=None):
    """The plan's page; ``hand_out`` is a hand-out form sent back with its errors
    (the units ticked in it kept)."""
    user = request.user
    visible_projects = (
        KeyWorkProject.objects.visible_to(user)
        .select_related("owner")
        .order_by("owner__path")
    )
    plan = get_visible_or_404(
        WorkPlan.objects.select_related("owner").prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("projects", queryset=visible_projects, to_attr="shown")
                ),
            )
        ),
        user,
        pk=pk,
    )
    can_edit = WorkPlan.objects.editable_by(user).filter(pk=plan.pk).exists()
    actions = plan.allowed_actions(user, editable=can_edit)
    groups = []
    items = list(plan.items.all())
    for value, label in Category.choices:
        in_group = [i for i in items if i.category == value]
        if in_group:
            groups.append({"value": value, "label": label, "items": in_group})
    if "hand_out" not in actions or not items:
        hand_out = None
    elif hand_out is None:
        hand_out = _hand_out_form(request, plan, data=None)
    history = history_rows(
        (
            lambda r: _("Plan"),
            WorkPlan.history.filter(id=plan.pk).select_related("history_user"),
        ),
        (
            lambda r: _("Item: %(title)s") % {"title": r.title},
            PlanItem.history.filter(plan_id=plan.pk).select_related("history_user"),
        ),
        limit=15,
    )
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "groups": groups,
            "can_edit": can_edit,
            "actions": actions,
            "hand_out": hand_out,
            "history": history,
            "project_total": sum(len(i.shown) for i in items),
        },
    )


def _hand_out_form(request, plan, data):
    form = HandOutForm(
        data,
        scope=unions_below(request.user, plan.owner),
        items=plan.items.order_by("category", "order", "pk"),
    )
    item_id = request.GET.get("item")
    if data is None and item_id and item_id.isdigit():
        form.initial["item"] = int(item_id)
    return form


@login_required
@require_POST
def plan_hand_out(request, pk):
    plan = get_editable_or_403(
        WorkPlan.objects.select_related("owner"), request.user, pk=pk
    )
    form = _hand_out_form(request, plan, request.POST)
    if form.is_valid():
        try:
            created, skipped = plans.item_hand_out(
                item=form.cleaned_data["item"],
                unions=form.cleaned_data["targets"],
                start_date=form.cleaned_data.get("start_date"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "%(created)s projects were created; %(skipped)s units already had one."
                )
                % {"created": len(created), "skipped": skipped},
            )
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        # The page again with the form's errors and the units ticked in it.
        return _plan_page(request, plan.pk, hand_out=form)
    return redirect(plan)


@login_required
@require_POST
def plan_publish(request, pk):
    plan = get_editable_or_403(WorkPlan.objects.all(), request.user, pk=pk)
    try:
        plans.plan_publish(plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan is published: the unions can see it."))
    return redirect(plan)


@login_required
@require_POST
def plan_close(request, pk):
    plan = get_editable_or_403(WorkPlan.objects.all(), request.user, pk=pk)
    try:
        plans.plan_close(plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan is closed."))
    return redirect(plan)


def _item_form(request, plan, item):
    form = PlanItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            plans.item_save(item=item, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The item was saved."))
            return redirect(plan)
    return render(
        request, "planning/item_form.html", {"form": form, "plan": plan, "item": item}
    )


@login_required
def item_create(request, pk):
    plan = get_editable_or_403(WorkPlan.objects.all(), request.user, pk=pk)
    item = PlanItem(plan=plan)
    return _item_form(request, plan, item)


@login_required
def item_edit(request, pk):
    item = get_editable_or_403(
        PlanItem.objects.select_related("plan"), request.user, pk=pk
    )
    return _item_form(request, item.plan, item)


@login_required
def plan_export(request, pk):
    plan = get_visible_or_404(WorkPlan.objects.all(), request.user, pk=pk)
    handle = plan_exports.plan_export(plan=plan)
    return as_download(
        FileResponse(handle, content_type=XLSX_CONTENT_TYPE),
        f"{plan.title}.xlsx",
        fallback=f"plan-{plan.year}-{plan.pk}",
    )


@login_required
@role_required(ADMIN)
def plan_import_template(request):
    response = HttpResponse(
        excel.import_template(user=request.user), content_type=XLSX_CONTENT_TYPE
    )
    return as_download(
        response, _("Key-work plan import template.xlsx"), fallback="plan-template"
    )


@login_required
@role_required(ADMIN)
def plan_import(request):
    """Upload → preview with every row's problems → confirm (all rows or none), on the
    portal's one import pipeline (unionportal/imports.py)."""
    owner = _plan_owner(request.user)
    preview = None
    form = PlanImportForm(request.POST or None, request.FILES or None)

    if request.method == "POST" and request.POST.get("cancel"):
        excel.PLAN_IMPORT.forget(request)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("planning:plan_import")

    if request.method == "POST" and request.POST.get("confirm"):
        try:
            done = excel.PLAN_IMPORT.confirm(request, request.POST.get("token", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("planning:plan_import")
        if done.applied:
            messages.success(
                request,
                _("The plan was imported: %(items)s items, %(projects)s projects.")
                % {
                    "items": done.preview.item_count,
                    "projects": done.preview.project_count,
                },
            )
            return redirect(done.result)
        # Something changed since the preview (a union was closed, a code is gone).
        form = PlanImportForm(initial=done.data)
        preview = done.preview

    elif request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        if WorkPlan.objects.filter(owner=owner, year=data["year"]).exists():
            form.add_error(
                "year",
                _("This union already has a plan for %(year)s.")
                % {"year": data["year"]},
            )
        else:
            try:
                preview = excel.PLAN_IMPORT.preview(
                    request,
                    form.cleaned_data["file"],
                    data={**data, "owner": owner.pk},
                )
            except ValidationError as exc:
                form.add_error("file", exc)
    return render(
        request,
        "planning/plan_import.html",
        {"form": form, "preview": preview, "token": getattr(preview, "token", "")},
    )
