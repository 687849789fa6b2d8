from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal import dates
from unionportal.workflow import Workflow

from .. import rules
from ..querysets import (
    MilestoneQuerySet,
    PlanItemQuerySet,
    ProjectQuerySet,
    WorkPlanQuerySet,
)
from . import POSITIVE, Category, Frequency, choice_label


class WorkPlan(Workflow):
    """A union's key-work plan for one year: draft, then published to the unions
    below, then closed when the year's work is done."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    # The plans whose projects count (shown to the unions, in reports and scores):
    # published, or closed when the year's work is done. Named once, used everywhere.
    COUNTED_STATUSES = (Status.PUBLISHED, Status.CLOSED)

    # The workflow in one table: the statuses each action starts from. The
    # services refuse what it does not allow; the plan page offers what
    # ``allowed_actions`` returns.
    TRANSITIONS = {
        "edit": (Status.DRAFT, Status.PUBLISHED),
        "hand_out": (Status.DRAFT, Status.PUBLISHED),
        "publish": (Status.DRAFT,),
        "close": (Status.PUBLISHED,),
    }

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
        # data_version reads the latest change (planning.selectors.pages).
        indexes = [models.Index(fields=["updated_at"], name="workplan_updated_at")]

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
    due_date = models.DateField(_("due date"), validators=[dates.any_date])
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

    class Proposal(models.TextChoices):
        """A self-chosen project's approval by the union above (blank: handed out)."""

        NONE = "", _("Handed out")
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    # Self-chosen projects the union above has not approved (yet): they do not count.
    UNCOUNTED_PROPOSALS = (Proposal.PROPOSED, Proposal.RETURNED)

    # The proposal states that do not count (yet): no reports, no completion.
    NOT_COUNTED = (Proposal.PROPOSED, Proposal.RETURNED)

    # A handed-out project runs one plan item; a self-chosen one (自选项目) has none.
    item = models.ForeignKey(
        PlanItem,
        verbose_name=_("plan item"),
        on_delete=models.CASCADE,
        related_name="projects",
        null=True,
        blank=True,
    )
    owner = models.ForeignKey(
        "unions.Union",
        verbose_name=_("owner union"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    self_chosen = models.BooleanField(_("self-chosen"), default=False)
    # A project a union handed down from one of its own projects that runs no
    # plan item (an approved self-chosen one): what keeps a second hand-down
    # from giving a unit the same work twice.
    handed_down_from = models.ForeignKey(
        "self",
        verbose_name=_("handed down from"),
        on_delete=models.PROTECT,
        related_name="handed_down",
        null=True,
        blank=True,
        editable=False,
    )
    proposal_status = models.CharField(
        _("proposal"),
        max_length=10,
        choices=Proposal.choices,
        default=Proposal.NONE,
        blank=True,
        editable=False,
    )
    proposal_comment = models.TextField(
        _("reviewer's comment on the proposal"), blank=True, max_length=5000
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposal decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("proposal decided"), null=True, blank=True)
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
    start_date = models.DateField(_("start"), validators=[dates.any_date])
    due_date = models.DateField(_("due date"), validators=[dates.any_date])
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
            # Only a self-chosen project, or one handed down from it, stands
            # without a plan item.
            models.CheckConstraint(
                condition=models.Q(self_chosen=True)
                | models.Q(item__isnull=False)
                | models.Q(handed_down_from__isnull=False),
                name="project_item_unless_self_chosen",
            ),
        ]
        indexes = [
            # The project list's order (Meta.ordering): a page of a city's
            # projects is the first rows of this index, not a sort of them all;
            # the same within one status (?status=delayed).
            models.Index(fields=["due_date", "title", "id"], name="project_due_title"),
            models.Index(
                fields=["status", "due_date", "title", "id"], name="project_status_due"
            ),
            # The list's other sortable columns (PROJECT_SORTS): a page of the
            # list sorted by title or by progress is the first rows of these.
            models.Index(fields=["title", "id"], name="project_title"),
            models.Index(fields=["percent_complete", "id"], name="project_percent"),
            # The proposals waiting for a decision (a reviewer's home page and
            # the list's ?origin=to_decide), in the list's order: a few rows
            # among a city's projects, read without walking the others.
            models.Index(
                fields=["due_date", "title", "id"],
                condition=models.Q(proposal_status="proposed"),
                name="project_proposed_due",
            ),
            # data_version: the latest change is one index read, not a scan of
            # a city's 226,500 projects on every cached page's request.
            models.Index(fields=["updated_at"], name="project_updated_at"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:project_detail", args=[self.pk])

    # Django's displays, from a table per language (see choice_label).
    def get_status_display(self) -> str:
        return choice_label(self.Status, self.status)

    def get_category_display(self) -> str:
        return choice_label(Category, self.category)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_date and self.due_date and self.start_date > self.due_date:
            raise ValidationError(
                {"due_date": _("The due date cannot be before the start.")}
            )

    @property
    def counts(self) -> bool:
        """Whether the project counts (reports, completion): handed out, or a
        self-chosen project the union above approved."""
        return self.proposal_status not in self.NOT_COUNTED

    def get_proposal_status_display(self) -> str:
        return choice_label(self.Proposal, self.proposal_status)

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
    due_date = models.DateField(_("due date"), validators=[dates.any_date])
    done_on = models.DateField(
        _("done on"), null=True, blank=True, validators=[dates.any_date]
    )

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
