"""Unions: the tree (read) and, for administrators, its changes."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionportal.access import ADMIN
from unionportal.api.concurrency import ETAG_HEADER, IF_MATCH, IF_MATCH_OPTIONAL
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet

from .. import services
from ..models import Union

# --- unions ---------------------------------------------------------------------


class UnionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The name in the reader's language.")
    )

    class Meta:
        model = Union
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "kind",
            "parent",
            "path",
            "depth",
            "member_count",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class UnionWriteSerializer(serializers.ModelSerializer):
    """What an administrator sends; activity changes through its own actions."""

    parent = serializers.PrimaryKeyRelatedField(
        queryset=Union.objects.none(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The higher union: one you administer."),
    )

    class Meta:
        model = Union
        fields = ["code", "name_zh", "name_en", "kind", "parent", "member_count"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # As the page's form: an active union that is not a grassroots union.
            self.fields["parent"].queryset = (
                Union.objects.editable_by(request.user)
                .exclude(kind__in=Union.GRASSROOTS_KINDS)
                .filter(is_active=True)
            )
            self.fields["parent"].required = (
                self.instance is None and not _administers_everything(request.user)
            )

    def validate_parent(self, parent):
        user = self.context["request"].user
        keeps_root = self.instance is not None and self.instance.parent_id is None
        if parent is None and not keeps_root and not _administers_everything(user):
            raise ValidationError(
                _("Choose the higher union: one of the unions you administer.")
            )
        return parent


def _administers_everything(user) -> bool:
    return user.is_superuser and user.union_id is None


class UnionTreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Union.Kind.choices)
    member_count = serializers.IntegerField()
    is_active = serializers.BooleanField()


# Declared after the class so that a node can hold nodes: the schema shows the
# recursion as a reference to the same component.
UnionTreeNodeSerializer._declared_fields["children"] = UnionTreeNodeSerializer(
    many=True, read_only=True
)


class UnionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=gettext_lazy("Name or code contains")
    )
    kind = django_filters.MultipleChoiceFilter(choices=Union.Kind.choices)
    parent = IdFilter(field_name="parent_id", label=gettext_lazy("Higher union (id)"))
    is_active = django_filters.BooleanFilter()
    within = IdFilter(
        method="filter_within",
        label=gettext_lazy("This union (id) and every union below it"),
    )

    class Meta:
        model = Union
        fields = ["q", "kind", "parent", "is_active", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)

    def filter_within(self, queryset, name, value):
        root = queryset.filter(pk=value).values_list("path", flat=True).first()
        if root is None:
            return queryset.none()
        return queryset.filter(path__startswith=root)


def _union_tree(unions: list[Union]) -> list[dict]:
    """Nests unions (ordered by path) under their parents; the roots are the
    unions whose parent is not among them (for most users: their own union)."""
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for union in unions:
        node = {
            "id": union.pk,
            "code": union.code,
            "name": union.name,
            "kind": union.kind,
            "member_count": union.member_count,
            "is_active": union.is_active,
            "children": [],
        }
        nodes[union.pk] = node
        parent = nodes.get(union.parent_id)
        (parent["children"] if parent else roots).append(node)
    return roots


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Unions you can see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One union"),
        parameters=[ETAG_HEADER],
    ),
)
class UnionViewSet(PortalViewSet):
    """Unions of the tree below your own union (all of it for a district user)."""

    queryset = Union.objects.all()
    serializer_class = UnionSerializer
    filterset_class = UnionFilter
    ordering_fields = (
        "code",
        "name_zh",
        "name_en",
        "kind",
        "member_count",
        "depth",
        "path",
        "created_at",
        "updated_at",
    )
    ordering = ("path",)

    @extend_schema(
        summary=gettext_lazy("The tree of unions you can see"),
        responses=UnionTreeNodeSerializer(many=True),
        filters=False,
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def tree(self, request):
        unions = self.get_queryset().order_by("path")
        return Response(UnionTreeNodeSerializer(_union_tree(unions), many=True).data)

    @extend_schema(
        summary=gettext_lazy("Create a union (administrators)"),
        request=UnionWriteSerializer,
        responses={201: UnionSerializer},
    )
    def create(self, request):
        self.require_role(ADMIN)
        serializer = UnionWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        union = services.union_create(**serializer.validated_data)
        return self.detail_response(union, status=201)

    @extend_schema(
        summary=gettext_lazy("Change a union (administrators)"),
        request=UnionWriteSerializer,
        parameters=[IF_MATCH],
    )
    def update(self, request, pk=None, partial=False):
        union = self.get_object_for("editable_by")
        self.expect_if_match()
        serializer = UnionWriteSerializer(
            union,
            data=request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        with self.locked(union) as fresh:
            union = services.union_update(union=fresh, **serializer.validated_data)
        return self.detail_response(union)

    @extend_schema(
        summary=gettext_lazy("Change some fields of a union (administrators)"),
        request=UnionWriteSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        summary=gettext_lazy("Deactivate a union (administrators)"),
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: OpenApiResponse(UnionSerializer)},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        union = self.get_object_for("editable_by")
        with self.locked(union, if_match_required=False) as fresh:
            union = services.union_deactivate(union=fresh)
        return self.detail_response(union)

    @extend_schema(
        summary=gettext_lazy("Activate a union again (administrators)"),
        request=None,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: OpenApiResponse(UnionSerializer)},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        union = self.get_object_for("editable_by")
        with self.locked(union, if_match_required=False) as fresh:
            union = services.union_activate(union=fresh)
        return self.detail_response(union)
