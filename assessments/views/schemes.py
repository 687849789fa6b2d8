from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from unionportal.access import (
    ADMIN,
    get_editable_or_403,
    get_visible_or_404,
    role_required,
)
from unionportal.forms import apply_service_errors as form_errors

from .. import selectors, services
from ..forms import (
    CategoryForm,
    ExemptionForm,
    IndicatorForm,
    PeriodCreateForm,
    SchemeCopyForm,
    SchemeForm,
)
from ..models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    Scheme,
)


def message_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def scheme_list(request):
    schemes = list(selectors.scheme_list(request.user))
    copy_form = None
    if request.user.has_role(ADMIN):
        editable = Scheme.objects.editable_by(request.user)
        last = max((s.year for s in schemes), default=None)
        copy_form = SchemeCopyForm(
            schemes=editable.order_by("-year", "unit_level"),
            initial={"year": (last or 2025) + 1},
        )
    return render(
        request,
        "assessments/scheme_list.html",
        {"schemes": schemes, "copy_form": copy_form},
    )


@login_required
@role_required(ADMIN)
def scheme_create(request):
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(
                owner=request.user.union, data=form.service_data(), by=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The scheme was created as a draft."))
            return redirect(scheme)
    return render(
        request, "assessments/scheme_form.html", {"form": form, "scheme": None}
    )


@login_required
@role_required(ADMIN)
@require_POST
def scheme_copy(request):
    editable = Scheme.objects.editable_by(request.user)
    form = SchemeCopyForm(request.POST, schemes=editable)
    if form.is_valid():
        try:
            scheme = services.scheme_copy(
                source=form.cleaned_data["source"],
                year=form.cleaned_data["year"],
                by=request.user,
            )
        except ValidationError as exc:
            message_errors(request, exc)
        else:
            messages.success(
                request,
                _("The scheme was copied to %(year)s as a draft.")
                % {"year": scheme.year},
            )
            return redirect(scheme)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("assessments:scheme_list")


@login_required
def scheme_detail(request, pk):
    scheme = get_visible_or_404(
        Scheme.objects.select_related("owner", "copied_from"), request.user, pk=pk
    )
    can_edit = Scheme.objects.editable_by(request.user).filter(pk=scheme.pk).exists()
    actions = scheme.allowed_actions(request.user, editable=can_edit)
    periods = selectors.scheme_periods(scheme)
    existing = {p.kind for p in periods}
    available = [k for k in Period.Kind.values if k not in existing]
    base_total = services.scheme_base_total(scheme=scheme)
    return render(
        request,
        "assessments/scheme_detail.html",
        {
            "scheme": scheme,
            "categories": selectors.scheme_categories(scheme, request.user),
            "periods": periods,
            "base_total": base_total,
            "base_ok": base_total == 100,
            "can_edit": "edit" in actions,
            "can_manage": can_edit,
            "actions": actions,
            "period_form": PeriodCreateForm(available=available)
            if "open_period" in actions and available
            else None,
        },
    )


@login_required
def scheme_edit(request, pk):
    scheme = get_editable_or_403(Scheme.objects.all(), request.user, pk=pk)
    form = SchemeForm(request.POST or None, instance=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(
                scheme=scheme, data=form.service_data(), by=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The scheme was saved."))
            return redirect(scheme)
    return render(
        request, "assessments/scheme_form.html", {"form": form, "scheme": scheme}
    )


# Labels stay lazy: they are read in the reader's language, not at import.
SCHEME_ACTIONS = {
    "activate": (services.scheme_activate, gettext_lazy("The scheme is active.")),
    "draft": (
        services.scheme_return_to_draft,
        gettext_lazy(
            "The scheme is a draft again; activate it when its points add up to 100."
        ),
    ),
    "archive": (services.scheme_archive, gettext_lazy("The scheme was archived.")),
}


@login_required
@require_POST
def scheme_action(request, pk, action):
    if action not in SCHEME_ACTIONS and action != "delete":
        raise Http404
    scheme = get_editable_or_403(Scheme.objects.all(), request.user, pk=pk)
    if action == "delete":
        try:
            services.scheme_delete(scheme=scheme, by=request.user)
        except ValidationError as exc:
            message_errors(request, exc)
            return redirect(scheme)
        messages.success(request, _("The draft scheme was deleted."))
        return redirect("assessments:scheme_list")
    service, done = SCHEME_ACTIONS[action]
    try:
        service(scheme=scheme, by=request.user)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect(scheme)


# --- categories -----------------------------------------------------------------------


def _category_form(request, scheme, category):
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_save(
                category=category, data=form.cleaned_data, by=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The category was saved."))
            return redirect(scheme)
    return render(
        request,
        "assessments/category_form.html",
        {"form": form, "scheme": scheme, "category": category},
    )


@login_required
def category_create(request, scheme_pk):
    scheme = get_editable_or_403(Scheme.objects.all(), request.user, pk=scheme_pk)
    return _category_form(request, scheme, IndicatorCategory(scheme=scheme))


@login_required
def category_edit(request, pk):
    category = get_editable_or_403(
        IndicatorCategory.objects.select_related("scheme"), request.user, pk=pk
    )
    return _category_form(request, category.scheme, category)


@login_required
@require_POST
def category_delete(request, pk):
    category = get_editable_or_403(
        IndicatorCategory.objects.select_related("scheme"), request.user, pk=pk
    )
    scheme = category.scheme
    try:
        services.category_delete(category=category, by=request.user)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, _("The category was deleted."))
    return redirect(scheme)


# --- indicators -----------------------------------------------------------------------


def _indicator_form(request, scheme, indicator):
    form = IndicatorForm(request.POST or None, instance=indicator, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(
                indicator=indicator, data=form.service_data(), by=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Indicator %(code)s was saved.") % {"code": indicator.code}
            )
            return redirect(scheme)
    return render(
        request,
        "assessments/indicator_form.html",
        {"form": form, "scheme": scheme, "indicator": indicator},
    )


@login_required
def indicator_create(request, scheme_pk):
    scheme = get_editable_or_403(Scheme.objects.all(), request.user, pk=scheme_pk)
    if not scheme.categories.exists():
        messages.error(request, _("Add a category before adding indicators."))
        return redirect(scheme)
    return _indicator_form(request, scheme, Indicator(scheme=scheme))


@login_required
def indicator_edit(request, pk):
    indicator = get_editable_or_403(
        Indicator.objects.select_related("scheme"), request.user, pk=pk
    )
    return _indicator_form(request, indicator.scheme, indicator)


@login_required
@require_POST
def indicator_delete(request, pk):
    indicator = get_editable_or_403(
        Indicator.objects.select_related("scheme"), request.user, pk=pk
    )
    scheme = indicator.scheme
    try:
        services.indicator_delete(indicator=indicator, by=request.user)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, _("The indicator was deleted."))
    return redirect(scheme)


@login_required
def exemption_create(request, indicator_pk):
    indicator = get_editable_or_403(
        Indicator.objects.select_related("scheme__owner", "category"),
        request.user,
        pk=indicator_pk,
    )
    units = services.scheme_units(scheme=indicator.scheme).order_by("path")
    form = ExemptionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_create(
                indicator=indicator,
                unit=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s is marked not applicable to %(unit)s.")
                % {"code": indicator.code, "unit": form.cleaned_data["unit"].name},
            )
            return redirect(indicator.scheme)
    return render(
        request,
        "assessments/exemption_form.html",
        {"form": form, "indicator": indicator, "scheme": indicator.scheme},
    )


@login_required
@require_POST
def exemption_delete(request, pk):
    exemption = get_editable_or_403(
        IndicatorExemption.objects.select_related("indicator__scheme"),
        request.user,
        pk=pk,
    )
    scheme = exemption.indicator.scheme
    try:
        services.exemption_delete(exemption=exemption, by=request.user)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, _("The indicator applies to the unit again."))
    return redirect(scheme)


@login_required
@require_POST
def period_create(request, scheme_pk):
    scheme = get_editable_or_403(Scheme.objects.all(), request.user, pk=scheme_pk)
    existing = set(scheme.periods.values_list("kind", flat=True))
    form = PeriodCreateForm(
        request.POST, available=[k for k in Period.Kind.values if k not in existing]
    )
    if not form.is_valid():
        messages.error(request, _("Choose a period that the scheme does not have yet."))
        return redirect(scheme)
    try:
        period = services.period_create(
            scheme=scheme, kind=form.cleaned_data["kind"], by=request.user
        )
    except ValidationError as exc:
        message_errors(request, exc)
        return redirect(scheme)
    messages.success(
        request, _("%(period)s is open for entry.") % {"period": period.label}
    )
    return redirect(period)
