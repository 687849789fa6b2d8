import datetime
import uuid
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

from unionportal import dates

from .querysets import (
    LOCKED_MESSAGE,
    PUBLISHED_MESSAGE,
    CategoryQuerySet,
    ExemptionQuerySet,
    IndicatorQuerySet,
    PeriodQuerySet,
    QuarterReportQuerySet,
    ReportFileQuerySet,
    ReportRowQuerySet,
    SchemeQuerySet,
    ScoreQuerySet,
)
from .scoring import review_needs_comment

POINTS = {"max_digits": 6, "decimal_places": 2}


class PeriodGuard:
    """The one guard of every row that belongs to a period (docs/design.md §3).

    In the model rather than only in services, so that no path (Django admin,
    import, API, a task) can write into a frozen period. ``period_of_row`` is the
    lookup from a Period to the row's period, e.g. ``{"pk": self.period_id}``;
    ``FROZEN`` the statuses in which the row may not change: a locked period never
    changes again, and a published result stays as published until a reopen.
    """

    FROZEN = ("locked",)

    def period_of_row(self) -> dict | None:
        raise NotImplementedError

    def refuse_if_frozen(self) -> None:
        lookup = self.period_of_row()
        if lookup is None:
            return
        statuses = set(
            Period.objects.filter(**lookup, status__in=self.FROZEN).values_list(
                "status", flat=True
            )
        )
        if "locked" in statuses:
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        if statuses:
            raise ValidationError(PUBLISHED_MESSAGE, code="published")

    def save(self, *args, **kwargs):
        self.refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_frozen()
        return super().delete(*args, **kwargs)


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


