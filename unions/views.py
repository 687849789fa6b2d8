from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AuditEvent
from accounts.services import audit_record
from unionportal.access import (
    ADMIN,
    get_editable_or_403,
    get_visible_or_404,
    role_required,
    union_in_scope,
    writer_required,
)
from unionportal.cache import cached_part, query_part, scope_part
from unionportal.downloads import as_download
from unionportal.forms import apply_service_errors as _form_error
from unionportal.history import history_rows
from unionportal.htmx import is_partial_request
from unionportal.roles import Role
from unionportal.search import union_match, union_search_attrs
from unionportal.sorting import apply_sort
from unionportal.xlsx import XLSX_CONTENT_TYPE

from . import imports, selectors, services, workflow
from .filters import TermFilter, UnionFilter, change_sorts, term_sorts, union_sorts
from .forms import (
    CancelForm,
    ChangePlanForm,
    ElectionStepForm,
    ImportForm,
    OfficerAddForm,
    OfficerFormSet,
    PersonForm,
    PositionEndForm,
    StepForm,
    TermForm,
    UnionForm,
)
from .lookups import change_candidates, higher_unions, union_choice, union_options
from .masking import PERSONAL_FIELDS
from .models import (
    OfficeTerm,
    Person,
    Position,
    TermChange,
    TermChangeStep,
    Union,
)

PAGE_SIZE = 25
State = TermChange.State


def _is_admin(user) -> bool:
    return user.has_role(ADMIN)


# --- unions ---------------------------------------------------------------------------


@login_required
def union_list(request):
    today = timezone.localdate()
    user = request.user
    unions = Union.objects.visible_to(user)
    union_filter = UnionFilter(request.GET, queryset=unions, user=user)
    queryset, sort = apply_sort(
        union_filter.qs, request.GET.get("sort", ""), union_sorts(), "code"
    )
    context = {"filter": union_filter, "sort": sort, "is_admin": _is_admin(user)}

    def rows():
        page = Paginator(
            selectors.unions_for_page(queryset, today), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        return render_to_string(
            "unions/partials/union_rows.html", {**context, "page": page}, request
        )

    # The rows (with their count) are the costly part at city scale; they are
    # cached under the unions' and terms' latest change, so an edit shows at once.
    rows_html = cached_part(
        "unions:list",
        (
            scope_part(user),
            query_part(request),
            context["is_admin"],
            today,
            selectors.data_version(),
        ),
        rows,
    )
    if is_partial_request(request):
        return HttpResponse(rows_html)
    return render(
        request,
        "unions/union_list.html",
        {**context, "rows": rows_html, "parent_search": union_search_attrs("higher")},
    )


def _history(model_history, *, show_personal, limit=20, subject=None):
    records = model_history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[: limit + 10]
    return history_rows(
        (subject, records),
        masks=None if show_personal else PERSONAL_FIELDS,
        limit=limit,
    )


@login_required
def union_detail(request, pk):
    union = get_visible_or_404(
        Union.objects.select_related("parent"), request.user, pk=pk
    )
    today = timezone.localdate()
    context = selectors.union_detail(union, at=today)
    is_admin = _is_admin(request.user)
    context.update(
        {
            "union": union,
            "is_admin": is_admin,
            "parent_visible": union.parent_id is not None
            and union_in_scope(request.user, union.parent),
            "can_plan_change": workflow.can_take_step(
                request.user, union, State.PLANNED
            ),
            "history": _history(
                Union.history.filter(id=union.pk), show_personal=is_admin
            ),
        }
    )
    return render(request, "unions/union_detail.html", context)


@login_required
@role_required(ADMIN)
def union_create(request):
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = get_visible_or_404(Union.objects.all(), request.user, pk=parent_id)
        initial["parent"] = parent
        initial["kind"] = (
            Union.Kind.SUBDISTRICT
            if parent.kind == Union.Kind.DISTRICT
            else Union.Kind.ENTERPRISE
        )
    form = UnionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            union = services.union_create(
                parent=data.pop("parent"), **{k: data[k] for k in data}
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Union %(name)s was created.") % {"name": union.name}
            )
            return redirect(union)
    return render(request, "unions/union_form.html", {"form": form, "union": None})


@login_required
def union_edit(request, pk):
    union = get_editable_or_403(Union.objects.all(), request.user, pk=pk)
    form = UnionForm(request.POST or None, instance=union, user=request.user)
    if request.method == "POST":
        # ModelForm validation writes the posted values onto the instance; the
        # service needs the union as stored to compare parents and paths.
        stored = Union.objects.get(pk=union.pk)
        if form.is_valid():
            try:
                union = services.union_update(union=stored, **form.cleaned_data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request, _("Union %(name)s was saved.") % {"name": union.name}
                )
                return redirect(union)
        union = stored
    return render(request, "unions/union_form.html", {"form": form, "union": union})


@login_required
@require_POST
def union_deactivate(request, pk):
    union = get_editable_or_403(Union.objects.all(), request.user, pk=pk)
    try:
        services.union_deactivate(union=union)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now inactive. Its records are kept.") % {"name": union.name},
        )
    return redirect(union)


