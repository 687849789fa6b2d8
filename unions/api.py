"""The API of the organisation: unions (a tree), office terms and changes of term.

Reads are scoped like the pages; every write calls ``unions.services`` or
``unions.workflow``, which hold the rules.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionportal.access import ADMIN
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH, IF_MATCH_OPTIONAL
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet

from . import services, workflow
from .masking import mask_id_number, mask_phone
from .models import Gender, OfficeTerm, Position, TermChange, TermChangeStep, Union
from .validators import normalise_resident_id, validate_phone, validate_resident_id

# --- unions ---------------------------------------------------------------------


class UnionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The name in the reader's language.")
    )

    class Meta:
        model = Union
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "kind",
            "parent",
            "path",
            "depth",
            "member_count",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class UnionWriteSerializer(serializers.ModelSerializer):
    """What an administrator sends; activity changes through its own actions."""

    parent = serializers.PrimaryKeyRelatedField(
        queryset=Union.objects.none(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The higher union: one you administer."),
    )

    class Meta:
        model = Union
        fields = ["code", "name_zh", "name_en", "kind", "parent", "member_count"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # As the page's form: an active union that is not a grassroots union.
            self.fields["parent"].queryset = (
                Union.objects.editable_by(request.user)
                .exclude(kind__in=Union.GRASSROOTS_KINDS)
                .filter(is_active=True)
            )
            self.fields["parent"].required = (
                self.instance is None and not _administers_everything(request.user)
            )

    def validate_parent(self, parent):
        user = self.context["request"].user
        keeps_root = self.instance is not None and self.instance.parent_id is None
        if parent is None and not keeps_root and not _administers_everything(user):
            raise ValidationError(
                _("Choose the higher union: one of the unions you administer.")
            )
        return parent


def _administers_everything(user) -> bool:
    return user.is_superuser and user.union_id is None


class UnionTreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Union.Kind.choices)
    member_count = serializers.IntegerField()
    is_active = serializers.BooleanField()


# Declared after the class so that a node can hold nodes: the schema shows the
# recursion as a reference to the same component.
UnionTreeNodeSerializer._declared_fields["children"] = UnionTreeNodeSerializer(
    many=True, read_only=True
)


class UnionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=gettext_lazy("Name or code contains")
    )
    kind = django_filters.MultipleChoiceFilter(choices=Union.Kind.choices)
    parent = IdFilter(field_name="parent_id", label=gettext_lazy("Higher union (id)"))
    is_active = django_filters.BooleanFilter()
    within = IdFilter(
        method="filter_within",
        label=gettext_lazy("This union (id) and every union below it"),
    )

    class Meta:
        model = Union
        fields = ["q", "kind", "parent", "is_active", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(code__icontains=value)
        )

    def filter_within(self, queryset, name, value):
        root = queryset.filter(pk=value).values_list("path", flat=True).first()
        if root is None:
            return queryset.none()
        return queryset.filter(path__startswith=root)


def _union_tree(unions: list[Union]) -> list[dict]:
    """Nests unions (ordered by path) under their parents; the roots are the
    unions whose parent is not among them (for most users: their own union)."""
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for union in unions:
        node = {
            "id": union.pk,
            "code": union.code,
            "name": union.name,
            "kind": union.kind,
            "member_count": union.member_count,
            "is_active": union.is_active,
            "children": [],
        }
        nodes[union.pk] = node
        parent = nodes.get(union.parent_id)
        (parent["children"] if parent else roots).append(node)
    return roots


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Unions you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One union"),
        parameters=[ETAG_HEADER],
    ),
)
class UnionViewSet(PortalViewSet):
    """Unions of the tree below your own union (all of it for a district user)."""

    queryset = Union.objects.all()
    serializer_class = UnionSerializer
    filterset_class = UnionFilter
    ordering_fields = (
        "code",
        "name_zh",
        "name_en",
        "kind",
        "member_count",
        "depth",
        "path",
        "created_at",
        "updated_at",
    )
    ordering = ("path",)

    @extend_schema(
        summary=gettext_lazy("The tree of unions you can see"),
        responses=UnionTreeNodeSerializer(many=True),
        filters=False,
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def tree(self, request):
        unions = self.get_queryset().order_by("path")
        return Response(UnionTreeNodeSerializer(_union_tree(unions), many=True).data)

    @extend_schema(
        summary=gettext_lazy("Create a union (administrators)"),
        request=UnionWriteSerializer,
        responses={201: UnionSerializer},
    )
    def create(self, request):
        self.require_role(ADMIN)
        serializer = UnionWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        union = services.union_create(**serializer.validated_data)
        return self.detail_response(union, status=201)

    @extend_schema(
        summary=gettext_lazy("Change a union (administrators)"),
        request=UnionWriteSerializer,
        parameters=[IF_MATCH],
    )
    def update(self, request, pk=None, partial=False):
        union = self.get_object_for("editable_by")
        self.expect_if_match()
        serializer = UnionWriteSerializer(
            union,
            data=request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        with self.locked(union) as fresh:
            union = services.union_update(union=fresh, **serializer.validated_data)
        return self.detail_response(union)

    @extend_schema(
        summary=gettext_lazy("Change some fields of a union (administrators)"),
        request=UnionWriteSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        summary=gettext_lazy("Deactivate a union (administrators)"),
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: OpenApiResponse(UnionSerializer)},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        union = self.get_object_for("editable_by")
        with self.locked(union, if_match_required=False) as fresh:
            union = services.union_deactivate(union=fresh)
        return self.detail_response(union)

    @extend_schema(
        summary=gettext_lazy("Activate a union again (administrators)"),
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: OpenApiResponse(UnionSerializer)},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        union = self.get_object_for("editable_by")
        with self.locked(union, if_match_required=False) as fresh:
            union = services.union_activate(union=fresh)
        return self.detail_response(union)


# --- office terms -------------------------------------------------------------------


class PositionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Position
        fields = ["id", "person", "person_name", "role", "start", "end", "is_current"]
        read_only_fields = fields


class OfficeTermSerializer(serializers.ModelSerializer):
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    status = serializers.ChoiceField(
        choices=OfficeTerm.Status.choices,
        read_only=True,
        help_text=gettext_lazy("Computed from the dates, today."),
    )
    due_from = serializers.DateField(
        read_only=True, help_text=gettext_lazy("The day the term falls due.")
    )
    overdue_months = serializers.SerializerMethodField()

    class Meta:
        model = OfficeTerm
        fields = [
            "id",
            "union",
            "union_code",
            "union_name",
            "number",
            "start",
            "length_years",
            "planned_end",
            "actual_end",
            "closed",
            "status",
            "due_from",
            "overdue_months",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue_months(self, term) -> int:
        if term.closed:
            return 0
        return term.overdue_months


class OfficeTermDetailSerializer(OfficeTermSerializer):
    officers = PositionSerializer(many=True, read_only=True, source="positions")

    class Meta(OfficeTermSerializer.Meta):
        fields = [*OfficeTermSerializer.Meta.fields, "officers"]
        read_only_fields = fields


class OfficeTermFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=gettext_lazy("Union name or code contains")
    )
    union = IdFilter(field_name="union_id")
    status = django_filters.MultipleChoiceFilter(
        choices=OfficeTerm.Status.choices, field_name="status_today"
    )
    closed = django_filters.BooleanFilter()
    area = IdFilter(
        method="filter_area",
        label=gettext_lazy("Terms of this union (id) and the unions below it"),
    )

    class Meta:
        model = OfficeTerm
        fields = ["q", "union", "status", "closed", "area"]

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
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        if root is None:
            return queryset.none()
        return queryset.filter(union__path__startswith=root)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Office terms you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One office term, with its officers"),
        parameters=[ETAG_HEADER],
    ),
)
class OfficeTermViewSet(PortalViewSet):
    """Terms of office (第N届) of the unions you can see; read only. A term
    changes through a change of term (see term-changes)."""

    queryset = OfficeTerm.objects.all()
    serializer_class = OfficeTermSerializer
    filterset_class = OfficeTermFilter
    ordering_fields = ("planned_end", "start", "number", "union__code", "updated_at")
    ordering = ("planned_end",)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OfficeTermDetailSerializer
        return OfficeTermSerializer

    def select(self, queryset):
        queryset = queryset.with_status(timezone.localdate()).select_related("union")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "positions",
                    queryset=Position.objects.select_related("person")
                    .ordered_by_role()
                    .order_by("-is_current", "role_order", "person__name"),
                )
            )
        return queryset


# --- changes of term -----------------------------------------------------------------


class TermChangeStepSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = TermChangeStep
        fields = ["id", "step", "date", "comment", "by", "by_name", "document_name"]
        read_only_fields = fields

    def get_by_name(self, step) -> str:
        return str(step.by) if step.by_id else ""


class ElectedOfficerSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Position.Role.choices, read_only=True)
    gender = serializers.CharField(read_only=True)
    phone = serializers.SerializerMethodField(
        help_text=gettext_lazy("Masked unless you are an administrator.")
    )
    id_number = serializers.SerializerMethodField(
        help_text=gettext_lazy("Masked unless you are an administrator.")
    )

    def _show_personal(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.has_role(ADMIN))

    def get_phone(self, officer) -> str:
        return officer.phone if self._show_personal() else mask_phone(officer.phone)

    def get_id_number(self, officer) -> str:
        if self._show_personal():
            return officer.id_number
        return mask_id_number(officer.id_number)


class TermChangeSerializer(serializers.ModelSerializer):
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    next_step = serializers.SerializerMethodField()
    allowed_steps = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The steps you may take now (the next step and/or cancelling)."
        )
    )

    class Meta:
        model = TermChange
        fields = [
            "id",
            "union",
            "union_code",
            "union_name",
            "state",
            "is_active",
            "next_step",
            "allowed_steps",
            "old_term",
            "new_term",
            "planned_election_date",
            "new_term_years",
            "election_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_next_step(self, change) -> str | None:
        return workflow.next_step(change)

    def get_allowed_steps(self, change) -> list[str]:
        user = self.context["request"].user
        if not change.is_active:
            return []
        candidates = [workflow.next_step(change), TermChange.State.CANCELLED]
        return [
            step
            for step in candidates
            if step and workflow.can_take_step(user, change.union, step)
        ]


class TermChangeDetailSerializer(TermChangeSerializer):
    steps = TermChangeStepSerializer(many=True, read_only=True)
    elected = ElectedOfficerSerializer(many=True, read_only=True)

    class Meta(TermChangeSerializer.Meta):
        fields = [*TermChangeSerializer.Meta.fields, "steps", "elected"]
        read_only_fields = fields


class StepInputSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text=gettext_lazy("The day of the step; today if left out."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_date(self, value):
        return value or timezone.localdate()


class TermChangePlanSerializer(StepInputSerializer):
    union = serializers.PrimaryKeyRelatedField(queryset=Union.objects.none())
    planned_election_date = serializers.DateField(required=False, allow_null=True)
    new_term_years = serializers.ChoiceField(
        choices=OfficeTerm.Length.choices, default=OfficeTerm.Length.FIVE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["union"].queryset = Union.objects.visible_to(request.user)


class OfficerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Position.Role.choices)
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        allow_blank=True,
        default="",
    )
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    id_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )

    def validate_phone(self, value):
        value = value.strip()
        if value:
            validate_phone(value)
        return value

    def validate_id_number(self, value):
        number = normalise_resident_id(value)
        if number:
            validate_resident_id(number)
        return number


# The steps after the first; named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
ADVANCE_STEPS = [(s, TermChange.State(s).label) for s in workflow.PREVIOUS_STEP]


class TermChangeAdvanceSerializer(StepInputSerializer):
    step = serializers.ChoiceField(
        choices=ADVANCE_STEPS,
        help_text=gettext_lazy("The next step of the change (see next_step)."),
    )
    new_term_years = serializers.ChoiceField(
        choices=OfficeTerm.Length.choices, required=False, allow_null=True
    )
    officers = OfficerInputSerializer(
        many=True,
        required=False,
        max_length=60,
        help_text=gettext_lazy("Only for the step election_held: who was elected."),
    )


class TermChangeCancelSerializer(StepInputSerializer):
    comment = serializers.CharField(
        max_length=2000, help_text=gettext_lazy("Why the change is cancelled.")
    )


class TermChangeFilter(django_filters.FilterSet):
    union = IdFilter(field_name="union_id")
    state = django_filters.MultipleChoiceFilter(choices=TermChange.State.choices)
    active = django_filters.BooleanFilter(method="filter_active")

    class Meta:
        model = TermChange
        fields = ["union", "state", "active"]

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.active() if value else queryset.exclude(pk__in=queryset.active())
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Changes of term you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One change of term, with its steps"),
        parameters=[ETAG_HEADER],
    ),
)
class TermChangeViewSet(PortalViewSet):
    """Changes of office term (换届) as a workflow: planned → submitted → approved →
    election_held → result_approved → completed, or cancelled. Each step is an
    action; unions.workflow decides who may take it and in which order."""

    queryset = TermChange.objects.all()
    serializer_class = TermChangeSerializer
    filterset_class = TermChangeFilter
    ordering_fields = ("updated_at", "created_at", "state", "union__code")
    ordering = ("-updated_at",)

    def get_serializer_class(self):
        if self.action == "list":
            return TermChangeSerializer
        return TermChangeDetailSerializer

    def select(self, queryset):
        queryset = queryset.select_related("union")
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "steps",
                    queryset=TermChangeStep.objects.select_related("by").order_by(
                        "created_at", "pk"
                    ),
                ),
                "elected",
            )
        return queryset

    def _ensure_step(self, change_union, step) -> None:
        if not workflow.can_take_step(self.request.user, change_union, step):
            raise PermissionDenied

    @extend_schema(
        summary=gettext_lazy("Plan a change of term (its first step)"),
        request=TermChangePlanSerializer,
        responses={201: TermChangeDetailSerializer},
    )
    def create(self, request):
        self.require_role(ADMIN, "cadre")
        serializer = TermChangePlanSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self._ensure_step(data["union"], TermChange.State.PLANNED)
        change = workflow.term_change_plan(
            union=data["union"],
            by=request.user,
            day=data.get("date") or timezone.localdate(),
            planned_election_date=data.get("planned_election_date"),
            new_term_years=int(data["new_term_years"]),
            comment=data.get("comment", ""),
        )
        return self.detail_response(self.reload(change), status=201)

    @extend_schema(
        summary=gettext_lazy("Take the next step of a change of term"),
        request=TermChangeAdvanceSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: TermChangeDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        change = self.get_object_for("editable_by")
        serializer = TermChangeAdvanceSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self._ensure_step(change.union, data["step"])
        officers = [workflow.Officer(**o) for o in data.get("officers") or []]
        with self.locked(change, if_match_required=False) as fresh:
            workflow.term_change_advance(
                change=fresh,
                step=data["step"],
                by=request.user,
                day=data.get("date") or timezone.localdate(),
                comment=data.get("comment", ""),
                officers=officers or None,
                new_term_years=(
                    int(data["new_term_years"]) if data.get("new_term_years") else None
                ),
            )
        return self.detail_response(self.reload(change))

    @extend_schema(
        summary=gettext_lazy("Cancel a change of term"),
        request=TermChangeCancelSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: TermChangeDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        change = self.get_object_for("editable_by")
        self._ensure_step(change.union, TermChange.State.CANCELLED)
        serializer = TermChangeCancelSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with self.locked(change, if_match_required=False) as fresh:
            workflow.term_change_cancel(
                change=fresh,
                by=request.user,
                day=data.get("date") or timezone.localdate(),
                comment=data["comment"],
            )
        return self.detail_response(self.reload(change))


def register(router) -> None:
    router.register("unions", UnionViewSet, basename="union")
    router.register("terms", OfficeTermViewSet, basename="term")
    router.register("term-changes", TermChangeViewSet, basename="term-change")
