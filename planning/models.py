import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import rules
from .querysets import (
    ActivityEventQuerySet,
    CampaignQuerySet,
    EvidenceFileQuerySet,
    MilestoneQuerySet,
    PlanItemQuerySet,
    ProgressReportQuerySet,
    ProjectQuerySet,
    WorkPlanQuerySet,
)

POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Category(models.TextChoices):
    """The headings of the district's working conference."""

    POLITICAL = "political", _("Political guidance and theory study")
    REFORM = "reform", _("Reform of the unions")
    PROJECTS = "projects", _("Project-oriented key work")
    CARRIER = "carrier", _("Featured carrier activities")
    SERVICE = "service", _("Inclusive service for staff")
    WORKERS = "workers", _("Industrial workers and model workers")
    TRAINING = "training", _("Cadre training")
    PUBLICITY = "publicity", _("Publicity")
    TERMS = "terms", _("Office-term changes")
    SELF = "self", _("Self-construction")


class Frequency(models.TextChoices):
    MONTHLY = rules.MONTHLY, _("Monthly")
    QUARTERLY = rules.QUARTERLY, _("Quarterly")


class WorkPlan(models.Model):
    """A union's key-work plan for one year: draft, then published to the unions
    below, then closed when the year's work is done."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    owner = models.ForeignKey(
        "unions.Union",
        verbose_name=_("owner union"),
        on_delete=models.PROTECT,
        related_name="work_plans",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    reporting_frequency = models.CharField(
        _("reporting frequency"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("report due (days after the period ends)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A monthly report is due this many days after the month ends."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = WorkPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year"], name="workplan_one_per_owner_year"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:plan_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PlanItem(models.Model):
    """One heading's task in a plan, handed to one or many units as projects."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    target_value = models.DecimalField(
        _("default target"), max_digits=12, decimal_places=2, validators=POSITIVE
    )
    target_unit = models.CharField(_("unit"), max_length=30)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=1, validators=POSITIVE
    )
    due_date = models.DateField(_("due date"))
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "category", "title"], name="planitem_unique_title"
            )
        ]

    def __str__(self):
        return self.title