class Scheme(BilingualName):
    """A year's assessment rules for one kind of unit, on a 100-point base."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

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
        return self.status != self.Status.ARCHIVED


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

        from .explain import media_label

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


def quarter_dates(year: int, kind: str) -> tuple[datetime.date, datetime.date]:
    if kind == Period.Kind.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    quarter = int(kind[1])
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    next_month = datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_month - datetime.timedelta(days=1)


class Period(PeriodGuard, models.Model):
    """A quarter or the year of a scheme: open → closed → published → locked."""

    class Kind(models.TextChoices):
        Q1 = "q1", _("Q1")
        Q2 = "q2", _("Q2")
        Q3 = "q3", _("Q3")
        Q4 = "q4", _("Q4")
        YEAR = "year", _("Year")

    class Status(models.TextChoices):
        OPEN = "open", _("Open for entry")
        CLOSED = "closed", _("Closed for entry")
        PUBLISHED = "published", _("Published")
        LOCKED = "locked", _("Locked")

    QUARTERS = (Kind.Q1, Kind.Q2, Kind.Q3, Kind.Q4)

    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    kind = models.CharField(_("period"), max_length=4, choices=Kind.choices)
    start = models.DateField(_("start"), validators=[dates.any_date])
    end = models.DateField(_("end"), validators=[dates.any_date])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    # A reopening's reason is kept whole in the history, not cut at 100 characters.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))
    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "kind"],
                name="period_unique_kind_in_scheme",
                violation_error_message=_("This scheme already has this period."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="period_end_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("assessments:period_detail", args=[self.pk])

    def period_of_row(self) -> dict | None:
        return {"pk": self.pk} if self.pk else None

    @property
    def is_year(self) -> bool:
        return self.kind == self.Kind.YEAR

    @property
    def quarter(self) -> int | None:
        return None if self.is_year else int(self.kind[1])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED

    @property
    def label(self) -> str:
        return period_label(self.scheme.year, self.kind)

    @property
    def sort_key(self) -> int:
        """Orders periods in time: quarters by number, the year after Q4."""
        return self.scheme.year * 10 + (self.quarter or 5)


def period_label(year: int, kind: str) -> str:
    """A period as the office writes it: 2026年第三季度, 2025年度 (2026 Q3, 2025 annual)."""
    from django.utils.translation import gettext

    if kind == Period.Kind.YEAR:
        return gettext("%(year)s annual") % {"year": year}
    return gettext("%(year)s %(period)s") % {
        "year": year,
        "period": Period.Kind(kind).label,
    }


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


class QuarterReport(PeriodGuard, models.Model):
    """A snapshot of a period's results, built by a Celery job.

    Dashboards and scorecards read these rows; they never recompute scores. The
    scheme's rules at build time are kept in ``rules`` (with ``scheme_version``) so
    a ranking can be reproduced later even after the scheme changed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class FilesStatus(models.TextChoices):
        NONE = "none", _("Not made")
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    period = models.OneToOneField(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="report",
    )
    scheme_version = models.PositiveIntegerField(_("scheme version"), default=0)
    rules = models.JSONField(_("rules used"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    unit_count = models.PositiveIntegerField(_("units"), default=0)
    # The job that owns a running build; a redelivered job with the same token may
    # take over, any other waits for it to finish.
    run_token = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The .xlsx and .pdf files are made by a second job from the stored rows, after
    # the snapshot is committed; their state is kept apart from the snapshot's. A
    # new snapshot gives the files a new token, so a files job of an older snapshot
    # never stores its files over the new one's.
    files_status = models.CharField(
        _("files"),
        max_length=10,
        choices=FilesStatus.choices,
        default=FilesStatus.NONE,
    )
    files_error = models.TextField(_("files error"), blank=True)
    files_token = models.CharField(max_length=64, blank=True)
    files_requested_at = models.DateTimeField(
        _("files requested"), null=True, blank=True
    )
    files_started_at = models.DateTimeField(_("files started"), null=True, blank=True)
    files_finished_at = models.DateTimeField(_("files finished"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = QuarterReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarter report")
        verbose_name_plural = _("quarter reports")
        ordering = ["-period__start", "period__kind"]

    def __str__(self):
        return str(self.period)

    def get_absolute_url(self):
        return reverse("assessments:report_detail", args=[self.pk])

    def period_of_row(self) -> dict | None:
        return {"pk": self.period_id}

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def files_ready(self) -> bool:
        return self.is_done and self.files_status == self.FilesStatus.DONE

    @property
    def files_busy(self) -> bool:
        return self.is_done and self.files_status in (
            self.FilesStatus.PENDING,
            self.FilesStatus.RUNNING,
        )


class QuarterReportRow(PeriodGuard, models.Model):
    """One unit's line in a report: totals, grade, rank and each indicator's points."""

    report = models.ForeignKey(
        QuarterReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="rows",
    )
    unit = models.ForeignKey(
        "unions.Union",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assessment_rows",
    )
    peer_group = models.CharField(_("peer group"), max_length=40)
    peer_union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("peer group union"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For grassroots unions: the sub-district union they rank within."),
    )
    base = models.DecimalField(_("base"), **POINTS)
    bonus = models.DecimalField(_("bonus"), **POINTS)
    deduction = models.DecimalField(_("deduction"), **POINTS)
    total = models.DecimalField(_("total"), **POINTS)
    veto = models.BooleanField(_("veto"), default=False)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("rank"))
    previous_total = models.DecimalField(
        _("previous total"), **POINTS, null=True, blank=True
    )
    change = models.DecimalField(_("change"), **POINTS, null=True, blank=True)
    previous_rank = models.PositiveIntegerField(_("previous rank"), null=True)
    overdue_months = models.PositiveIntegerField(_("months overdue"), default=0)
    key_work_ratio = models.FloatField(_("key-work completion"), null=True)
    categories = models.JSONField(_("category points"), default=list)
    indicators = models.JSONField(_("indicator points"), default=list)

    objects = ReportRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("report row")
        verbose_name_plural = _("report rows")
        ordering = ["report", "peer_group", "rank", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "unit"], name="report_row_unique_unit"
            )
        ]
        indexes = [
            # The report page and the dashboard read a peer group's rows in rank
            # order, a page at a time, from reports of some 15,000 rows.
            models.Index(
                fields=["report", "peer_group", "rank"], name="report_row_group_rank"
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.unit}"

    def period_of_row(self) -> dict | None:
        return {"report__pk": self.report_id}


def report_file_path(instance, filename: str) -> str:
    return f"assessments/reports/{instance.report_id}/{filename}"


class QuarterReportFile(PeriodGuard, models.Model):
    """A report exported as .xlsx or .pdf in one language, kept in file storage."""

    class Kind(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook")
        PDF = "pdf", _("PDF")

    report = models.ForeignKey(
        QuarterReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), upload_to=report_file_path, max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    objects = ReportFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["report", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "language"], name="report_file_unique"
            )
        ]

    def __str__(self):
        return f"{self.report} · {self.kind} · {self.language}"

    def period_of_row(self) -> dict | None:
        return {"report__pk": self.report_id}
