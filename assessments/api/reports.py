"""Quarter reports, their rows, and the jobs that build them (read only)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.response import Response

from unionportal.api.concurrency import (
    ETAG_HEADER,
)
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalGenericViewSet, PortalViewSet

from ..models import (
    QuarterReport,
    QuarterReportFile,
    QuarterReportRow,
)
from .periods import JobSerializer

# --- quarter reports --------------------------------------------------------------------


class ReportFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = QuarterReportFile
        fields = ["kind", "language", "size", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, record) -> str:
        return (
            reverse("assessments:report_download", args=[record.report_id, record.kind])
            + f"?lang={record.language}"
        )


class QuarterReportSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)
    scheme = serializers.IntegerField(source="period.scheme_id", read_only=True)

    class Meta:
        model = QuarterReport
        fields = [
            "id",
            "period",
            "period_label",
            "scheme",
            "status",
            "progress",
            "error",
            "unit_count",
            "number",
            "is_current",
            "is_published",
            "published_at",
            "scheme_version",
            "requested_at",
            "started_at",
            "finished_at",
            "built_by",
        ]
        read_only_fields = fields


class QuarterReportDetailSerializer(QuarterReportSerializer):
    files = ReportFileSerializer(many=True, read_only=True)
    summary = serializers.JSONField(read_only=True)

    class Meta(QuarterReportSerializer.Meta):
        fields = [*QuarterReportSerializer.Meta.fields, "summary", "files"]
        read_only_fields = fields


class ReportRowSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    categories = serializers.JSONField(read_only=True)
    indicators = serializers.JSONField(read_only=True)

    class Meta:
        model = QuarterReportRow
        fields = [
            "id",
            "unit",
            "unit_code",
            "unit_name",
            "peer_group",
            "peer_union",
            "base",
            "bonus",
            "deduction",
            "total",
            "veto",
            "grade",
            "rank",
            "previous_total",
            "change",
            "previous_rank",
            "overdue_months",
            "key_work_ratio",
            "categories",
            "indicators",
        ]
        read_only_fields = fields


class ReportRowFilter(django_filters.FilterSet):
    report = IdFilter(field_name="report_id")
    grade = django_filters.MultipleChoiceFilter(
        choices=QuarterReportRow._meta.get_field("grade").choices
    )
    peer_union = IdFilter(field_name="peer_union_id")
    unit = IdFilter(field_name="unit_id")

    class Meta:
        model = QuarterReportRow
        fields = ["report", "grade", "peer_union", "unit"]


class QuarterReportFilter(django_filters.FilterSet):
    period = IdFilter(field_name="period_id")
    scheme = IdFilter(field_name="period__scheme_id")
    status = django_filters.MultipleChoiceFilter(choices=QuarterReport.Status.choices)

    class Meta:
        model = QuarterReport
        fields = ["period", "scheme", "status"]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Quarter reports you can read")),
    retrieve=extend_schema(
        summary=gettext_lazy("One quarter report: summary and files"),
        parameters=[ETAG_HEADER],
    ),
)
class QuarterReportViewSet(PortalViewSet):
    """Snapshots of a period's results (every unit's points, total, grade, rank and
    change), for district leaders, administrators and reviewers. Built by a job:
    see assessment-periods/{id}/build-report/ and report-jobs."""

    queryset = QuarterReport.objects.all()
    filterset_class = QuarterReportFilter
    ordering_fields = ("finished_at", "requested_at", "period__start")
    ordering = ("-period__start", "period__kind")

    def get_serializer_class(self):
        if self.action == "list":
            return QuarterReportSerializer
        return QuarterReportDetailSerializer

    def select(self, queryset):
        queryset = queryset.select_related("period__scheme")
        if self.action == "list":
            return queryset.defer("rules", "summary")
        return queryset.prefetch_related("files")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Rows of the quarter reports you can read")
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One unit's row of a report"), parameters=[ETAG_HEADER]
    ),
)
class ReportRowViewSet(PortalViewSet):
    """One row per unit of a quarter report: its points by indicator and category,
    total, grade, rank in its peer group and change since the last quarter. Read
    with the report (``?report=<id>``)."""

    queryset = QuarterReportRow.objects.all()
    serializer_class = ReportRowSerializer
    filterset_class = ReportRowFilter
    ordering_fields = ("rank", "total", "change", "unit__code")
    ordering = ("report", "peer_group", "rank", "unit__path")

    def scope(self, queryset):
        # A row is read with its report: whoever may read the report reads all of
        # its rows, as on the report page.
        reports = QuarterReport.objects.visible_to(self.request.user).values("pk")
        return self.select(queryset.filter(report__in=reports))

    def select(self, queryset):
        return queryset.select_related("unit")


@extend_schema_view(
    retrieve=extend_schema(
        summary=gettext_lazy("The status of a report build job"),
        parameters=[
            OpenApiParameter(
                "job",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=gettext_lazy("The job id answered by build-report."),
            )
        ],
    )
)
class ReportJobViewSet(PortalGenericViewSet):
    """Report build jobs: poll one until its status is ``done`` or ``failed``."""

    queryset = QuarterReport.objects.all()
    serializer_class = JobSerializer
    lookup_field = "run_token"
    lookup_url_kwarg = "job"
    filter_backends = []

    def select(self, queryset):
        return queryset.defer("rules", "summary")

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        return Response(
            JobSerializer(report, context=self.get_serializer_context()).data
        )
