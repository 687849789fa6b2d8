"""Scores: a unit's points on one manual indicator in one period."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..querysets import (
    ScoreQuerySet,
)
from ..scoring import review_needs_comment
from .periods import Period, PeriodGuard
from .schemes import POINTS, Indicator


def evidence_path(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return (
        f"assessments/evidence/{instance.period_id}/{instance.unit_id}/"
        f"{uuid.uuid4().hex}.{extension}"
    )


class Score(PeriodGuard, models.Model):
    """One unit's points on one manual indicator in one period: self and reviewed."""

    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    unit = models.ForeignKey(
        "unions.Union",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assessment_scores",
    )
    self_score = models.DecimalField(_("self score"), **POINTS, null=True, blank=True)
    self_comment = models.TextField(_("self-assessment comment"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to=evidence_path, blank=True, max_length=255
    )
    evidence_name = models.CharField(_("evidence file"), max_length=255, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("self-scored by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    self_at = models.DateTimeField(_("self-scored"), null=True, blank=True)
    reviewed_score = models.DecimalField(
        _("reviewed score"), **POINTS, null=True, blank=True
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    # The self score as it stood when the reviewer last saved the review: the self
    # score "changed since the review" only when it differs from this value.
    reviewed_self_score = models.DecimalField(
        _("self score at review"), **POINTS, null=True, blank=True
    )
    # Optimistic locking: a form carries the version it was drawn from, and a save
    # whose version is no longer current is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["period", "unit__path", "indicator__order", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator", "unit"],
                name="score_unique_period_indicator_unit",
            )
        ]
        indexes = [models.Index(fields=["period", "unit"], name="score_period_unit")]

    def __str__(self):
        return f"{self.unit} · {self.indicator.code} · {self.period}"

    # A published score stays as published until the period is reopened.
    FROZEN = ("published", "locked")

    def period_of_row(self) -> dict | None:
        return {"pk": self.period_id}

    def clean(self):
        errors = {}
        if self.indicator_id:
            top = self.indicator.score_max
            for field in ("self_score", "reviewed_score"):
                value = getattr(self, field)
                if value is None:
                    continue
                if value < 0 or value > top:
                    errors[field] = _("Enter a score between 0 and %(max)s.") % {
                        "max": _points_text(top)
                    }
                elif self.indicator.is_veto and value not in (0, 1):
                    errors[field] = _("A veto is either hit (1) or not (0).")
        if errors:
            raise ValidationError(errors)

    @property
    def effective_score(self) -> Decimal | None:
        """The reviewed score when there is one, otherwise the self score."""
        if self.reviewed_score is not None:
            return self.reviewed_score
        return self.self_score

    @property
    def difference(self) -> Decimal | None:
        if self.reviewed_score is None or self.self_score is None:
            return None
        return self.reviewed_score - self.self_score

    @property
    def needs_review(self) -> bool:
        """A self score not reviewed yet, or changed since the last review."""
        if self.reviewed_at is None:
            return self.self_score is not None
        return self.self_changed_since_review

    @property
    def self_changed_since_review(self) -> bool:
        """Whether the self score now differs from its value when last reviewed
        (values, not timestamps: saving the same value again changes nothing)."""
        return self.reviewed_at is not None and (
            self.self_score != self.reviewed_self_score
        )

    @property
    def comment_required(self) -> bool:
        """Whether the reviewed score disagrees with the self score (a reason is due)."""
        kind = self.indicator.kind if self.indicator_id else ""
        return review_needs_comment(kind, self.self_score, self.reviewed_score)


def _points_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
