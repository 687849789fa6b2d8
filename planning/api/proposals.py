"""Self-chosen projects (自选项目) through the API: a cadre proposes a project of
their own union; the reviewers of a union above approve or return it. The rules
are those of ``planning.services.proposals``, as on the pages."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from unionportal.api.concurrency import IF_MATCH_OPTIONAL
from unionportal.api.viewsets import PortalGenericViewSet

from ..models import Category, KeyWorkProject, WorkPlan
from ..services import proposals
from .projects import ProjectDetailSerializer, ProjectViewSet


class ProposalSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(
        queryset=WorkPlan.objects.none(),
        help_text=gettext_lazy("A published plan of your union or a union above."),
    )
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    responsible_person = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    target_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    target_unit = serializers.CharField(max_length=30)
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, default=1
    )
    start_date = serializers.DateField()
    due_date = serializers.DateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["plan"].queryset = proposals.proposal_plans(request.user)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default=""
    )


class ReturnProposalSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=5000, help_text=gettext_lazy("What must change.")
    )


class ProjectProposalViewSet(PortalGenericViewSet):
    """Proposing a self-chosen project, and the decision of the union above. The
    proposals themselves are read as projects (``/projects/?self_chosen=true``)."""

    queryset = KeyWorkProject.objects.all()
    serializer_class = ProjectDetailSerializer
    select = ProjectViewSet.select

    @extend_schema(
        summary=gettext_lazy("Propose a project of your own union (cadres)"),
        request=ProposalSerializer,
        responses={201: ProjectDetailSerializer},
    )
    def create(self, request):
        if not proposals.can_propose(request.user):
            raise PermissionDenied
        serializer = ProposalSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        project = proposals.project_propose(
            owner=request.user.union, plan=plan, data=data, by=request.user
        )
        return self.detail_response(self.reload(project), status=201)

    @extend_schema(
        summary=gettext_lazy("Approve a proposed project (reviewers above)"),
        request=DecisionSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: ProjectDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(approve=True, serializer_class=DecisionSerializer)

    @extend_schema(
        summary=gettext_lazy("Return a proposed project with a comment"),
        request=ReturnProposalSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: ProjectDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._decide(approve=False, serializer_class=ReturnProposalSerializer)

    def _decide(self, *, approve: bool, serializer_class):
        project = self.get_object_for("proposals_decidable_by")
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        with self.locked(project, if_match_required=False) as fresh:
            proposals.project_proposal_decide(
                project=fresh,
                by=self.request.user,
                approve=approve,
                comment=serializer.validated_data.get("comment", ""),
            )
        return self.detail_response(self.reload(project))
