from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal import dates
from unionportal.workflow import Workflow

from .. import rules
from ..querysets import EvidenceFileQuerySet, ProgressReportQuerySet
from . import choice_label, evidence_path
from .plans import KeyWorkProject

# The longest narrative or comment: a page of text. Longer ones (a 5 MB paste)
# made the report page megabytes heavy.
TEXT_LIMIT = 5000


class ProgressReport(Workflow):
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
    # The workflow in one table: the statuses each action starts from. A reviewer
    # above may overrule (approve a returned report, return an approved one).
    TRANSITIONS = {
        "edit": EDITABLE_STATUSES,
        "submit": EDITABLE_STATUSES,
        "approve": (Status.SUBMITTED, Status.RETURNED),
        "return": (Status.SUBMITTED, Status.APPROVED),
    }
    WRITER_ACTIONS = ("edit", "submit")
    REVIEWER_ACTIONS = ("approve", "return")

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
    period_start = models.DateField(_("period start"), validators=[dates.any_date])
    period_end = models.DateField(_("period end"), validators=[dates.any_date])
    deadline = models.DateField(_("deadline"), validators=[dates.any_date])
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
    # Unticked, the percent is achieved ÷ target, worked out on every save, so the
    # two figures can never contradict each other; ticked, the cadre's estimate
    # stands (a target that is not a count), and the page shows both.
    percent_is_manual = models.BooleanField(
        _("enter the percent by hand"), default=False
    )
    # A cumulative figure below the last approved one (a count corrected down)
    # must say why; the reviewer sees it.
    decrease_reason = models.TextField(
        _("why the figure is lower than last approved"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_LIMIT)],
    )
    narrative = models.TextField(
        _("what was done"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
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
    review_comment = models.TextField(
        _("review comment"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
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
            # Reminders filter by status and deadline.
            models.Index(fields=["status", "deadline"], name="report_status_deadline"),
            # The review queue: a status by submission, the oldest or the newest
            # first, read a page at a time without sorting the status's reports.
            models.Index(
                fields=["status", "submitted_at", "id"], name="report_status_submitted"
            ),
            # Lists newest first (the API's default order): a page is the first
            # rows of this index rather than a sort of 2.7 million reports; the
            # same within one status (?status=submitted).
            models.Index(
                fields=["-period_start", "-id"], name="report_period_start_desc"
            ),
            models.Index(
                fields=["status", "-period_start", "-id"], name="report_status_period"
            ),
            # The review queue sorted by progress (REVIEW_SORTS), within a status,
            # and a union's own reports newest first (the progress home's list).
            models.Index(
                fields=["status", "percent_complete", "id"],
                name="report_status_percent",
            ),
            models.Index(
                fields=["union", "-period_start", "-id"], name="report_union_period"
            ),
            # Key-work completion reads each project's latest approved value as of a
            # quarter's end (assessment_facts): one index-only probe per project.
            models.Index(
                fields=["project", "union", "-period_start"],
                include=["period_end", "achieved_value"],
                condition=models.Q(status="approved", achieved_value__isnull=False),
                name="report_latest_approved",
            ),
            # Reporting timeliness reads the reports whose deadline falls in a
            # quarter, of any status: an index-only range scan.
            models.Index(
                fields=["deadline"],
                include=["union", "project", "period_start", "first_submitted_at"],
                name="report_deadline",
            ),
            # data_version: the latest change is one index read, not a scan of
            # a city's 2.7 million reports on every cached page's request.
            models.Index(fields=["updated_at"], name="report_updated_at"),
        ]

    def __str__(self):
        return f"{self.project} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("planning:report_detail", args=[self.pk])

    def get_status_display(self) -> str:
        # Django's display, from a table per language (see choice_label).
        return choice_label(self.Status, self.status)

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

    def allowed_actions(  # a report has two parts: its writer's and its reviewer's
        self, user=None, *, can_write: bool, can_review: bool
    ) -> frozenset[str]:
        """What someone may do with this report now, given whether they may write
        it (its union's cadre) and review it (a reviewer above): the answers of
        ``planning.services.reports``, passed in so that a page asks once."""
        offered = (self.WRITER_ACTIONS if can_write else ()) + (
            self.REVIEWER_ACTIONS if can_review else ()
        )
        return frozenset(action for action in offered if self.allows(action))

    @property
    def percent_differs(self) -> bool:
        """A hand-entered percent that is not what achieved ÷ target says."""
        derived = self.derived_percent
        return (
            self.percent_is_manual
            and derived is not None
            and self.percent_complete is not None
            and abs(min(derived, Decimal(100)) - self.percent_complete) >= 1
        )

    @property
    def derived_percent(self):
        return rules.derived_percent(self.achieved_value, self.project.target_value)

    @property
    def is_late(self) -> bool:
        """Submitted after the deadline, or not submitted and the deadline passed."""
        if self.first_submitted_at is not None:
            return timezone.localdate(self.first_submitted_at) > self.deadline
        return timezone.localdate() > self.deadline


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

    @property
    def is_pdf(self) -> bool:
        """What unionportal.uploads detected the content to be (its kind's name)."""
        from unionportal.uploads import PDF

        return self.kind == PDF.label


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
