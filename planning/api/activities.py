"""Featured carrier activities (read) and the events unions record."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from unionportal.access import ADMIN
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unionportal.roles import Role
from unions.models import Union

from ..models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
)
from ..services import activities
from ..views.common import union_scope

# --- campaigns and activity events ---------------------------------------------------


class CampaignItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignItem
        fields = ["id", "title", "description", "order"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    items = CampaignItemSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "owner", "title", "description", "year", "is_active", "items"]
        read_only_fields = fields


class CampaignFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Campaign
        fields = ["year", "is_active"]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Featured carrier activities")),
    retrieve=extend_schema(
        summary=gettext_lazy("One campaign, with its items"), parameters=[ETAG_HEADER]
    ),
)
class CampaignViewSet(PortalViewSet):
    """Featured carrier activities (特色载体活动) and their items; read only."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ("year", "title")
    ordering = ("-year", "title")

    def select(self, queryset):
        return queryset.prefetch_related(
            Prefetch("items", queryset=CampaignItem.objects.order_by("order", "pk"))
        )


class ActivityEventSerializer(serializers.ModelSerializer):
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    campaign = serializers.IntegerField(
        source="item.campaign_id", read_only=True, allow_null=True
    )

    class Meta:
        model = ActivityEvent
        fields = [
            "id",
            "union",
            "union_code",
            "union_name",
            "kind",
            "item",
            "campaign",
            "date",
            "title",
            "place",
            "participants",
            "trainees",
            "media_level",
            "link",
            "narrative",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _items_for(user):
    return CampaignItem.objects.filter(
        campaign__in=Campaign.objects.visible_to(user).values("pk")
    )


def _recordable_unions(user):
    # As the event pages: cadres record for their own union, administrators for
    # any active union in their scope.
    if user.has_role(ADMIN):
        return union_scope(user).filter(is_active=True)
    return union_scope(user).filter(pk=user.union_id)


class ActivityEventWriteSerializer(serializers.ModelSerializer):
    union = serializers.PrimaryKeyRelatedField(
        queryset=Union.objects.none(),
        help_text=gettext_lazy(
            "Your own union; administrators: any active union in scope."
        ),
    )
    item = serializers.PrimaryKeyRelatedField(
        queryset=CampaignItem.objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = ActivityEvent
        fields = [
            "kind",
            "union",
            "item",
            "date",
            "title",
            "place",
            "participants",
            "trainees",
            "media_level",
            "link",
            "narrative",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["union"].queryset = _recordable_unions(request.user)
            self.fields["item"].queryset = _items_for(request.user).select_related(
                "campaign"
            )


class ActivityEventFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=ActivityEvent.Kind.choices)
    union = IdFilter(field_name="union_id")
    item = IdFilter(field_name="item_id")
    campaign = IdFilter(field_name="item__campaign_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ActivityEvent
        fields = ["kind", "union", "item", "campaign"]


def _can_record(user) -> bool:
    return user.has_role(Role.CADRE, ADMIN) and bool(user.union_id or user.is_superuser)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Activity events you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One activity event"), parameters=[ETAG_HEADER]
    ),
)
class ActivityEventViewSet(PortalViewSet):
    """Events unions held: carrier activities, training sessions (with trainees)
    and publicity items (with their media level)."""

    queryset = ActivityEvent.objects.all()
    serializer_class = ActivityEventSerializer
    filterset_class = ActivityEventFilter
    ordering_fields = ("date", "title", "participants", "trainees", "updated_at")
    ordering = ("-date",)

    def select(self, queryset):
        return queryset.select_related("union", "item")

    @extend_schema(
        summary=gettext_lazy("Record an event"),
        request=ActivityEventWriteSerializer,
        responses={201: ActivityEventSerializer},
    )
    def create(self, request):
        if not _can_record(request.user):
            raise PermissionDenied
        serializer = ActivityEventWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        event = activities.event_save(
            event=ActivityEvent(), data=serializer.validated_data, by=request.user
        )
        return self.detail_response(self.reload(event), status=201)

    @extend_schema(
        summary=gettext_lazy("Change an event"),
        request=ActivityEventWriteSerializer,
        parameters=[IF_MATCH],
    )
    def update(self, request, pk=None, partial=False):
        event = self.get_object_for("editable_by")
        self.expect_if_match()
        serializer = ActivityEventWriteSerializer(
            event,
            data=request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        with self.locked(event) as fresh:
            activities.event_save(
                event=fresh, data=serializer.validated_data, by=request.user
            )
        return self.detail_response(self.reload(event))

    @extend_schema(
        summary=gettext_lazy("Change some fields of an event"),
        request=ActivityEventWriteSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)
