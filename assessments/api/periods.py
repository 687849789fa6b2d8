"""Schemes (read) and assessment periods: their life and report builds."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from unionportal.api.actions import (
    allowed_actions_field,
    api_names,
    editable_in_context,
    page_editable,
)
from unionportal.api.concurrency import (
    ETAG_HEADER,
    IF_MATCH_OPTIONAL,
    check_if_match,
)
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet

from .. import services
from ..models import (
    Indicator,
    IndicatorCategory,
    Period,
    QuarterReport,
    Scheme,
)
from ..versions import with_versions

# --- schemes ------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "category",
            "code",
            "name",
            "name_zh",
            "name_en",
            "description",
            "kind",
            "method",
            "max_points",
            "order",
        ]
        read_only_fields = fields


class IndicatorCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = IndicatorCategory
        fields = ["id", "name", "name_zh", "name_en", "order"]
        read_only_fields = fields


# The API changes no scheme: of a scheme's actions (Scheme.TRANSITIONS) it takes
# only the opening of a period, POST assessment-periods/ naming the scheme.
SCHEME_ACTIONS = {"open_period": "open-period"}
# The period's actions (Period.TRANSITIONS) as its endpoints are named.
PERIOD_ACTIONS = {
    "close": "close",
    "build_report": "build-report",
    "publish": "publish",
    "lock": "lock",
    "reopen": "reopen",
}


class SchemeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    allowed_actions = allowed_actions_field(
        gettext_lazy(
            "What you may do with the scheme through the API now: open-period "
            "(POST assessment-periods/ with this scheme). Schemes themselves "
            "change on the scheme pages."
        )
    )

    class Meta:
        model = Scheme
        fields = [
            "id",
            "owner",
            "year",
            "name",
            "name_zh",
            "name_en",
            "unit_level",
            "status",
            "bonus_cap",
            "version",
            "annual_rule",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, scheme) -> list[str]:
        user = self.context["request"].user
        editable = editable_in_context(self, "editable_schemes", scheme, "editable_by")
        actions = scheme.allowed_actions(user, editable=editable)
        return api_names(actions, SCHEME_ACTIONS)


class SchemeDetailSerializer(SchemeSerializer):
    categories = IndicatorCategorySerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta(SchemeSerializer.Meta):
        fields = [*SchemeSerializer.Meta.fields, "categories", "indicators"]
        read_only_fields = fields


class SchemeFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    status = django_filters.MultipleChoiceFilter(choices=Scheme.Status.choices)
    unit_level = django_filters.ChoiceFilter(
        choices=Scheme._meta.get_field("unit_level").choices
    )

    class Meta:
        model = Scheme
        fields = ["year", "status", "unit_level"]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Assessment schemes you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One scheme, with its categories and indicators"),
        parameters=[ETAG_HEADER],
    ),
)
class SchemeViewSet(PortalViewSet):
    """Yearly assessment rules for one kind of unit, on a 100-point base; read only
    (schemes are built on the scheme pages)."""

    queryset = Scheme.objects.all()
    filterset_class = SchemeFilter
    ordering_fields = ("year", "unit_level", "status", "updated_at")
    ordering = ("-year", "unit_level")

    def get_serializer_class(self):
        if self.action == "list":
            return SchemeSerializer
        return SchemeDetailSerializer

    def page_context(self, rows):
        editable = Scheme.objects.editable_by(self.request.user)
        return {"editable_schemes": page_editable(editable, rows)}

    def select(self, queryset):
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            Prefetch(
                "categories", queryset=IndicatorCategory.objects.order_by("order", "pk")
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("category__order", "order", "pk"),
            ),
        )


# --- periods ---------------------------------------------------------------------------


class ReportStateSerializer(serializers.ModelSerializer):
    job = serializers.CharField(
        source="run_token",
        read_only=True,
        help_text=gettext_lazy("The id of the latest build job (see report-jobs)."),
    )

    class Meta:
        model = QuarterReport
        fields = [
            "id",
            "job",
            "status",
            "progress",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
            "number",
            "is_published",
        ]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    report = serializers.SerializerMethodField(
        help_text=gettext_lazy("The latest version of the period's report.")
    )
    published_report = serializers.IntegerField(
        source="published_report.pk",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "The published version, which units and leaders read (also after a "
            "reopen, until another version is published)."
        ),
    )
    allowed_actions = allowed_actions_field(
        gettext_lazy(
            "What you may do with the period now, named as its endpoints: close, "
            "build-report, publish, lock, reopen."
        )
    )

    class Meta:
        model = Period
        fields = [
            "id",
            "scheme",
            "kind",
            "label",
            "start",
            "end",
            "status",
            "closed_at",
            "published_at",
            "locked_at",
            "report",
            "published_report",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, period) -> list[str]:
        user = self.context["request"].user
        editable = editable_in_context(self, "editable_periods", period, "editable_by")
        actions = period.allowed_actions(user, editable=editable)
        return api_names(actions, PERIOD_ACTIONS)

    @extend_schema_field(ReportStateSerializer(allow_null=True))
    def get_report(self, period):
        report = getattr(period, "report", None)
        return ReportStateSerializer(report).data if report is not None else None


class PeriodCreateSerializer(serializers.Serializer):
    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.none())
    kind = serializers.ChoiceField(choices=Period.Kind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["scheme"].queryset = Scheme.objects.visible_to(request.user)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        min_length=5,
        max_length=2000,
        help_text=gettext_lazy("Why the period is reopened; kept in its history."),
    )


class JobSerializer(serializers.ModelSerializer):
    """A report build: its status, progress and result."""

    job = serializers.CharField(source="run_token", read_only=True)
    report = serializers.IntegerField(source="pk", read_only=True)
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = QuarterReport
        fields = [
            "job",
            "report",
            "period",
            "status",
            "progress",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
            "status_url",
        ]
        read_only_fields = fields

    def get_status_url(self, report) -> str:
        return reverse("report-job-detail", args=[report.run_token])


class PeriodFilter(django_filters.FilterSet):
    scheme = IdFilter(field_name="scheme_id")
    status = django_filters.MultipleChoiceFilter(choices=Period.Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Period.Kind.choices)
    year = django_filters.NumberFilter(field_name="scheme__year")

    class Meta:
        model = Period
        fields = ["scheme", "status", "kind", "year"]


def _period_action_schema(summary):
    return extend_schema(
        summary=summary,
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: PeriodSerializer},
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Assessment periods you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One period, with the state of its report"),
        parameters=[ETAG_HEADER],
    ),
)
class PeriodViewSet(PortalViewSet):
    """Quarters (and the year) of a scheme: open → closed for entry → published →
    locked. Nothing in a locked period changes, by any path."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ("start", "end", "status", "kind")
    ordering = ("-start", "kind")

    def select(self, queryset):
        return with_versions(queryset.select_related("scheme"))

    def page_context(self, rows):
        editable = Period.objects.editable_by(self.request.user)
        return {"editable_periods": page_editable(editable, rows)}

    @extend_schema(
        summary=gettext_lazy("Open a period of an active scheme (administrators)"),
        request=PeriodCreateSerializer,
        responses={201: PeriodSerializer},
    )
    def create(self, request):
        serializer = PeriodCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        scheme = serializer.validated_data["scheme"]
        if not Scheme.objects.editable_by(request.user).filter(pk=scheme.pk).exists():
            raise PermissionDenied
        period = services.period_create(
            scheme=scheme, kind=serializer.validated_data["kind"], by=request.user
        )
        return self.detail_response(self.reload(period), status=201)

    def _transition(self, service, **extra):
        period = self.get_object_for("editable_by")
        # The service locks the row and refuses a locked period; If-Match is
        # checked in the same transaction.
        with transaction.atomic():
            fresh = Period.objects.select_for_update().get(pk=period.pk)
            check_if_match(self.request, fresh, required=False)
            service(period=fresh, by=self.request.user, **extra)
        return self.detail_response(self.reload(period))

    @_period_action_schema(gettext_lazy("Close a period for entry"))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(services.period_close)

    @_period_action_schema(gettext_lazy("Publish a period's results to the units"))
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(services.period_publish, request=request)

    @_period_action_schema(gettext_lazy("Lock a published period for good"))
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        return self._transition(services.period_lock, request=request)

    @extend_schema(
        summary=gettext_lazy("Reopen a closed or published period"),
        request=ReopenSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: PeriodSerializer},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(
            services.period_reopen,
            reason=serializer.validated_data["reason"],
            request=request,
        )

    @extend_schema(
        summary=gettext_lazy("Build the period's report: answers a job to poll"),
        request=None,
        responses={202: JobSerializer},
    )
    @action(detail=True, methods=["post"], url_path="build-report")
    def build_report(self, request, pk=None):
        period = self.get_object_for("editable_by")
        report = services.report_request(period=period, by=request.user)
        # With no broker the job has run by now (on commit); read what it left.
        report = QuarterReport.objects.get(pk=report.pk)
        return Response(
            JobSerializer(report, context=self.get_serializer_context()).data,
            status=202,
        )