@login_required
@require_POST
def union_activate(request, pk):
    union = get_editable_or_403(Union.objects.all(), request.user, pk=pk)
    try:
        services.union_activate(union=union)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": union.name})
    return redirect(union)


@login_required
@require_GET
def union_export(request):
    include_personal = request.GET.get("personal") == "1"
    if include_personal and not _is_admin(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    union_filter = UnionFilter(
        request.GET, queryset=Union.objects.visible_to(request.user), user=request.user
    )
    queryset, _sort = apply_sort(
        union_filter.qs, request.GET.get("sort", ""), union_sorts(), "code"
    )
    unions = selectors.unions_for_list(queryset, today)
    content = imports.union_export(
        unions=unions, at=today, include_personal=include_personal
    )
    if include_personal:
        audit_record(
            kind=AuditEvent.Kind.PERSONAL_DATA_EXPORT,
            request=request,
            detail=f"unions export with phone and ID numbers: {request.GET.urlencode()}"[
                :500
            ],
        )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    return as_download(
        response,
        _("Unions and officers %(date)s.xlsx") % {"date": today.isoformat()},
        fallback=f"unions-{today.isoformat()}",
    )


# --- import ----------------------------------------------------------------------------
# The shared pipeline (unionportal/imports.py): upload → preview → confirm.


@login_required
@role_required(ADMIN)
def union_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = imports.UNION_IMPORT.preview(request, upload)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return render(
                request,
                "unions/union_import_preview.html",
                {"preview": preview, "token": preview.token, "filename": upload.name},
            )
    return render(request, "unions/union_import.html", {"form": form})


@login_required
@role_required(ADMIN)
@require_POST
def union_import_confirm(request):
    if request.POST.get("cancel"):
        imports.UNION_IMPORT.forget(request)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("unions:union_import")
    try:
        done = imports.UNION_IMPORT.confirm(request, request.POST.get("token", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("unions:union_import")
    if not done.applied:
        # The unions changed since the preview (a code was taken meanwhile).
        return render(
            request,
            "unions/union_import_preview.html",
            {"preview": done.preview, "token": "", "filename": ""},
        )
    messages.success(
        request,
        _("Imported %(unions)s unions, %(terms)s terms and %(officers)s officers.")
        % done.result,
    )
    return redirect("unions:union_list")


@login_required
@role_required(ADMIN)
@require_GET
def union_import_template(request):
    response = HttpResponse(
        imports.union_import_template(user=request.user),
        content_type=XLSX_CONTENT_TYPE,
    )
    return as_download(
        response,
        _("Unions and officers import template.xlsx"),
        fallback="unions-template",
    )


# --- people and positions ---------------------------------------------------------------


@login_required
def person_detail(request, pk):
    person = get_visible_or_404(
        Person.objects.select_related("union"), request.user, pk=pk
    )
    is_admin = _is_admin(request.user)
    positions = (
        Position.objects.filter(person=person)
        .select_related("term", "union")
        .order_by("-start", "-pk")
    )
    return render(
        request,
        "unions/person_detail.html",
        {
            "person": person,
            "positions": positions,
            "is_admin": is_admin,
            "history": _history(
                Person.history.filter(id=person.pk), show_personal=is_admin
            ),
        },
    )


@login_required
def person_edit(request, pk):
    person = get_editable_or_403(
        Person.objects.select_related("union"), request.user, pk=pk
    )
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_save(
                person=Person.objects.get(pk=person.pk), **form.cleaned_data
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s was saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("unions:person_detail", pk=person.pk)
    return render(request, "unions/person_form.html", {"form": form, "person": person})


@login_required
def position_add(request, pk):
    term = get_editable_or_403(
        OfficeTerm.objects.select_related("union"), request.user, pk=pk
    )
    if term.closed:
        messages.error(request, _("Officers can only be added to a term that is open."))
        return redirect(term)
    form = OfficerAddForm(request.POST or None, term=term)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.officer_add(term=term, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": data["name"]})
            return redirect(term)
    return render(request, "unions/position_form.html", {"form": form, "term": term})


@login_required
@require_POST
def position_end(request, pk):
    position = get_editable_or_403(
        Position.objects.select_related("term", "person"), request.user, pk=pk
    )
    form = PositionEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the office ended."))
        return redirect(position.term)
    try:
        services.position_end(position=position, end=form.cleaned_data["end"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is no longer %(role)s.")
            % {"name": position.person.name, "role": position.get_role_display()},
        )
    return redirect(position.term)


# --- office terms ---------------------------------------------------------------------


@login_required
def term_dashboard(request):
    today = timezone.localdate()
    user = request.user

    def body():
        data = selectors.term_dashboard(user, at=today, page=request.GET.get("page"))
        return render_to_string(
            "unions/partials/term_dashboard_body.html",
            {**data, "today": today},
            request,
        )

    # Counting every term in a city takes tens of milliseconds; the figures are
    # cached under the unions' and terms' latest change (and the day).
    content = cached_part(
        "unions:term_dashboard",
        (scope_part(user), query_part(request), today, selectors.data_version()),
        body,
    )
    return render(
        request, "unions/term_dashboard.html", {"body": content, "today": today}
    )


@login_required
def term_list(request):
    today = timezone.localdate()
    user = request.user
    terms = selectors.current_terms(OfficeTerm.objects.visible_to(user), today)
    term_filter = TermFilter(request.GET, queryset=terms, user=user)
    queryset, sort = apply_sort(
        term_filter.qs, request.GET.get("sort", ""), term_sorts(), "end"
    )
    context = {"filter": term_filter, "sort": sort}

    def rows():
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return render_to_string(
            "unions/partials/term_rows.html", {**context, "page": page}, request
        )

    rows_html = cached_part(
        "unions:term_list",
        (scope_part(user), query_part(request), today, selectors.data_version()),
        rows,
    )
    if is_partial_request(request):
        return HttpResponse(rows_html)
    return render(request, "unions/term_list.html", {**context, "rows": rows_html})


@login_required
def term_detail(request, pk):
    today = timezone.localdate()
    term = get_visible_or_404(
        OfficeTerm.objects.with_status(today).select_related("union"),
        request.user,
        pk=pk,
    )
    is_admin = _is_admin(request.user)
    positions = list(
        Position.objects.filter(term=term)
        .select_related("person")
        .ordered_by_role()
        .order_by("-is_current", "role_order", "person__name")
    )
    changes = TermChange.objects.filter(old_term=term) | TermChange.objects.filter(
        new_term=term
    )
    history = _history(
        OfficeTerm.history.filter(id=term.pk), show_personal=is_admin
    ) + _history(
        Position.history.filter(term_id=term.pk).select_related("person"),
        show_personal=is_admin,
        subject=lambda r: r.person.name if r.person_id else "",
    )
    history.sort(key=lambda row: row.when, reverse=True)
    return render(
        request,
        "unions/term_detail.html",
        {
            "term": term,
            "union": term.union,
            "positions": positions,
            "changes": changes.order_by("-created_at"),
            "is_admin": is_admin,
            "history": history[:30],
        },
    )


@login_required
def term_create(request, pk):
    union = get_editable_or_403(Union.objects.all(), request.user, pk=pk)
    last = union.terms.order_by("-number").first()
    form = TermForm(
        request.POST or None,
        initial={"number": (last.number + 1) if last else 1, "length_years": 5},
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            term = services.term_open(union=union, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Term %(number)s of %(union)s was opened.")
                % {"number": term.number, "union": union.name},
            )
            return redirect(term)
    return render(
        request, "unions/term_form.html", {"form": form, "union": union, "term": None}
    )


@login_required
def term_edit(request, pk):
    term = get_editable_or_403(
        OfficeTerm.objects.select_related("union"), request.user, pk=pk
    )
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST":
        stored = OfficeTerm.objects.select_related("union").get(pk=term.pk)
        if form.is_valid():
            try:
                data = dict(form.cleaned_data)
                # A form without the version it was drawn from is as stale as an
                # old one: versions start at 1.
                data["version"] = data.get("version") or 0
                term = services.term_update(term=stored, **data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The term was saved."))
                return redirect(term)
        term = stored
    return render(
        request,
        "unions/term_form.html",
        {"form": form, "union": term.union, "term": term},
    )


# --- changes of term ---------------------------------------------------------------------


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
            "can_plan": user.has_role(ADMIN, "cadre") and not user.is_read_only,
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
    can_step = step is not None and workflow.can_take_step(user, change.union, step)
    can_cancel = change.is_active and workflow.can_take_step(
        user, change.union, State.CANCELLED
    )
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
