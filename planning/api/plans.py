"""Plans, their items (handed out to units as projects) and the projects."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from unionportal.access import ADMIN
from unionportal.api.actions import (
    allowed_actions_field,
    api_names,
    editable_in_context,
    page_editable,
)
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH, IF_MATCH_OPTIONAL
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unions.models import Union

from ..models import (
    Category,
    PlanItem,
    WorkPlan,
)
from ..services import plans
from ..views.common import unions_below


def _plan_owner(user) -> Union | None:
    # As the plan pages: a user's plans belong to their union; a superuser without
    # a union plans for the district.
    if user.union_id:
        return user.union
    return Union.objects.filter(kind=Union.Kind.DISTRICT).order_by("path").first()


# --- plans and items -------------------------------------------------------------


class PlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanItem
        fields = [
            "id",
            "plan",
            "category",
            "title",
            "description",
            "target_value",
            "target_unit",
            "weight",
            "due_date",
            "order",
        ]
        read_only_fields = fields


class PlanItemWriteSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=WorkPlan.objects.none())

    class Meta:
        model = PlanItem
        fields = [
            "plan",
            "category",
            "title",
            "description",
            "target_value",
            "target_unit",
            "weight",
            "due_date",
        ]
        # The title is unique within a plan and category; the service checks it.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["plan"].queryset = WorkPlan.objects.visible_to(request.user)
        if self.instance is not None:
            self.fields["plan"].read_only = True


# The plan's actions (WorkPlan.TRANSITIONS) as the API names them: "edit" is
# PUT/PATCH on the plan, "hand_out" the plan-items' hand-out/ endpoint.
PLAN_ACTIONS = {
    "edit": "update",
    "hand_out": "hand-out",
    "publish": "publish",
    "close": "close",
}


class WorkPlanSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    allowed_actions = allowed_actions_field(
        gettext_lazy(
            "What you may do with the plan now: update (PUT/PATCH, and add or "
            "change its items), hand-out (its items' hand-out/), publish/, close/."
        )
    )

    class Meta:
        model = WorkPlan
        fields = [
            "id",
            "owner",
            "owner_name",
            "year",
            "title",
            "description",
            "status",
            "reporting_frequency",
            "report_due_days",
            "published_at",
            "closed_at",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, plan) -> list[str]:
        user = self.context["request"].user
        editable = editable_in_context(self, "editable_plans", plan, "editable_by")
        return api_names(plan.allowed_actions(user, editable=editable), PLAN_ACTIONS)


class WorkPlanDetailSerializer(WorkPlanSerializer):
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta(WorkPlanSerializer.Meta):
        fields = [*WorkPlanSerializer.Meta.fields, "items"]
        read_only_fields = fields


class WorkPlanWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkPlan
        fields = [
            "title",
            "year",
            "description",
            "reporting_frequency",
            "report_due_days",
        ]


class WorkPlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    status = django_filters.MultipleChoiceFilter(choices=WorkPlan.Status.choices)
    owner = IdFilter(field_name="owner_id")

    class Meta:
        model = WorkPlan
        fields = ["year", "status", "owner"]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Work plans you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One work plan, with its items"),
        parameters=[ETAG_HEADER],
    ),
)
class WorkPlanViewSet(PortalViewSet):
    """Annual key-work plans: drafts (administrators only), published, closed."""

    queryset = WorkPlan.objects.all()
    filterset_class = WorkPlanFilter
    ordering_fields = ("year", "title", "status", "updated_at")
    ordering = ("-year", "title")

    def get_serializer_class(self):
        if self.action == "list":
            return WorkPlanSerializer
        return WorkPlanDetailSerializer

    def select(self, queryset):
        queryset = queryset.select_related("owner")
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("items", queryset=PlanItem.objects.order_by("order", "pk"))
            )
        return queryset

    def page_context(self, rows):
        editable = WorkPlan.objects.editable_by(self.request.user)
        return {"editable_plans": page_editable(editable, rows)}

    @extend_schema(
        summary=gettext_lazy("Create a draft plan (administrators)"),
        request=WorkPlanWriteSerializer,
        responses={201: WorkPlanDetailSerializer},
    )
    def create(self, request):
        self.require_role(ADMIN)
        serializer = WorkPlanWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        plan = plans.plan_create(
            owner=_plan_owner(request.user), data=serializer.validated_data
        )
        return self.detail_response(self.reload(plan), status=201)

    @extend_schema(
        summary=gettext_lazy("Change a plan (administrators)"),
        request=WorkPlanWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: WorkPlanDetailSerializer},
    )
    def update(self, request, pk=None, partial=False):
        plan = self.get_object_for("editable_by")
        self.expect_if_match()
        serializer = WorkPlanWriteSerializer(
            plan,
            data=request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        with self.locked(plan) as fresh:
            plans.plan_update(plan=fresh, data=serializer.validated_data)
        return self.detail_response(self.reload(plan))

    @extend_schema(
        summary=gettext_lazy("Change some fields of a plan (administrators)"),
        request=WorkPlanWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: WorkPlanDetailSerializer},
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        summary=gettext_lazy("Publish a draft plan to the unions below"),
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: WorkPlanDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        plan = self.get_object_for("editable_by")
        with self.locked(plan, if_match_required=False) as fresh:
            plans.plan_publish(plan=fresh)
        return self.detail_response(self.reload(plan))

    @extend_schema(
        summary=gettext_lazy("Close a published plan"),
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: WorkPlanDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        plan = self.get_object_for("editable_by")
        with self.locked(plan, if_match_required=False) as fresh:
            plans.plan_close(plan=fresh)
        return self.detail_response(self.reload(plan))


class PlanItemFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)

    class Meta:
        model = PlanItem
        fields = ["plan", "category"]


class HandOutSerializer(serializers.Serializer):
    unions = serializers.PrimaryKeyRelatedField(
        queryset=Union.objects.none(),
        many=True,
        allow_empty=False,
        help_text=gettext_lazy("Active unions below the plan's owner."),
    )
    start_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Empty: 1 January of the plan's year."),
    )
    responsible_person = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and plan is not None:
            self.fields["unions"].child_relation.queryset = unions_below(
                request.user, plan.owner
            )


HandOutResultSerializer = inline_serializer(
    name="HandOutResult",
    fields={
        "created": serializers.ListField(
            child=serializers.IntegerField(),
            help_text=gettext_lazy("Ids of the new projects."),
        ),
        "skipped": serializers.IntegerField(
            help_text=gettext_lazy("Unions that already had a project for the item.")
        ),
    },
)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Items of the plans you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One plan item"), parameters=[ETAG_HEADER]
    ),
)
class PlanItemViewSet(PortalViewSet):
    """The items of a plan; each is handed out to units as projects."""

    queryset = PlanItem.objects.all()
    serializer_class = PlanItemSerializer
    filterset_class = PlanItemFilter
    ordering_fields = ("order", "due_date", "title", "category")
    ordering = ("plan", "category", "order")

    @extend_schema(
        summary=gettext_lazy("Add an item to a plan (administrators)"),
        request=PlanItemWriteSerializer,
        responses={201: PlanItemSerializer},
    )
    def create(self, request):
        self.require_role(ADMIN)
        serializer = PlanItemWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        if not WorkPlan.objects.editable_by(request.user).filter(pk=plan.pk).exists():
            raise PermissionDenied
        item = plans.item_save(item=PlanItem(plan=plan), data=data)
        return self.detail_response(item, status=201)

    @extend_schema(
        summary=gettext_lazy("Change a plan item (administrators)"),
        request=PlanItemWriteSerializer,
        parameters=[IF_MATCH],
    )
    def update(self, request, pk=None, partial=False):
        item = self.get_object_for("editable_by")
        self.expect_if_match()
        serializer = PlanItemWriteSerializer(
            item,
            data=request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        with self.locked(item) as fresh:
            item = plans.item_save(item=fresh, data=serializer.validated_data)
        return self.detail_response(item)

    @extend_schema(
        summary=gettext_lazy("Change some fields of a plan item (administrators)"),
        request=PlanItemWriteSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        summary=gettext_lazy("Hand the item out to units: one project each"),
        request=HandOutSerializer,
        responses={200: HandOutResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="hand-out")
    def hand_out(self, request, pk=None):
        item = self.get_object_for("editable_by")
        plan = WorkPlan.objects.select_related("owner").get(pk=item.plan_id)
        serializer = HandOutSerializer(
            data=request.data, plan=plan, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created, skipped = plans.item_hand_out(
            item=item,
            unions=data["unions"],
            start_date=data.get("start_date"),
            responsible_person=data.get("responsible_person", ""),
        )
        return Response({"created": [p.pk for p in created], "skipped": skipped})
