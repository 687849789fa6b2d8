from functools import cached_property

import django_filters
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unionportal.search import union_match

from .models import OfficeTerm, Union
from .selectors import DISTRICT_LEVEL, in_subdistrict

HIGHER_KINDS = [
    kind for kind in Union.Kind.values if kind not in Union.GRASSROOTS_KINDS
]
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
        # Higher unions by kind, not "not grassroots": the kind index finds the
        # few hundred of them without reading the whole tree.
        self.filters["parent"].queryset = (
            Union.objects.visible_to(user)
            .filter(kind__in=HIGHER_KINDS)
            .order_by("path")
        )

    @cached_property
    def parent_choices(self) -> list[tuple[str, str]]:
        """The higher unions to filter by, as (value, label), in one query.

        Rendering the form field's own choices would count them and then read
        them through a cursor, and build a model instance for each.
        """
        english = (get_language() or "").startswith("en")
        return [("", str(self.filters["parent"].extra["empty_label"]))] + [
            (str(pk), (name_en if english and name_en else name_zh))
            for pk, name_zh, name_en in self.filters["parent"].queryset.values_list(
                "pk", "name_zh", "name_en"
            )
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)

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


ATTENTION = "attention"
OPEN_STATUS_CHOICES = [
    (value, label) for value, label in OfficeTerm.Status.choices if value != "closed"
] + [(ATTENTION, _("Due or overdue"))]


class TermFilter(django_filters.FilterSet):
    """Filters current terms; ``status`` works on the SQL-annotated status, and
    ``area`` keeps the terms the dashboard groups under one sub-district."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=OPEN_STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Any status"),
    )
    area = django_filters.ChoiceFilter(
        label=_("Sub-district"),
        choices=[],
        method="filter_area",
        empty_label=_("Whole scope"),
    )

    class Meta:
        model = OfficeTerm
        fields = ["q", "status", "area"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        english = (get_language() or "").startswith("en")
        subdistricts = [
            (str(pk), name_en if english and name_en else name_zh)
            for pk, name_zh, name_en in Union.objects.visible_to(user)
            .filter(kind=Union.Kind.SUBDISTRICT)
            .order_by("code")
            .values_list("pk", "name_zh", "name_en")
        ]
        above = not user.union_id or user.union.kind in (
            Union.Kind.CITY,
            Union.Kind.DISTRICT,
        )
        self.filters["area"].extra["choices"] = (
            [(DISTRICT_LEVEL, _("District level"))] if above else []
        ) + subdistricts

    @cached_property
    def area_choices(self) -> list[tuple[str, str]]:
        """The area select's options, the empty one first."""
        field = self.form.fields["area"]
        return [(str(value), str(label)) for value, label in field.choices]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(union_match(value, "union"))

    def filter_status(self, queryset, name, value):
        if value == ATTENTION:
            return queryset.filter(status_today__in=["due", "overdue"])
        return queryset.filter(status_today=value)

    def filter_area(self, queryset, name, value):
        return queryset.filter(
            in_subdistrict(None if value == DISTRICT_LEVEL else int(value))
        )


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


# The columns the list of changes sorts by (a whitelist; indexes: the unions' code
# and names, termchange_election, termchange_state, termchange_updated_at).
def change_sorts() -> dict:
    name = (
        "union__name_en"
        if (get_language() or "").startswith("en")
        else "union__name_zh"
    )
    return {
        "union": name,
        "code": "union__code",
        "election": "planned_election_date",
        "state": ("state", "updated_at"),
        "updated": "updated_at",
    }
