from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.access import scope_filter
from unions.models import Union

from .models import (
    ActivityEvent,
    CampaignItem,
    Category,
    KeyWorkProject,
    ProgressReport,
    WorkPlan,
)

DATE = forms.DateInput(attrs={"type": "date"})


class UnionFilter(django_filters.ModelChoiceFilter):
    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda u: f"{u.name} ({u.code})"
        return field


class StyledFilterSet(django_filters.FilterSet):
    """Gives the filter widgets Bootstrap's small form classes."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        return form


class ProjectFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"), queryset=WorkPlan.objects.none(), empty_label=_("All plans")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    owner = UnionFilter(
        label=_("Owner union"),
        queryset=Union.objects.none(),
        empty_label=_("All unions"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=KeyWorkProject.Status.choices,
        empty_label=_("Any status"),
    )
    due_after = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=DATE
    )
    due_before = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = KeyWorkProject
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["plan"].queryset = WorkPlan.objects.visible_to(user)
        self.filters["owner"].queryset = Union.objects.filter(
            scope_filter(user, "")
        ).exclude(kind__in=[Union.Kind.DISTRICT, Union.Kind.CITY])

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(responsible_person__icontains=value)
            | Q(owner__name_zh__icontains=value)
            | Q(owner__name_en__icontains=value)
            | Q(owner__code__iexact=value)
        )


class ReviewFilter(StyledFilterSet):
    AGES = [("7", _("Waiting over 7 days")), ("30", _("Waiting over 30 days"))]
    LEVELS = [("direct", _("Units directly below")), ("all", _("All units below"))]

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            ("submitted", _("Waiting for review")),
            ("returned", _("Returned")),
            ("approved", _("Approved")),
        ],
        empty_label=None,
        method="filter_status",
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=LEVELS, empty_label=None, method="filter_level"
    )
    union = UnionFilter(
        label=_("Unit"), queryset=Union.objects.none(), empty_label=_("All units")
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        queryset=KeyWorkProject.objects.none(),
        empty_label=_("All projects"),
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGES, empty_label=_("Any age"), method="filter_age"
    )

    class Meta:
        model = ProgressReport
        fields = []

    def __init__(self, data=None, *args, user, base, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", "submitted")
        data.setdefault("level", "direct")
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["union"].queryset = Union.objects.filter(
            pk__in=base.values("union_id")
        )
        self.filters["project"].queryset = KeyWorkProject.objects.filter(
            pk__in=base.values("project_id")
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value or "submitted")

    def filter_level(self, queryset, name, value):
        user = self.user
        if value == "all" or user.union_id is None:
            return queryset
        return queryset.filter(union__depth=user.union.depth + 1)

    def filter_age(self, queryset, name, value):
        days = int(value)
        cutoff = timezone.now() - timedelta(days=days)
        return queryset.filter(submitted_at__lt=cutoff)


class EventFilter(StyledFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ActivityEvent.Kind.choices, empty_label=_("All kinds")
    )
    item = django_filters.ModelChoiceFilter(
        label=_("Campaign item"),
        queryset=CampaignItem.objects.none(),
        empty_label=_("All items"),
    )
    union = UnionFilter(
        label=_("Union"), queryset=Union.objects.none(), empty_label=_("All unions")
    )
    date_after = django_filters.DateFilter(
        label=_("Date from"), field_name="date", lookup_expr="gte", widget=DATE
    )
    date_before = django_filters.DateFilter(
        label=_("Date until"), field_name="date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = ActivityEvent
        fields = []

    def __init__(self, *args, user, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["item"].queryset = items
        self.filters["union"].queryset = Union.objects.filter(scope_filter(user, ""))
