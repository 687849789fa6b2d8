from datetime import timedelta
from functools import cached_property

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from unionportal.access import scope_filter
from unionportal.api.filters import IdFilter
from unionportal.cache import cached_part, scope_part
from unionportal.search import union_match, union_search_attrs
from unions.models import Union
from unions.selectors import DISTRICT_LEVEL, in_subdistrict
from unions.selectors import data_version as unions_version

from .models import (
    ActivityEvent,
    CampaignItem,
    Category,
    KeyWorkProject,
    ProgressReport,
    WorkPlan,
)

DATE = forms.DateInput(attrs={"type": "date"})


def union_label(union) -> str:
    return f"{union.name} ({union.code})"


class UnionFilter(django_filters.ModelChoiceFilter):
    @property
    def field(self):
        field = super().field
        field.label_from_instance = union_label
        return field


class SubtreeUnionFilter(UnionFilter):
    """A union and every union below it (``<field_name>__path__startswith``).

    At city scale a select cannot list 15,000 unions: the filter set offers a
    few (``offer_unions``), while any union of the ``queryset`` is accepted, so
    that a link to a deeper union keeps working and stays shown.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class FastSelect(forms.Select):
    """A select rendered in Python rather than through a template per option:
    Django's templates cost some 0.2 ms an option, 30 ms for a filter bar's
    150 unions. Same HTML; option groups fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                option,
                mark_safe(" selected") if str(option) in chosen else "",  # noqa: S308
                label,
            )
            for option, label in choices
        ]
        return format_html(
            "<select{}>{}</select>",
            flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})),
            mark_safe("".join(options)),  # noqa: S308 - each option escaped above
        )


def area_choices(user) -> list[tuple[str, str]]:
    """The sub-districts a user sees, and the district level for a user above
    them: the groups of the dashboard's "who is late" (1 query; cached under the
    latest change of unions, since every list filtered by area reads them)."""
    choices = cached_part(
        "planning:area_choices",
        (scope_part(user), unions_version()),
        lambda: [
            (str(union.pk), union.name)
            for union in Union.objects.filter(scope_filter(user, ""))
            .filter(kind=Union.Kind.SUBDISTRICT)
            .only("pk", "name_zh", "name_en")
            .order_by("code")
        ],
    )
    above = user.union_id is None or user.union.kind in (
        Union.Kind.CITY,
        Union.Kind.DISTRICT,
    )
    return ([(DISTRICT_LEVEL, _("District level"))] if above else []) + choices


class StyledFilterSet(django_filters.FilterSet):
    """Gives the filter widgets Bootstrap's small form classes."""

    # A view that keeps the rendered filter bar in the cache sets this: the
    # options of the long selects (a query each) are then read only when the bar
    # is rendered (``form_to_render``). Filtering never needs them.
    defer_choices = False

    def form_to_render(self):
        form = self.form
        if not getattr(form, "_choices_offered", False):
            self.limit_choices(form)
            form._choices_offered = True
        return form

    @property
    def form(self):
        form = super().form
        if getattr(form, "_styled", False):
            return form
        form._styled = True
        for field in form.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(
                    attrs=field.widget.attrs, choices=field.widget.choices
                )
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        if not self.defer_choices:
            self.limit_choices(form)
            form._choices_offered = True
        return form

    def limit_choices(self, form) -> None:
        """Replaces the options of long selects."""

    def offered_unions(self, name: str, offered) -> list:
        """The unions of ``offered`` and the one chosen in the filter ``name`` (if
        its queryset accepts it), by path: one query."""
        chosen = str(self.data.get(name) or "") if self.data is not None else ""
        if chosen.isdigit() and len(chosen) <= 18:
            offered = offered | self.filters[name].queryset.filter(pk=int(chosen))
        return list(
            offered.only("pk", "parent_id", "name_zh", "name_en", "code").order_by(
                "path"
            )
        )

    @staticmethod
    def offer_unions(form, name: str, unions: list) -> None:
        """Offers ``unions`` in the select ``name`` instead of every union its
        queryset accepts."""
        field = form.fields[name]
        field.widget.choices = [("", field.empty_label)] + [
            (union.pk, union_label(union)) for union in unions
        ]
        # Any union in scope is found by typing its name or code (portal.js).
        field.widget.attrs.update(union_search_attrs())


class ProjectFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"), queryset=WorkPlan.objects.none(), empty_label=_("All plans")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    owner = SubtreeUnionFilter(
        label=_("Owner union"),
        queryset=Union.objects.none(),
        empty_label=_("All unions"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=KeyWorkProject.Status.choices,
        empty_label=_("Any status"),
        method="filter_status",
    )
    # The projects whose owner sits in one sub-district (the sub-district union
    # and the unions directly below it) or at the district level, grouped as the
    # term list and the dashboard's "who is late" group them (?area=7).
    area = django_filters.ChoiceFilter(
        label=_("Sub-district"),
        choices=[],
        method="filter_area",
        empty_label=_("Whole scope"),
    )
    origin = django_filters.ChoiceFilter(
        label=_("Origin"),
        choices=[
            ("handed", _("Handed out")),
            ("self_chosen", _("Self-chosen")),
            ("proposed", _("Self-chosen, awaiting approval")),
            ("returned", _("Self-chosen, returned")),
            ("to_decide", _("Awaiting my approval")),
        ],
        empty_label=_("Any origin"),
        method="filter_origin",
    )
    due_after = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=DATE
    )
    due_before = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte", widget=DATE
    )
    # What the assessment dashboard's key-work bars count (a link names them):
    # the projects of a year's published or closed plans, owned by active
    # sub-district or grassroots unions, started by a day.
    year = django_filters.NumberFilter(
        label=_("Plan year"), method="filter_year", widget=forms.HiddenInput
    )
    level = django_filters.ChoiceFilter(
        label=_("Owner level"),
        choices=[
            ("subdistrict", _("Sub-district unions")),
            ("grassroots", _("Grassroots unions")),
        ],
        method="filter_level",
        widget=forms.HiddenInput,
    )
    started_by = django_filters.DateFilter(
        label=_("Started by"),
        field_name="start_date",
        lookup_expr="lte",
        widget=forms.HiddenInput,
    )
    # What a scorecard's key-work completion counts (its link names them): the
    # projects one union owns itself, in published or closed plans, approved if
    # self-chosen (planning.selectors.assessment_facts).
    assessed = django_filters.NumberFilter(
        label=_("Assessed union"), method="filter_assessed", widget=forms.HiddenInput
    )

    class Meta:
        model = KeyWorkProject
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["plan"].queryset = WorkPlan.objects.visible_to(user)
        self.filters["owner"].queryset = Union.objects.filter(scope_filter(user, ""))
        self.filters["area"].extra["choices"] = area_choices(user)

    def limit_choices(self, form) -> None:
        # The projects of a district or a sub-district and of the unions below it;
        # a grassroots union is found by the search box (its name or exact code).
        unions = self.filters["owner"].queryset.filter(
            Q(kind__in=[Union.Kind.DISTRICT, Union.Kind.SUBDISTRICT])
            | Q(pk=self.user.union_id)
        )
        self.offer_unions(form, "owner", self.offered_unions("owner", unions))
        # Read once here: a ModelChoiceField reads its queryset anew (two queries,
        # a count and a cursor) each time the select is rendered.
        plan = form.fields["plan"]
        plan.widget.choices = [("", plan.empty_label)] + [
            (p.pk, str(p)) for p in self.filters["plan"].queryset.only("pk", "title")
        ]

    def filter_year(self, queryset, name, value):
        if value is None or not 1900 <= value <= 2999:
            return queryset
        return queryset.filter(
            plan__year=int(value), plan__status__in=WorkPlan.COUNTED_STATUSES
        )

    def filter_assessed(self, queryset, name, value):
        if value is None or not 0 < value < 2**63:
            return queryset
        return queryset.counted().filter(
            owner_id=int(value), plan__status__in=WorkPlan.COUNTED_STATUSES
        )

    def filter_level(self, queryset, name, value):
        kinds = (
            [Union.Kind.SUBDISTRICT]
            if value == "subdistrict"
            else list(Union.GRASSROOTS_KINDS)
        )
        return queryset.filter(owner__kind__in=kinds, owner__is_active=True)

    def filter_area(self, queryset, name, value):
        return queryset.filter(
            in_subdistrict(None if value == DISTRICT_LEVEL else int(value), "owner")
        )

    def filter_status(self, queryset, name, value):
        queryset = queryset.filter(status=value)
        if not queryset.query.order_by:
            # The default order (due date, title), named with the status in front
            # so that the database reads the index project_status_due in order: by
            # due date alone it would walk past every older project of another
            # status first (19,000 completed ones before the first delayed one).
            queryset = queryset.order_by("status", *KeyWorkProject._meta.ordering)
        return queryset

    def filter_origin(self, queryset, name, value):
        if value == "handed":
            return queryset.filter(self_chosen=False)
        if value == "self_chosen":
            return queryset.filter(self_chosen=True)
        if value == "to_decide":
            # The reviewer's home page counts these (planning.home).
            awaiting = KeyWorkProject.objects.proposals_awaiting(self.user)
            return queryset.filter(pk__in=awaiting.values("pk"))
        return queryset.filter(self_chosen=True, proposal_status=value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(responsible_person__icontains=value)
            | union_match(value, "owner")
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
    union = SubtreeUnionFilter(
        label=_("Unit"), queryset=Union.objects.none(), empty_label=_("All units")
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": _("Project title or number, unit name or code")}
        ),
    )
    # Links name one project by its id (?project=12); there is no select of every
    # project, which at city scale would list 225,000.
    project = IdFilter(field_name="project_id", widget=forms.HiddenInput)
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGES, empty_label=_("Any age"), method="filter_age"
    )

    class Meta:
        model = ProgressReport
        fields = []

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", "submitted")
        data.setdefault("level", "direct")
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["union"].queryset = Union.objects.filter(scope_filter(user, ""))

    @cached_property
    def units(self) -> list:
        """The unions directly below the reviewer's and the chosen one."""
        user = self.user
        below = Q(parent_id=user.union_id) if user.union_id else Q(depth__lte=1)
        return self.offered_unions("union", Union.objects.filter(below))

    def limit_choices(self, form) -> None:
        self.offer_unions(form, "union", self.units)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value or "submitted")

    def filter_level(self, queryset, name, value):
        user = self.user
        if value == "all" or user.union_id is None:
            return queryset
        # The reviewer's children by id, read with the select's options: the
        # database then starts from their reports (index on the union) instead
        # of walking every report of a status, in order, for a match.
        children = [u.pk for u in self.units if u.parent_id == user.union_id]
        return queryset.filter(union_id__in=children)

    # A title that more projects than this have is searched through the join.
    SEARCH_PROJECTS = 2000

    def search(self, queryset, name, value):
        """A project by its title, its number, or the reporting unit's code.

        The projects and the unit are looked up first (two queries), so that the
        database starts from their reports. Searched through the join, a title
        that no report in the queue has would make it walk every report of the
        status, in order, for a match (seconds among 2.5 million approved
        ones); a title shared by thousands of projects is met soon that way.
        """
        value = value.strip()
        if not value:
            return queryset
        projects = list(
            KeyWorkProject.objects.filter(title__icontains=value)
            .order_by()
            .values_list("pk", flat=True)[: self.SEARCH_PROJECTS + 1]
        )
        if len(projects) > self.SEARCH_PROJECTS:
            match = Q(project__title__icontains=value)
        else:
            match = Q(project_id__in=projects)
        # Units by name (either language) or code, in the reviewer's subtree:
        # looked up first, like the projects, so the queue starts from their
        # reports. "湖光" finds the reports of 湖光纺织厂工会.
        # A number is a project's number, not a piece of a unit's code.
        if not value.isdigit():
            units = list(
                Union.objects.filter(scope_filter(self.user, ""))
                .search(value)
                .order_by()
                .values_list("pk", flat=True)[: self.SEARCH_PROJECTS]
            )
            match |= Q(union_id__in=units)
        if value.isdigit() and len(value) <= 18:
            match |= Q(project_id=int(value))
        return queryset.filter(match)

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
    union = SubtreeUnionFilter(
        label=_("Union"), queryset=Union.objects.none(), empty_label=_("All unions")
    )
    date_after = django_filters.DateFilter(
        label=_("Date from"), field_name="date", lookup_expr="gte", widget=DATE
    )
    date_before = django_filters.DateFilter(
        label=_("Date until"), field_name="date", lookup_expr="lte", widget=DATE
    )
    # One union's own events, not those of the unions below it: what a
    # scorecard's activities and training facts count (its links name them).
    unit = django_filters.NumberFilter(
        label=_("Union itself"), method="filter_unit", widget=forms.HiddenInput
    )

    class Meta:
        model = ActivityEvent
        fields = []

    def __init__(self, *args, user, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["item"].queryset = items
        self.filters["union"].queryset = Union.objects.filter(scope_filter(user, ""))

    def limit_choices(self, form) -> None:
        # The events of a district or a sub-district and of the unions below it
        # (a city has 15,000 unions), or of the user's own union.
        unions = self.filters["union"].queryset.filter(
            Q(kind__in=[Union.Kind.DISTRICT, Union.Kind.SUBDISTRICT])
            | Q(pk=self.user.union_id)
        )
        self.offer_unions(form, "union", self.offered_unions("union", unions))

    def filter_unit(self, queryset, name, value):
        if value is None or not 0 < value < 2**63:
            return queryset
        return queryset.filter(union_id=int(value))
