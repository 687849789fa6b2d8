"""Manual scores: self-assessment and review, through assessments.services."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from unionportal.api.concurrency import (
    ETAG_HEADER,
    IF_MATCH,
    check_if_match,
)
from unionportal.api.exceptions import Conflict
from unionportal.api.filters import IdFilter
from unionportal.api.viewsets import PortalViewSet
from unions.models import Union

from .. import services
from ..models import (
    Indicator,
    Period,
    Score,
)
from ..services.common import refuse_if_locked

# --- scores -------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    effective_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, allow_null=True
    )
    self_changed_since_review = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy(
            "The self score differs from its value when the review was saved."
        ),
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
            "reviewed_self_score",
            "self_changed_since_review",
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


def _save(*, period, unit, indicator, version: int, data: dict, by) -> None:
    """Saves one score; the service's errors come back under the API's field names
    (``self_score``, not the scoring page's ``self_score_16``)."""
    try:
        services.scores_save(
            period=period,
            unit=unit,
            entries=[_entry(indicator, version, data)],
            by=by,
        )
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        suffix = f"_{indicator.pk}"
        raise DjangoValidationError(
            {
                (name.removesuffix(suffix) if name.endswith(suffix) else name): errors
                for name, errors in exc.error_dict.items()
            }
        ) from exc


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
        _save(
            period=period,
            unit=unit,
            indicator=indicator,
            version=0,
            data=data,
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
            _save(
                period=period,
                unit=fresh.unit,
                indicator=fresh.indicator,
                version=fresh.version,
                data=serializer.validated_data,
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
