"""The API of the assessment: schemes (read), periods and their life, scores (entry
and review while the period allows it), and quarter reports with their rows, built
by a job whose progress can be polled.

Every write calls ``assessments.services``; a locked period refuses every change
there (and in the models), which the API answers with 409 ``locked``.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionportal.api.concurrency import (
    ETAG_HEADER,
    IF_MATCH,
    IF_MATCH_OPTIONAL,
    check_if_match,
)
from unionportal.api.exceptions import Conflict
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalGenericViewSet, PortalViewSet
from unions.models import Union

from . import services
from .models import (
    Indicator,
    IndicatorCategory,
    Period,
    QuarterReport,
    QuarterReportFile,
    QuarterReportRow,
    Scheme,
    Score,
)
from .services.common import refuse_if_locked

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


class SchemeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

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
        ]
        read_only_fields = fields


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
        ]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    report = serializers.SerializerMethodField()

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
        ]
        read_only_fields = fields

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
        return queryset.select_related("scheme", "report")

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


# --- scores -------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    effective_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Score
        fields = [
            "id",
            "period",
            "indicator",
            "indicator_code",
            "unit",
            "unit_code",
            "self_score",
            "self_comment",
            "evidence_name",
            "self_by",
            "self_at",
            "reviewed_score",
            "review_comment",
            "reviewed_by",
            "reviewed_at",
            "effective_score",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


SCORE_PARTS = ("self_score", "self_comment", "reviewed_score", "review_comment")


class ScoreWriteSerializer(serializers.Serializer):
    """The parts of a score to change; a part left out is not touched. Cadres send
    the self-assessment, reviewers above the unit the review."""

    self_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    self_comment = serializers.CharField(
        required=False, allow_blank=True, max_length=4000
    )
    reviewed_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    review_comment = serializers.CharField(
        required=False, allow_blank=True, max_length=4000
    )


class ScoreCreateSerializer(ScoreWriteSerializer):
    period = serializers.PrimaryKeyRelatedField(queryset=Period.objects.none())
    unit = serializers.PrimaryKeyRelatedField(queryset=Union.objects.none())
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request.user
            self.fields["period"].queryset = Period.objects.visible_to(
                user
            ).select_related("scheme__owner")
            self.fields["unit"].queryset = Union.objects.visible_to(user)
            self.fields["indicator"].queryset = Indicator.objects.visible_to(user)

    def validate(self, attrs):
        period, unit = attrs["period"], attrs["unit"]
        if period.is_year:
            raise ValidationError(
                {"period": [_("Scores are entered for a quarter, not for the year.")]}
            )
        if not services.scheme_units(scheme=period.scheme).filter(pk=unit.pk).exists():
            raise ValidationError(
                {"unit": [_("This period's scheme does not assess that union.")]}
            )
        return attrs


class ScoreFilter(django_filters.FilterSet):
    period = IdFilter(field_name="period_id")
    unit = IdFilter(field_name="unit_id")
    indicator = IdFilter(field_name="indicator_id")
    to_review = django_filters.BooleanFilter(
        method="filter_to_review", label=gettext_lazy("Only scores you may review")
    )

    class Meta:
        model = Score
        fields = ["period", "unit", "indicator", "to_review"]

    def filter_to_review(self, queryset, name, value):
        if value is None:
            return queryset
        mine = Score.objects.reviewable_by(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


def _entry(indicator, version: int, data: dict) -> services.ScoreEntry:
    return services.ScoreEntry(
        indicator=indicator,
        version=version,
        **{part: data[part] for part in SCORE_PARTS if part in data},
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Scores you can see")),
    retrieve=extend_schema(summary=gettext_lazy("One score"), parameters=[ETAG_HEADER]),
)
class ScoreViewSet(PortalViewSet):
    """Manual scores: a unit's self-score on an indicator (its cadres, while the
    period is open) and the reviewed score (reviewers above it, until publication).
    A locked period answers 409 with the code ``locked``."""

    queryset = Score.objects.all()
    serializer_class = ScoreSerializer
    filterset_class = ScoreFilter
    ordering_fields = ("updated_at", "unit__code", "indicator__code")
    ordering = ("period", "unit__path", "indicator__order")

    def select(self, queryset):
        return queryset.select_related("indicator", "unit")

    @extend_schema(
        summary=gettext_lazy("Enter a unit's first score on an indicator"),
        request=ScoreCreateSerializer,
        responses={201: ScoreSerializer},
    )
    def create(self, request):
        serializer = ScoreCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period, unit, indicator = data["period"], data["unit"], data["indicator"]
        refuse_if_locked(period)
        existing = Score.objects.filter(
            period=period, unit=unit, indicator=indicator
        ).first()
        if existing is not None:
            raise Conflict(
                _(
                    "This score exists already (%(id)s); change it with PATCH "
                    "/api/v1/scores/%(id)s/."
                )
                % {"id": existing.pk},
                code="score_exists",
            )
        services.scores_save(
            period=period,
            unit=unit,
            entries=[_entry(indicator, 0, data)],
            by=request.user,
        )
        score = Score.objects.get(period=period, unit=unit, indicator=indicator)
        return self.detail_response(self.reload(score), status=201)

    @extend_schema(
        summary=gettext_lazy("Change a self-score or review a score"),
        request=ScoreWriteSerializer,
        parameters=[IF_MATCH],
    )
    def update(self, request, pk=None, partial=False):
        score = self.get_object()
        period = Period.objects.get(pk=score.period_id)
        refuse_if_locked(period)
        self.ensure(score, "editable_by")
        self.expect_if_match()
        serializer = ScoreWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            # The period first, then the score: the order the scoring page locks.
            period = Period.objects.select_for_update().get(pk=score.period_id)
            fresh = (
                Score.objects.select_for_update()
                .select_related("indicator", "unit")
                .get(pk=score.pk)
            )
            check_if_match(request, fresh, required=True)
            services.scores_save(
                period=period,
                unit=fresh.unit,
                entries=[
                    _entry(fresh.indicator, fresh.version, serializer.validated_data)
                ],
                by=request.user,
            )
        return self.detail_response(self.reload(score))

    @extend_schema(
        summary=gettext_lazy("Change some parts of a score"),
        request=ScoreWriteSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)


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


def register(router) -> None:
    router.register("assessment-schemes", SchemeViewSet, basename="scheme")
    router.register("assessment-periods", PeriodViewSet, basename="period")
    router.register("scores", ScoreViewSet, basename="score")
    router.register("quarter-reports", QuarterReportViewSet, basename="quarter-report")
    router.register("report-rows", ReportRowViewSet, basename="report-row")
    router.register("report-jobs", ReportJobViewSet, basename="report-job")
