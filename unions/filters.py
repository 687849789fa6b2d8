import django_filters
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import OfficeTerm, Union

ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive")), ("all", _("All"))]


class UnionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Union.Kind.choices, empty_label=_("All kinds")
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Higher union"),
        queryset=Union.objects.none(),
        empty_label=_("Any higher union"),
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ACTIVE_CHOICES,
        method="filter_active",
        empty_label=None,
    )

    class Meta:
        model = Union
        fields = ["q", "kind", "parent", "active"]

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("active"):
            data["active"] = "yes"
        super().__init__(data, *args, **kwargs)
        self.filters["parent"].queryset = (
            Union.objects.visible_to(user)
            .exclude(kind__in=Union.GRASSROOTS_KINDS)
            .order_by("path")
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(code__icontains=value)
        )

    def filter_active(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(is_active=True)
        if value == "no":
            return queryset.filter(is_active=False)
        return queryset


def union_sorts() -> dict[str, str]:
    """The columns a union list may be sorted by (a whitelist of query values)."""
    name = "name_en" if (get_language() or "").startswith("en") else "name_zh"
    return {
        "name": name,
        "code": "code",
        "kind": "kind",
        "members": "member_count",
        "parent": "parent__code",
    }


def apply_sort(queryset, value: str, sorts: dict[str, str], default: str):
    key = (value or "").lstrip("-")
    if key not in sorts:
        value, key = default, default.lstrip("-")
    field = sorts[key]
    if value.startswith("-"):
        return queryset.order_by(f"-{field}", "pk"), value
    return queryset.order_by(field, "pk"), value


OPEN_STATUS_CHOICES = [
    (value, label) for value, label in OfficeTerm.Status.choices if value != "closed"
]


class TermFilter(django_filters.FilterSet):
    """Filters current terms; ``status`` works on the SQL-annotated status."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=OPEN_STATUS_CHOICES,
        field_name="status_today",
        empty_label=_("Any status"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Sub-district"),
        queryset=Union.objects.none(),
        method="filter_area",
        empty_label=_("Whole scope"),
    )

    class Meta:
        model = OfficeTerm
        fields = ["q", "status", "area"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].queryset = (
            Union.objects.visible_to(user)
            .filter(kind=Union.Kind.SUBDISTRICT)
            .order_by("code")
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(union__name_zh__icontains=value)
            | Q(union__name_en__icontains=value)
            | Q(union__code__icontains=value)
        )

    def filter_area(self, queryset, name, value):
        return queryset.filter(union__path__startswith=value.path)


def term_sorts() -> dict[str, str]:
    name = (
        "union__name_en"
        if (get_language() or "").startswith("en")
        else "union__name_zh"
    )
    return {
        "union": name,
        "code": "union__code",
        "start": "start",
        "end": "planned_end",
        "number": "number",
    }
