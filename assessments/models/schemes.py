"""Schemes, their indicator categories, indicators and exemptions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal.workflow import Workflow

from ..querysets import (
    CategoryQuerySet,
    ExemptionQuerySet,
    IndicatorQuerySet,
    SchemeQuerySet,
)

POINTS = {"max_digits": 6, "decimal_places": 2}


class BilingualName(models.Model):
    """A Chinese name that every record has, and an English one for English pages."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


class UnitLevel(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Sub-district general unions")
    GRASSROOTS = "grassroots", _("Grassroots trade unions")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class Scheme(Workflow, BilingualName):
    """A year's assessment rules for one kind of unit, on a 100-point base."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    # The workflow in one table: the statuses each action starts from. The scheme
    # services refuse what it does not allow; the scheme page offers what
    # ``allowed_actions`` returns.
    TRANSITIONS = {
        "edit": (Status.DRAFT, Status.ACTIVE),
        "activate": (Status.DRAFT,),
        "delete": (Status.DRAFT,),
        "draft": (Status.ACTIVE,),
        "archive": (Status.ACTIVE,),
        "open_period": (Status.ACTIVE,),
    }

    class AnnualRule(models.TextChoices):
        MEAN = "mean", _("Mean of the four quarterly totals")
        WEIGHTED = "weighted", _("Weighted mean of the quarterly totals")

    owner = models.ForeignKey(
        "unions.Union",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        help_text=_("The union that runs the assessment (the district union)."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    unit_level = models.CharField(
        _("assessed units"), max_length=20, choices=UnitLevel.choices
    )
    bonus_cap = models.DecimalField(
        _("bonus cap"),
        **POINTS,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The most bonus points a unit can add to its base total."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised whenever the rules of an active scheme change."),
    )
    annual_rule = models.CharField(
        _("annual result"),
        max_length=10,
        choices=AnnualRule.choices,
        default=AnnualRule.MEAN,
    )
    quarter_weights = models.JSONField(
        _("quarter weights"),
        default=list,
        blank=True,
        help_text=_("Weights of Q1–Q4 for a weighted annual result, e.g. 1, 1, 1, 2."),
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "unit_level", "pk"]
        constraints = [
            # Two active schemes for the same units and year would rank them twice.
            models.UniqueConstraint(
                fields=["owner", "year", "unit_level"],
                condition=Q(status="active"),
                name="scheme_one_active_per_level_year",
                violation_error_message=_(
                    "There is already an active scheme for these units and year."
                ),
            )
        ]

    def __str__(self):
        return f"{self.year} · {self.name}"

    def get_absolute_url(self):
        return reverse("assessments:scheme_detail", args=[self.pk])

    def clean(self):
        weights = self.quarter_weights or []
        if self.annual_rule == self.AnnualRule.WEIGHTED:
            if len(weights) != 4 or any(
                not isinstance(w, int | float) or w < 0 for w in weights
            ):
                raise ValidationError(
                    {
                        "quarter_weights": _(
                            "Give four weights, one per quarter, none negative."
                        )
                    }
                )
            if not sum(weights):
                raise ValidationError(
                    {"quarter_weights": _("At least one weight must be above 0.")}
                )

    @property
    def is_editable(self) -> bool:
        return self.allows("edit")


class IndicatorCategory(BilingualName):
    """A group of indicators: one of the conference's three points, for example."""

    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator category")
        verbose_name_plural = _("indicator categories")
        ordering = ["scheme", "order", "pk"]

    def __str__(self):
        return self.name


class Indicator(BilingualName):
    """One thing a unit is scored on, with its points and how they are found."""

    class Kind(models.TextChoices):
        BASE = "base", _("Base (counts toward 100)")
        BONUS = "bonus", _("Bonus")
        DEDUCTION = "deduction", _("Deduction")
        VETO = "veto", _("One-vote veto")

    class Method(models.TextChoices):
        MANUAL = "manual", _("Manual: self-score, then review")
        KEY_WORK = "key_work", _("Automatic: key-work completion")
        TIMELINESS = "timeliness", _("Automatic: reporting timeliness")
        ACTIVITIES = "activities", _("Automatic: carrier activities held")
        TRAINING = "training", _("Automatic: cadre training")
        TERMS = "terms", _("Automatic: office terms on time")
        PUBLICITY = "publicity", _("Automatic: publicity by media level")

    # Which kinds each automatic method may have (docs/design.md §4).
    METHOD_KINDS = {
        Method.KEY_WORK: (Kind.BASE, Kind.BONUS),
        Method.TIMELINESS: (Kind.BASE, Kind.BONUS),
        Method.ACTIVITIES: (Kind.BASE, Kind.BONUS),
        Method.TRAINING: (Kind.BASE, Kind.BONUS),
        Method.TERMS: (Kind.BASE, Kind.DEDUCTION),
        Method.PUBLICITY: (Kind.BONUS, Kind.BASE),
    }
    MEDIA_LEVELS = ("district", "city", "province", "national")

    class TermScope(models.TextChoices):
        OWN = "own", _("The assessed union's own term")
        BELOW = "below", _("The terms of the units below it")

    class TermCount(models.TextChoices):
        MONTH = "month", _("Points per overdue month")
        UNIT = "unit", _("Points per overdue unit")

    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    category = models.ForeignKey(
        IndicatorCategory,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("A short reference, e.g. A1.")
    )
    description = models.TextField(_("how it is scored"), blank=True)
    max_points = models.DecimalField(
        _("max points"),
        **POINTS,
        validators=[MinValueValidator(Decimal("0"))],
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.BASE
    )
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.MANUAL
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The office-terms rule (docs/design.md §4): whose terms it reads, and what
    # each deduction counts; capped at the indicator's max points.
    term_scope = models.CharField(
        _("terms counted"),
        max_length=10,
        choices=TermScope.choices,
        default=TermScope.OWN,
    )
    term_count = models.CharField(
        _("deduction counted"),
        max_length=10,
        choices=TermCount.choices,
        default=TermCount.MONTH,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "category__order", "category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="indicator_code_unique_in_scheme",
                violation_error_message=_(
                    "Another indicator of this scheme has this code."
                ),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if (
            self.category_id
            and self.scheme_id
            and self.category.scheme_id != self.scheme_id
        ):
            errors["category"] = _("The category belongs to another scheme.")
        if self.kind == self.Kind.VETO:
            if self.method != self.Method.MANUAL:
                errors["method"] = _("A one-vote veto is always decided by hand.")
        elif self.method != self.Method.MANUAL:
            allowed = self.METHOD_KINDS.get(self.method, ())
            if self.kind not in allowed:
                errors["kind"] = _(
                    "This automatic rule can only be a %(kinds)s indicator."
                ) % {"kinds": " / ".join(str(self.Kind(k).label) for k in allowed)}
        if self.kind != self.Kind.VETO and (self.max_points or 0) <= 0:
            errors["max_points"] = _("Give the indicator more than 0 points.")
        errors.update(self._param_errors())
        if errors:
            raise ValidationError(errors)

    def _param_errors(self) -> dict:
        params = self.params or {}
        if self.method in (self.Method.ACTIVITIES, self.Method.TRAINING):
            target = params.get("target")
            if not isinstance(target, int) or target <= 0:
                return {"params": _("Give a target above 0.")}
        if self.method == self.Method.TERMS:
            try:
                per_month = Decimal(str(params.get("per_month")))
            except (ArithmeticError, ValueError):
                per_month = Decimal("-1")
            if not per_month.is_finite() or per_month <= 0:
                return {"params": _("Give the points deducted per overdue month.")}
            if (
                self.term_scope == self.TermScope.OWN
                and self.term_count == self.TermCount.UNIT
            ):
                return {
                    "term_count": _(
                        "Points per overdue unit count the units below: choose "
                        "their terms, or points per overdue month."
                    )
                }
        elif (self.term_scope, self.term_count) != (
            self.TermScope.OWN,
            self.TermCount.MONTH,
        ):
            return {
                "term_scope": _(
                    "Only the office-terms rule counts the terms of the units below."
                )
            }
        if self.method == self.Method.PUBLICITY:
            points = params.get("points")
            if not isinstance(points, dict) or not points:
                return {"params": _("Give the points for each media level.")}
            for level, value in points.items():
                if level not in self.MEDIA_LEVELS:
                    return {"params": _("Unknown media level.")}
                if not isinstance(value, int | float | str):
                    return {"params": _("Points must be numbers.")}
                try:
                    number = Decimal(str(value))
                except ArithmeticError:
                    return {"params": _("Points must be numbers.")}
                if not number.is_finite() or number < 0:
                    return {"params": _("Points must be numbers.")}
        return {}

    @property
    def is_manual(self) -> bool:
        return self.method == self.Method.MANUAL

    @property
    def params_display(self) -> str:
        """The automatic rule's settings in words, for the scheme page."""
        from django.utils.translation import gettext

        from ..explain import media_label

        params = self.params or {}
        if self.method in (self.Method.ACTIVITIES, self.Method.TRAINING):
            return gettext("Target: %(target)s") % {"target": params.get("target", "–")}
        if self.method == self.Method.TERMS:
            return gettext("%(points)s points per overdue month") % {
                "points": params.get("per_month", "–")
            }
        if self.method == self.Method.PUBLICITY:
            return " · ".join(
                f"{media_label(level)} {value}"
                for level, value in (params.get("points") or {}).items()
            )
        return ""

    @property
    def is_veto(self) -> bool:
        return self.kind == self.Kind.VETO

    @property
    def score_max(self) -> Decimal:
        """The largest score that can be entered: a veto is entered as 0 or 1."""
        return Decimal("1") if self.is_veto else self.max_points


class IndicatorExemption(models.Model):
    """An indicator marked not applicable to one unit, with the reason."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="exemptions",
    )
    unit = models.ForeignKey(
        "unions.Union",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="assessment_exemptions",
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("marked"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("not-applicable indicator")
        verbose_name_plural = _("not-applicable indicators")
        ordering = ["indicator", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit"],
                name="exemption_unique_indicator_unit",
                violation_error_message=_(
                    "This indicator is already marked not applicable to this unit."
                ),
            )
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.unit}"
