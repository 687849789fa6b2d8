"""Changes of term (换届): the list, starting one, its steps, cancelling, its documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import (
    ADMIN,
    get_visible_or_404,
    writer_required,
)
from unionportal.forms import apply_service_errors as _form_error
from unionportal.roles import Role
from unionportal.search import union_match, union_search_attrs
from unionportal.sorting import apply_sort

from .. import selectors, workflow
from ..filters import change_sorts
from ..forms import (
    CancelForm,
    ChangePlanForm,
    ElectionStepForm,
    OfficerFormSet,
    StepForm,
)
from ..lookups import change_candidates, higher_unions, union_choice, union_options
from ..models import (
    TermChange,
    TermChangeStep,
    Union,
)
from .common import PAGE_SIZE, State, _history, _is_admin


@login_required
def change_list(request):
    user = request.user
    changes = (
        TermChange.objects.visible_to(user)
        .select_related("union", "old_term", "new_term")
        .order_by("-updated_at", "-pk")
    )
    state = request.GET.get("state", "")
    if state == "active":
        changes = changes.active()
    elif state in State.values:
        changes = changes.filter(state=state)
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        from .home import APPROVAL_STATES

        changes = changes.filter(state__in=APPROVAL_STATES)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        changes = changes.filter(union_match(query, "union"))
    union = union_choice(user, request.GET.get("union"))
    if union is not None:
        changes = changes.filter(union__path__startswith=union.path)
    changes, sort = apply_sort(changes, request.GET.get("sort", ""), change_sorts(), "")
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "unions/change_list.html",
        {
            "page": page,
            "state": state,
            "waiting": waiting,
            "query": query,
            "union": union,
            "union_options": union_options(higher_unions(user), union),
            "union_search": union_search_attrs(),
            "sort": sort,
            "states": State.choices,
            "can_plan": user.has_role(ADMIN, Role.CADRE) and not user.is_read_only,
        },
    )


@login_required
@writer_required
def change_create(request):
    user = request.user
    if not (user.has_role(ADMIN) or user.has_role(Role.CADRE)):
        raise PermissionDenied
    unions = change_candidates(user).order_by("path")
    initial = {}
    union_id = request.GET.get("union")
    if union_id:
        union = get_visible_or_404(Union.objects.all(), user, pk=union_id)
        if not workflow.can_take_step(user, union, State.PLANNED):
            raise PermissionDenied
        initial["union"] = union
        open_term = union.terms.filter(closed=False).first()
        if open_term:
            initial["new_term_years"] = open_term.length_years
    form = ChangePlanForm(
        request.POST or None, request.FILES or None, unions=unions, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not workflow.can_take_step(user, data["union"], State.PLANNED):
            raise PermissionDenied
        try:
            change = workflow.term_change_plan(
                union=data["union"],
                by=user,
                day=data["date"],
                planned_election_date=data["planned_election_date"],
                new_term_years=data["new_term_years"],
                comment=data["comment"],
                document=data["document"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("The change of term of %(union)s is planned.")
                % {"union": change.union.name},
            )
            return redirect(change)
    return render(request, "unions/change_form.html", {"form": form})


def _step_form(change, step, data=None, files=None):
    if step == State.ELECTION_HELD:
        return ElectionStepForm(data, files, step=step, change=change)
    return StepForm(data, files, step=step)


def _change_context(request, change, *, form=None, formset=None, cancel_form=None):
    user = request.user
    step = workflow.next_step(change)
    actions = change.allowed_actions(user)
    can_step = step in actions
    can_cancel = "cancel" in actions
    if can_step and form is None:
        form = _step_form(change, step)
        if step == State.ELECTION_HELD and formset is None:
            formset = OfficerFormSet(prefix="officers")
    if can_cancel and cancel_form is None:
        cancel_form = CancelForm()
    is_admin = _is_admin(user)
    steps = selectors.change_steps(change)
    done = {s.step for s in steps}
    timeline = [
        {
            "state": value,
            "label": label,
            "done": value in done,
            "current": value == step,
        }
        for value, label in State.choices
        if value != State.CANCELLED
    ]
    return {
        "change": change,
        "union": change.union,
        "steps": steps,
        "timeline": timeline,
        "next_step": step,
        "next_label": State(step).label if step else "",
        "next_action": workflow.STEP_ACTIONS.get(step, ""),
        "can_step": can_step,
        "can_cancel": can_cancel,
        "form": form,
        "formset": formset,
        "cancel_form": cancel_form,
        "elected": list(change.elected.all()),
        "is_admin": is_admin,
        "history": _history(
            TermChange.history.filter(id=change.pk), show_personal=is_admin
        ),
        "waiting_for_higher_union": step is not None
        and step not in workflow.UNION_STEPS,
    }


def _get_change(request, pk):
    return get_visible_or_404(
        TermChange.objects.select_related(
            "union", "old_term", "new_term"
        ).prefetch_related(Prefetch("elected")),
        request.user,
        pk=pk,
    )


@login_required
def change_detail(request, pk):
    change = _get_change(request, pk)
    return render(
        request, "unions/change_detail.html", _change_context(request, change)
    )


@login_required
@require_POST
def change_step(request, pk, step):
    change = _get_change(request, pk)
    if step not in workflow.PREVIOUS_STEP:
        raise Http404
    if not workflow.can_take_step(request.user, change.union, step):
        raise PermissionDenied
    if change.state != workflow.PREVIOUS_STEP[step]:
        messages.error(
            request,
            _(
                "“%(step)s” cannot be done now: the change of term is at “%(state)s”. "
                "Nothing was changed."
            )
            % {"step": State(step).label, "state": change.get_state_display()},
        )
        return redirect(change)
    form = _step_form(change, step, request.POST, request.FILES)
    formset = None
    if step == State.ELECTION_HELD:
        formset = OfficerFormSet(request.POST, prefix="officers")
    valid = form.is_valid() and (formset is None or formset.is_valid())
    if valid:
        data = form.cleaned_data
        try:
            workflow.term_change_advance(
                change=change,
                step=step,
                by=request.user,
                day=data["date"],
                comment=data["comment"],
                document=data["document"],
                officers=formset.officers() if formset is not None else None,
                new_term_years=data.get("new_term_years"),
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Done: %(step)s.") % {"step": State(step).label},
            )
            return redirect(change)
    change.refresh_from_db()
    return render(
        request,
        "unions/change_detail.html",
        _change_context(request, change, form=form, formset=formset),
        status=400,
    )


@login_required
@require_POST
def change_cancel(request, pk):
    change = _get_change(request, pk)
    if not workflow.can_take_step(request.user, change.union, State.CANCELLED):
        raise PermissionDenied
    form = CancelForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            workflow.term_change_cancel(
                change=change,
                by=request.user,
                day=data["date"],
                comment=data["comment"],
                document=data["document"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The change of term was cancelled."))
            return redirect(change)
    return render(
        request,
        "unions/change_detail.html",
        _change_context(request, change, cancel_form=form),
        status=400,
    )


@login_required
def step_document(request, pk):
    step = get_visible_or_404(
        TermChangeStep.objects.select_related("change"), request.user, pk=pk
    )
    if not step.document:
        raise Http404
    try:
        handle = step.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=step.document_name or step.document.name.rsplit("/", 1)[-1],
    )
