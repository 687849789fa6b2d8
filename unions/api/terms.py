"""Office terms (read) and changes of term, a workflow run by unions.workflow."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action

from unionportal.access import ADMIN
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH_OPTIONAL
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unionportal.roles import Role
from unionportal.search import union_match

from .. import workflow
from ..masking import mask_id_number, mask_phone
from ..models import Gender, OfficeTerm, Position, TermChange, TermChangeStep, Union
from ..validators import normalise_resident_id, validate_phone, validate_resident_id

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
        return queryset.filter(union_match(value, "union"))

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


def _change_api_name(action: str) -> str:
    # TermChange.allowed_actions names a step by the state it leads to; the API
    # takes every step through advance/ (with that step, see next_step).
    return "cancel" if action == "cancel" else "advance"


class TermChangeSerializer(serializers.ModelSerializer):
    allowed_actions = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "What you may do with the change now, named as its endpoints: advance "
            "(advance/ with step = next_step) and cancel."
        )
    )
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
            "allowed_actions",
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

    def get_allowed_actions(self, change) -> list[str]:
        # The union is joined; the rule needs no query of its own.
        actions = change.allowed_actions(self.context["request"].user)
        return sorted({_change_api_name(action) for action in actions})

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
        self.require_role(ADMIN, Role.CADRE)
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
