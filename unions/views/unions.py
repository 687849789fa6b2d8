"""The union tree's pages: list, detail, create, edit, (de)activate, export, import, people and positions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
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
)
from unionportal.cache import cached_part, query_part, scope_part
from unionportal.downloads import as_download
from unionportal.forms import apply_service_errors as _form_error
from unionportal.htmx import is_partial_request
from unionportal.search import union_search_attrs
from unionportal.sorting import apply_sort
from unionportal.xlsx import XLSX_CONTENT_TYPE

from .. import imports, selectors, services, workflow
from ..filters import UnionFilter, union_sorts
from ..forms import (
    ImportForm,
    OfficerAddForm,
    PersonForm,
    PositionEndForm,
    UnionForm,
)
from ..models import (
    OfficeTerm,
    Person,
    Position,
    Union,
)
from .common import PAGE_SIZE, State, _history, _is_admin


@login_required
def union_list(request):
    user = request.user
    is_admin = _is_admin(user)
    # The rows (with their count) are the costly part at city scale, then the
    # filter bar (every higher union) and the filter set itself: kept under the
    # unions' and terms' latest change, so an edit shows at once.
    parts = (
        scope_part(user),
        query_part(request),
        is_admin,
        timezone.localdate(),
        selectors.data_version(),
    )
    if is_partial_request(request):  # the filter bar asks for the rows alone
        return HttpResponse(_union_rows(request, parts, is_admin))
    content = cached_part(
        "unions:list_page",
        parts,
        lambda: _union_list_page(request, parts, is_admin),
    )
    return render(request, "unions/union_list.html", {"page_content": content})


def _union_filter(request) -> UnionFilter:
    user = request.user
    return UnionFilter(request.GET, queryset=Union.objects.visible_to(user), user=user)


def _union_rows(request, parts: tuple, is_admin: bool, union_filter=None) -> str:
    """The list's rows (kept under ``parts``); ``union_filter`` when the caller
    has built it already."""

    def rows() -> str:
        nonlocal union_filter
        if union_filter is None:
            union_filter = _union_filter(request)
        queryset, sort = apply_sort(
            union_filter.qs, request.GET.get("sort", ""), union_sorts(), "code"
        )
        page = Paginator(
            selectors.unions_for_page(queryset, parts[3]), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        return render_to_string(
            "unions/partials/union_rows.html",
            {"filter": union_filter, "sort": sort, "is_admin": is_admin, "page": page},
            request,
        )

    return cached_part("unions:list", parts, rows)


def _union_list_page(request, parts: tuple, is_admin: bool) -> str:
    """The list's content: its header, the filter bar and the rows."""
    union_filter = _union_filter(request)
    _queryset, sort = apply_sort(
        union_filter.qs, request.GET.get("sort", ""), union_sorts(), "code"
    )
    return render_to_string(
        "unions/partials/union_list_page.html",
        {
            "filter": union_filter,
            "sort": sort,
            "is_admin": is_admin,
            "rows": _union_rows(request, parts, is_admin, union_filter),
            "parent_search": union_search_attrs("higher"),
        },
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
