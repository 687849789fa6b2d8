"""Key-work projects: read, and changed by administrators."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unionportal.search import union_match
from unions.models import Union

from ..models import Category, KeyWorkProject, Milestone
from ..services import plans
from ..views.common import unions_below

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
            "self_chosen",
            "proposal_status",
            "proposal_comment",
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
        # What the service saves of a project (plans.PROJECT_FIELDS), and who
        # takes part.
        fields = [*plans.PROJECT_FIELDS, "participants"]

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
    self_chosen = django_filters.BooleanFilter(field_name="self_chosen")
    proposal_status = django_filters.MultipleChoiceFilter(
        choices=[c for c in KeyWorkProject.Proposal.choices if c[0]]
    )

    class Meta:
        model = KeyWorkProject
        fields = [
            "q",
            "plan",
            "category",
            "owner",
            "status",
            "mine",
            "self_chosen",
            "proposal_status",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(responsible_person__icontains=value)
            | union_match(value, "owner")
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