class KeyWorkProject(models.Model):
    """A plan item run as a project by one owner union (with participants).

    ``status``, ``percent_complete``, ``achieved_value`` and ``completed_on`` are a
    cache of the latest approved report of the owner and of the dates, refreshed by
    ``project_refresh`` through the one rule in ``rules.derive_status``; no form
    lets anyone type them.
    """

    class Status(models.TextChoices):
        NOT_STARTED = rules.NOT_STARTED, _("Not started")
        ON_TRACK = rules.ON_TRACK, _("On track")
        AT_RISK = rules.AT_RISK, _("At risk")
        DELAYED = rules.DELAYED, _("Delayed")
        COMPLETED = rules.COMPLETED, _("Completed")

    plan = models.ForeignKey(
        WorkPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    item = models.ForeignKey(
        PlanItem,
        verbose_name=_("plan item"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    owner = models.ForeignKey(
        "unions.Union",
        verbose_name=_("owner union"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    participants = models.ManyToManyField(
        "unions.Union",
        verbose_name=_("participating unions"),
        related_name="participating_projects",
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    responsible_person = models.CharField(
        _("responsible person"), max_length=100, blank=True
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_projects",
    )
    target_value = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, validators=POSITIVE
    )
    target_unit = models.CharField(_("unit"), max_length=30)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=1, validators=POSITIVE
    )
    start_date = models.DateField(_("start"))
    due_date = models.DateField(_("due date"))
    # --- derived, never typed (see the class docstring) ---
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        editable=False,
    )
    percent_complete = models.DecimalField(
        _("percent complete"),
        max_digits=5,
        decimal_places=1,
        default=0,
        editable=False,
    )
    achieved_value = models.DecimalField(
        _("achieved"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[participants])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("key-work project")
        verbose_name_plural = _("key-work projects")
        ordering = ["due_date", "title", "pk"]
        constraints = [
            # Handing an item out twice must not give a unit a second project.
            models.UniqueConstraint(
                fields=["item", "owner"], name="project_one_per_item_owner"
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("due_date")),
                name="project_start_before_due",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="project_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:project_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_date and self.due_date and self.start_date > self.due_date:
            raise ValidationError(
                {"due_date": _("The due date cannot be before the start.")}
            )

    @property
    def derived_percent(self):
        return rules.derived_percent(self.achieved_value, self.target_value)


class Milestone(models.Model):
    """A dated step of a project; done when ``done_on`` is set."""

    project = models.ForeignKey(
        KeyWorkProject,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_date < timezone.localdate()


class ProgressReport(models.Model):
    """A union's progress on a project for one reporting period.

    ``achieved_value`` is cumulative (achieved so far). ``version`` grows on every
    save so that two people editing the same report cannot overwrite each other.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    project = models.ForeignKey(
        KeyWorkProject,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("reporting union"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    deadline = models.DateField(_("deadline"))
    achieved_value = models.DecimalField(
        _("achieved so far"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    percent_complete = models.DecimalField(
        _("percent complete"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    narrative = models.TextField(_("what was done"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Timeliness counts the first submission, so a report returned for a small
    # fix and sent again after the deadline is not made late by the reviewer.
    first_submitted_at = models.DateTimeField(
        _("first submitted"), null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "union", "period_start"],
                name="report_one_per_project_union_period",
            )
        ]
        indexes = [
            # The review queue and reminders filter by status and deadline.
            models.Index(fields=["status", "deadline"], name="report_status_deadline")
        ]

    def __str__(self):
        return f"{self.project} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("planning:report_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        frequency = (
            rules.QUARTERLY
            if (self.period_end.month - self.period_start.month) >= 2
            else rules.MONTHLY
        )
        return rules.ReportingPeriod(
            self.period_start, self.period_end, self.deadline, frequency
        ).label

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def derived_percent(self):
        return rules.derived_percent(self.achieved_value, self.project.target_value)

    @property
    def is_late(self) -> bool:
        """Submitted after the deadline, or not submitted and the deadline passed."""
        if self.first_submitted_at is not None:
            return timezone.localdate(self.first_submitted_at) > self.deadline
        return timezone.localdate() > self.deadline


def evidence_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never on disk.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class EvidenceFile(models.Model):
    """An uploaded proof for a progress report or an activity event."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
    )
    event = models.ForeignKey(
        "ActivityEvent",
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    kind = models.CharField(_("type"), max_length=30)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(report__isnull=False, event__isnull=True)
                    | models.Q(report__isnull=True, event__isnull=False)
                ),
                name="evidence_belongs_to_one",
            )
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("planning:evidence_download", args=[self.pk])


class Campaign(models.Model):
    """A featured carrier activity, e.g. "four qualities, four promotions and three
    services", with its named items under which unions hold events."""

    owner = models.ForeignKey(
        "unions.Union",
        verbose_name=_("owner union"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title


class CampaignItem(models.Model):
    """A named item of a campaign."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")
        ordering = ["campaign", "order", "pk"]

    def __str__(self):
        return self.title


class ActivityEvent(models.Model):
    """Something a union held: a carrier-activity event, a training session or a
    publicity item, with its evidence."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activity")
        TRAINING = "training", _("Training session")
        PUBLICITY = "publicity", _("Publicity item")

    class MediaLevel(models.TextChoices):
        DISTRICT = "district", _("District")
        CITY = "city", _("City")
        PROVINCE = "province", _("Province")
        NATIONAL = "national", _("National")

    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="activity_events",
    )
    item = models.ForeignKey(
        CampaignItem,
        verbose_name=_("campaign item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.ACTIVITY
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    trainees = models.PositiveIntegerField(_("trainees"), default=0)
    media_level = models.CharField(
        _("media level"), max_length=20, choices=MediaLevel.choices, blank=True
    )
    link = models.URLField(_("link"), blank=True, max_length=500)
    narrative = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["-date", "-pk"]
        indexes = [
            # assessment_facts groups events by union within a date range.
            models.Index(fields=["union", "kind", "date"], name="event_union_kind_date")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:event_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind == self.Kind.PUBLICITY and not self.media_level:
            errors["media_level"] = _("Give the media level of a publicity item.")
        if self.kind == self.Kind.TRAINING and not self.trainees:
            errors["trainees"] = _("Give the number of trainees.")
        if errors:
            raise ValidationError(errors)


class ReportReminder(models.Model):
    """That a unit was reminded of one report slot at one threshold (due soon,
    overdue), so the daily digest names each slot at most once per threshold."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    project = models.ForeignKey(
        KeyWorkProject, on_delete=models.CASCADE, related_name="+"
    )
    union = models.ForeignKey(
        "unions.Union", on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_on = models.DateField()

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "union", "period_start", "kind"],
                name="reminder_once_per_slot_kind",
            )
        ]

    def __str__(self):
        return f"{self.project_id}/{self.union_id}/{self.period_start}/{self.kind}"
