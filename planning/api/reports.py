"""Progress reports: drafts, submission and review, through planning.services."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from unionportal.api.actions import (
    allowed_actions_field,
    api_names,
    editable_in_context,
    page_editable,
)
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH, IF_MATCH_OPTIONAL
from unionportal.api.exceptions import Conflict
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unionportal.downloads import as_download
from unionportal.uploads import validate_upload

from .. import rules
from ..models import (
    EvidenceFile,
    KeyWorkProject,
    ProgressReport,
)
from ..selectors import open_evidence, shown_version, visible_evidence
from ..services import reports as report_services

# --- progress reports ---------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "GET it (with the same credentials) for the file's bytes; seen by "
            "whoever sees the report."
        )
    )

    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "size", "kind", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, evidence) -> str:
        path = reverse(
            "report-evidence-download",
            kwargs={"pk": evidence.report_id, "evidence_id": evidence.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy(
            "The evidence file (PDF, image, Word, Excel...; checked by its content)."
        )
    )


# The report's actions (ProgressReport.TRANSITIONS) as the API names them: "edit"
# is PUT/PATCH (and evidence/), the others are the endpoints of the same name.
REPORT_ACTIONS = {
    "edit": "update",
    "submit": "submit",
    "approve": "approve",
    "return": "return",
}


class ProgressReportSerializer(serializers.ModelSerializer):
    allowed_actions = allowed_actions_field(
        gettext_lazy(
            "What you may do with the report now: update (PUT/PATCH and "
            "evidence/), submit/ (its union's cadres), approve/, return/ "
            "(reviewers above)."
        )
    )
    project_title = serializers.CharField(source="project.title", read_only=True)
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    period_label = serializers.CharField(read_only=True)
    is_late = serializers.BooleanField(read_only=True)
    derived_percent = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Achieved ÷ target, in percent."),
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "project_title",
            "union",
            "union_code",
            "union_name",
            "period_start",
            "period_end",
            "period_label",
            "deadline",
            "achieved_value",
            "percent_is_manual",
            "percent_complete",
            "derived_percent",
            "decrease_reason",
            "narrative",
            "status",
            "is_late",
            "submitted_at",
            "first_submitted_at",
            "submitted_by",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "version",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, report) -> list[str]:
        can_write = editable_in_context(self, "writable_reports", report, "editable_by")
        can_review = editable_in_context(
            self, "reviewable_reports", report, "reviewable_by"
        )
        actions = report.allowed_actions(can_write=can_write, can_review=can_review)
        return api_names(actions, REPORT_ACTIONS)


class ProgressReportDetailSerializer(ProgressReportSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    can_edit = serializers.SerializerMethodField()
    can_review = serializers.SerializerMethodField()

    class Meta(ProgressReportSerializer.Meta):
        fields = [
            *ProgressReportSerializer.Meta.fields,
            "evidence",
            "can_edit",
            "can_review",
        ]
        read_only_fields = fields

    def get_can_edit(self, report) -> bool:
        user = self.context["request"].user
        return ProgressReport.objects.editable_by(user).filter(pk=report.pk).exists()

    def get_can_review(self, report) -> bool:
        user = self.context["request"].user
        return report_services.can_review(report=report, user=user)


class ProgressFieldsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = [
            "achieved_value",
            "percent_is_manual",
            "percent_complete",
            "decrease_reason",
            "narrative",
        ]
        extra_kwargs = {
            "achieved_value": {
                "help_text": gettext_lazy(
                    "Cumulative: achieved since the project started."
                )
            },
            "percent_complete": {
                "help_text": gettext_lazy(
                    "0–100, read only with percent_is_manual; otherwise it is "
                    "achieved ÷ target, worked out on every save."
                )
            },
        }


class ProgressReportCreateSerializer(ProgressFieldsSerializer):
    project = serializers.PrimaryKeyRelatedField(
        queryset=KeyWorkProject.objects.none(),
        help_text=gettext_lazy("A project your union owns or takes part in."),
    )
    period = serializers.DateField(
        help_text=gettext_lazy(
            "Any day of the reporting period, e.g. its first day (2025-04-01)."
        )
    )

    class Meta(ProgressFieldsSerializer.Meta):
        fields = ["project", "period", *ProgressFieldsSerializer.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["project"].queryset = KeyWorkProject.objects.visible_to(
                request.user
            ).select_related("plan")


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default=""
    )


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=4000, help_text=gettext_lazy("What must be corrected.")
    )


class ProgressReportFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    union = IdFilter(field_name="union_id")
    # A column of the report itself: no join, so no DISTINCT (which would make
    # the database sort every matching report before the first page).
    status = django_filters.MultipleChoiceFilter(
        choices=ProgressReport.Status.choices, distinct=False
    )
    period_after = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte"
    )
    period_before = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte"
    )
    to_review = django_filters.BooleanFilter(
        method="filter_to_review",
        label=gettext_lazy("Only reports you may review"),
    )

    class Meta:
        model = ProgressReport
        fields = ["project", "union", "status", "to_review"]

    def filter_to_review(self, queryset, name, value):
        if value is None:
            return queryset
        mine = ProgressReport.objects.reviewable_by(self.request.user)
        if value:
            # The reviewer's conditions added to the list's own (no list of the
            # reviewable reports' ids, which for a city's reviewer is millions).
            return queryset & mine
        return queryset.exclude(pk__in=mine.values("pk"))


def _reporting_period(project: KeyWorkProject, day):
    """The reporting period of ``project`` that contains ``day``, among those the
    unit may report on today (as the report page offers them)."""
    today = timezone.localdate()
    periods = rules.expected_periods(
        frequency=project.plan.reporting_frequency,
        due_days=project.plan.report_due_days,
        start=project.start_date,
        due=project.due_date,
        completed_on=None,
        until=max(today, project.start_date),
    )
    for period in periods:
        if period.start <= day <= period.end:
            return period
    raise ValidationError(
        {
            "period": [
                _(
                    "This project has no reporting period containing %(day)s: its "
                    "periods run from %(first)s to %(last)s."
                )
                % {
                    "day": day.isoformat(),
                    "first": periods[0].start.isoformat() if periods else "–",
                    "last": periods[-1].end.isoformat() if periods else "–",
                }
            ]
        }
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Progress reports you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One progress report"), parameters=[ETAG_HEADER]
    ),
)
class ProgressReportViewSet(PortalViewSet):
    """Progress reports: a unit's cumulative progress on a project for one period.
    draft → submitted → approved, or returned (with a comment) to be corrected and
    submitted again. Reviewers review the reports of the unions below them."""

    queryset = ProgressReport.objects.all()
    filterset_class = ProgressReportFilter
    ordering_fields = (
        "period_start",
        "deadline",
        "submitted_at",
        "updated_at",
        "status",
    )
    # Newest first, walked in the order of the index report_period_start_desc
    # (period_start DESC, id DESC), so a page never sorts millions of rows.
    ordering = ("-period_start", "-pk")

    def get_serializer_class(self):
        if self.action == "list":
            return ProgressReportSerializer
        return ProgressReportDetailSerializer

    def select(self, queryset):
        queryset = queryset.select_related("project", "union")
        if self.action != "list":
            queryset = queryset.prefetch_related("evidence")
        return queryset

    def list_version(self):
        # The reports, their projects and the unions' names: a city-wide
        # reviewer's first page reads 2.7 million reports through two indexes.
        # and "is_late" turns with the day.
        return (shown_version(), timezone.localdate())

    def page_context(self, rows):
        reports, user = ProgressReport.objects, self.request.user
        return {
            "writable_reports": page_editable(reports.editable_by(user), rows),
            "reviewable_reports": page_editable(reports.reviewable_by(user), rows),
        }

    @extend_schema(
        summary=gettext_lazy("Start a draft report for a project and period"),
        request=ProgressReportCreateSerializer,
        responses={201: ProgressReportDetailSerializer},
    )
    def create(self, request):
        user = request.user
        serializer = ProgressReportCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = data.pop("project")
        if (
            not KeyWorkProject.objects.reportable_by(user)
            .filter(pk=project.pk)
            .exists()
        ):
            raise PermissionDenied
        period = _reporting_period(project, data.pop("period"))
        report = report_services.report_for_period(
            project=project, union_id=user.union_id, period=period
        )
        if report.pk:
            raise Conflict(
                _(
                    "Your union already has report %(id)s for this period; change it "
                    "with PATCH /api/v1/progress-reports/%(id)s/."
                )
                % {"id": report.pk},
                code="report_exists",
            )
        report = report_services.report_save(
            report=report, data=data, version=0, by=user
        )
        return self.detail_response(self.reload(report), status=201)

    @extend_schema(
        summary=gettext_lazy("Change a draft or returned report"),
        request=ProgressFieldsSerializer,
        parameters=[IF_MATCH],
        responses={200: ProgressReportDetailSerializer},
    )
    def update(self, request, pk=None, partial=False):
        report = self.get_object_for("editable_by")
        self.expect_if_match()
        serializer = ProgressFieldsSerializer(
            report, data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        with self.locked(report) as fresh:
            report_services.report_save(
                report=fresh,
                data=serializer.validated_data,
                version=fresh.version,
                by=request.user,
            )
        return self.detail_response(self.reload(report))

    @extend_schema(
        summary=gettext_lazy("Change some fields of a draft or returned report"),
        request=ProgressFieldsSerializer,
        parameters=[IF_MATCH],
        responses={200: ProgressReportDetailSerializer},
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        summary=gettext_lazy("Submit a report for review (saving the fields sent)"),
        request=ProgressFieldsSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: ProgressReportDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object_for("editable_by")
        serializer = ProgressFieldsSerializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with self.locked(report, if_match_required=False) as fresh:
            report_services.report_submit(
                report=fresh,
                data=serializer.validated_data,
                version=fresh.version,
                by=request.user,
            )
        return self.detail_response(self.reload(report))

    @extend_schema(
        summary=gettext_lazy("Approve a submitted report (reviewers)"),
        request=ReviewSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: ProgressReportDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(approve=True, serializer_class=ReviewSerializer)

    @extend_schema(
        summary=gettext_lazy("Return a report with a comment (reviewers)"),
        request=ReturnSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: ProgressReportDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(approve=False, serializer_class=ReturnSerializer)

    def _review(self, *, approve: bool, serializer_class):
        report = self.get_object_for("reviewable_by")
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        with self.locked(report, if_match_required=False) as fresh:
            report_services.report_review(
                report=fresh,
                by=self.request.user,
                approve=approve,
                comment=serializer.validated_data.get("comment", ""),
            )
        return self.detail_response(self.reload(report))

    @extend_schema(
        methods=["GET"],
        summary=gettext_lazy("The report's evidence files, each with its download URL"),
        description=gettext_lazy(
            "Seen by whoever sees the report (404 for anyone else), as on the "
            "report's page."
        ),
        request=None,
        responses={200: EvidenceSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary=gettext_lazy(
            "Attach an evidence file to a draft or returned report (cadres of the "
            "reporting union)"
        ),
        description=gettext_lazy(
            "The same checks as the report page's upload: size and type by "
            "content, only while the report can be changed."
        ),
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
        url_path="evidence",
        url_name="evidence",
    )
    def evidence(self, request, pk=None):
        # GET: the files, to whoever sees the report. POST: the same rule and
        # checks as the report page's upload: size and type by content
        # (unionportal.uploads), only while the report can be changed.
        if request.method == "GET":
            report = self.get_object()
            return Response(
                EvidenceSerializer(
                    report.evidence.all(), many=True, context={"request": request}
                ).data
            )
        report = self.get_object_for("editable_by")
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            validate_upload(upload)
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        report = ProgressReport.objects.select_related("project__plan", "union").get(
            pk=report.pk
        )
        evidence = report_services.evidence_attach(
            file=upload, by=request.user, report=report
        )
        return Response(
            EvidenceSerializer(evidence, context={"request": request}).data,
            status=201,
        )

    @extend_schema(
        summary=gettext_lazy("Download one evidence file of the report"),
        description=gettext_lazy(
            "The file's bytes, under its original name (Content-Disposition). "
            "Seen by whoever sees the report, as on the report's page; 404 for "
            "anyone else."
        ),
        request=None,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description=gettext_lazy("The file")
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        url_path=r"evidence/(?P<evidence_id>[0-9]{1,18})",
        url_name="evidence-download",
    )
    def evidence_download(self, request, pk=None, evidence_id=None):
        report = self.get_object()
        try:
            evidence = visible_evidence(
                request.user, int(evidence_id), report_id=report.pk
            )
            handle = open_evidence(evidence)
        except EvidenceFile.DoesNotExist as exc:
            raise NotFound from exc
        return as_download(
            FileResponse(handle), evidence.original_name, fallback="evidence"
        )
