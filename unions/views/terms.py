"""Office terms: the dashboard, the list, a term's page, opening and editing a term."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.access import (
    get_editable_or_403,
    get_visible_or_404,
)
from unionportal.cache import cached_part, query_part, scope_part
from unionportal.forms import apply_service_errors as _form_error
from unionportal.htmx import is_partial_request
from unionportal.sorting import apply_sort

from .. import selectors, services
from ..filters import TermFilter, term_sorts
from ..forms import (
    TermForm,
)
from ..models import (
    OfficeTerm,
    Position,
    TermChange,
    Union,
)
from .common import PAGE_SIZE, _history, _is_admin


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
