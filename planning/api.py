"""The API of key work: plans and their items, projects, progress reports and their
review, campaigns and activity events.

Reads are scoped by the planning querysets; every write calls a function of
``planning.services``, which holds the rules (plan states, the report workflow,
the version check, the derived project status).
"""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionportal.access import ADMIN
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH, IF_MATCH_OPTIONAL
from unionportal.api.exceptions import Conflict
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unions.models import Union

from . import rules
from .models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    Category,
    EvidenceFile,
    KeyWorkProject,
    Milestone,
    PlanItem,
    ProgressReport,
    WorkPlan,
)
from .services import activities, plans
from .services import reports as report_services
from .views.common import union_scope, unions_below


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


class WorkPlanSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

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
        ]
        read_only_fields = fields


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


# --- projects ---------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "done_on"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    owner_code = serializers.CharField(source="owner.code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = KeyWorkProject
        fields = [
            "id",
            "plan",
            "item",
            "owner",
            "owner_code",
            "owner_name",
            "participants",
            "title",
            "category",
            "responsible_person",
            "responsible_user",
            "target_value",
            "target_unit",
            "weight",
            "start_date",
            "due_date",
            "status",
            "percent_complete",
            "achieved_value",
            "completed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectDetailSerializer(ProjectSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "milestones"]
        read_only_fields = fields


class ProjectWriteSerializer(serializers.ModelSerializer):
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Union.objects.none(),
        many=True,
        required=False,
        help_text=gettext_lazy("Active unions below the plan's owner."),
    )
    responsible_user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("An active user of the owner union."),
    )

    class Meta:
        model = KeyWorkProject
        fields = [
            "title",
            "category",
            "responsible_person",
            "responsible_user",
            "target_value",
            "target_unit",
            "weight",
            "start_date",
            "due_date",
            "participants",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        project = self.instance
        if request is not None and project is not None:
            # The choices of the project page's form.
            self.fields["participants"].child_relation.queryset = (
                unions_below(request.user, project.plan.owner)
                .filter(is_active=True)
                .exclude(pk=project.owner_id)
            )
            self.fields["responsible_user"].queryset = get_user_model().objects.filter(
                union_id=project.owner_id, is_active=True
            )


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=gettext_lazy("Title, person or owner contains")
    )
    plan = IdFilter(field_name="plan_id")
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)
    owner = IdFilter(field_name="owner_id")
    status = django_filters.MultipleChoiceFilter(choices=KeyWorkProject.Status.choices)
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=gettext_lazy("Only projects your union owns or takes part in"),
    )

    class Meta:
        model = KeyWorkProject
        fields = ["q", "plan", "category", "owner", "status", "mine"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(responsible_person__icontains=value)
            | Q(owner__name_zh__icontains=value)
            | Q(owner__name_en__icontains=value)
            | Q(owner__code__iexact=value)
        )

    def filter_mine(self, queryset, name, value):
        union_id = self.request.user.union_id
        if value is None:
            return queryset
        mine = queryset.of_union(union_id).values("pk") if union_id else []
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Key-work projects you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One project, with its milestones"),
        parameters=[ETAG_HEADER],
    ),
)
class ProjectViewSet(PortalViewSet):
    """Key-work projects. Status and progress are derived from the owner's approved
    reports and the dates; nobody types them. Projects are created by handing a
    plan item out (see plan-items)."""

    queryset = KeyWorkProject.objects.all()
    filterset_class = ProjectFilter
    ordering_fields = (
        "due_date",
        "start_date",
        "title",
        "status",
        "percent_complete",
        "weight",
        "owner__code",
        "updated_at",
    )
    ordering = ("due_date", "title")

    def get_serializer_class(self):
        if self.action == "list":
            return ProjectSerializer
        return ProjectDetailSerializer

    def select(self, queryset):
        queryset = queryset.select_related("owner").prefetch_related(
            Prefetch("participants", queryset=Union.objects.only("pk"))
        )
        if self.action != "list":
            queryset = queryset.prefetch_related("milestones")
        return queryset

    @extend_schema(
        summary=gettext_lazy("Change a project (administrators)"),
        request=ProjectWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ProjectDetailSerializer},
    )
    def update(self, request, pk=None, partial=False):
        project = self.get_object_for("editable_by")
        self.expect_if_match()
        project = KeyWorkProject.objects.select_related("plan__owner").get(
            pk=project.pk
        )
        serializer = ProjectWriteSerializer(
            project,
            data=request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        participants = data.pop("participants", None)
        with self.locked(project) as fresh:
            plans.project_update(project=fresh, data=data, participants=participants)
        return self.detail_response(self.reload(project))

    @extend_schema(
        summary=gettext_lazy("Change some fields of a project (administrators)"),
        request=ProjectWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ProjectDetailSerializer},
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)


# --- progress reports ---------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "size", "kind", "uploaded_at"]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    project_title = serializers.CharField(source="project.title", read_only=True)
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    period_label = serializers.CharField(read_only=True)
    is_late = serializers.BooleanField(read_only=True)

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
            "percent_complete",
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
        ]
        read_only_fields = fields


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
        fields = ["achieved_value", "percent_complete", "narrative"]
        extra_kwargs = {
            "achieved_value": {
                "help_text": gettext_lazy(
                    "Cumulative: achieved since the project started."
                )
            },
            "percent_complete": {
                "help_text": gettext_lazy(
                    "0–100; left empty, it is taken from achieved ÷ target on submit."
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
    status = django_filters.MultipleChoiceFilter(choices=ProgressReport.Status.choices)
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
        mine = ProgressReport.objects.reviewable_by(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


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
    ordering = ("-period_start",)

    def get_serializer_class(self):
        if self.action == "list":
            return ProgressReportSerializer
        return ProgressReportDetailSerializer

    def select(self, queryset):
        queryset = queryset.select_related("project", "union")
        if self.action != "list":
            queryset = queryset.prefetch_related("evidence")
        return queryset

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
    return user.has_role("cadre", ADMIN) and bool(user.union_id or user.is_superuser)


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


def register(router) -> None:
    router.register("plans", WorkPlanViewSet, basename="plan")
    router.register("plan-items", PlanItemViewSet, basename="plan-item")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("progress-reports", ProgressReportViewSet, basename="report")
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("activity-events", ActivityEventViewSet, basename="event")
