from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal import dates

from .dates import due_cutoff, due_from, whole_months_after
from .querysets import (
    OfficeTermQuerySet,
    PersonQuerySet,
    PositionQuerySet,
    TermChangeQuerySet,
    TermChangeStepQuerySet,
    UnionQuerySet,
)
from .validators import validate_phone, validate_resident_id


class Union(models.Model):
    """A trade union in the tree: city → district → sub-district → grassroots.

    ``path`` is a materialised path of primary keys ("/1/7/42/") so that a subtree,
    which every permission check needs, is one indexed prefix match at any depth.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City general union")
        DISTRICT = "district", _("District general union")
        SUBDISTRICT = "subdistrict", _("Sub-district general union")
        ENTERPRISE = "enterprise", _("Grassroots union (enterprise)")
        COMMUNITY = "community", _("Grassroots union (community)")

    GRASSROOTS_KINDS = (Kind.ENTERPRISE, Kind.COMMUNITY)

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_-]+$",
                _("Use letters, digits, hyphens and underscores only."),
            )
        ],
        help_text=_("A short unique code, e.g. DX-SD01."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher union"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = UnionQuerySet.as_manager()

    class Meta:
        verbose_name = _("union")
        verbose_name_plural = _("unions")
        ordering = ["path"]
        indexes = [
            # path prefix lookups (subtree scope) on PostgreSQL need this opclass.
            models.Index(
                fields=["path"],
                name="union_path_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["kind", "is_active"], name="union_kind_active"),
            # The latest change versions the cached lists (selectors.data_version).
            models.Index(fields=["updated_at"], name="union_updated_at"),
            # The union list's sortable columns (filters.union_sorts); the code is
            # unique, so indexed already.
            models.Index(fields=["name_zh", "id"], name="union_name_zh"),
            models.Index(fields=["name_en", "id"], name="union_name_en"),
            models.Index(fields=["member_count", "id"], name="union_members"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("unions:union_detail", args=[self.pk])

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def is_grassroots(self) -> bool:
        return self.kind in self.GRASSROOTS_KINDS

    @property
    def is_subdistrict(self) -> bool:
        return self.kind == self.Kind.SUBDISTRICT

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Person(models.Model):
    """Someone who holds or held an office in a union.

    Phone and ID numbers are personal data: only administrators see them in full,
    and exports leave them out unless an administrator asks for them.
    """

    union = models.ForeignKey(
        Union,
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    name = models.CharField(_("full name"), max_length=100)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True
    )
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[dates.birth_date]
    )
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        blank=True,
        validators=[validate_resident_id],
        help_text=_("Resident ID number, 18 characters."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name", "pk"]
        constraints = [
            # One person, one record: the same ID number may not be entered twice.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="person_unique_id_number",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("unions:person_detail", args=[self.pk])

    def clean(self):
        from .validators import resident_id_birth_date

        if self.id_number and self.birth_date:
            born = resident_id_birth_date(self.id_number)
            if born is not None and born != self.birth_date:
                raise ValidationError(
                    {
                        "birth_date": _(
                            "The birth date does not match the ID number, which "
                            "gives %(date)s."
                        )
                        % {"date": born.isoformat()}
                    }
                )


class OfficeTerm(models.Model):
    """A union committee's numbered term of office (第N届).

    ``planned_end`` is derived from ``start`` and ``length_years`` by the services and
    stored, so that lists can filter and sort terms by status in SQL; the status
    itself is never stored but computed from the dates at a given day.
    """

    class Status(models.TextChoices):
        CURRENT = "current", _("Current")
        DUE = "due", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        CLOSED = "closed", _("Ended")

    class Length(models.IntegerChoices):
        THREE = 3, _("3 years")
        FIVE = 5, _("5 years")

    union = models.ForeignKey(
        Union, verbose_name=_("union"), on_delete=models.PROTECT, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(
        _("term number"), validators=[MinValueValidator(1)]
    )
    start = models.DateField(_("start"), validators=[dates.past_date])
    length_years = models.PositiveSmallIntegerField(
        _("length"), choices=Length.choices, default=Length.FIVE
    )
    planned_end = models.DateField(_("planned end"), editable=False)
    actual_end = models.DateField(
        _("actual end"), null=True, blank=True, validators=[dates.any_date]
    )
    closed = models.BooleanField(_("term closed"), default=False)
    # Optimistic locking: every save raises it; an edit form carries the version
    # it was drawn from, and a save from a stale form is refused (term_update).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = OfficeTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("office term")
        verbose_name_plural = _("office terms")
        ordering = ["union_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "number"], name="term_unique_number_per_union"
            ),
            # A union has at most one term that is not closed: its current term.
            models.UniqueConstraint(
                fields=["union"],
                condition=models.Q(closed=False),
                name="term_one_open_per_union",
            ),
            models.CheckConstraint(
                condition=models.Q(closed=False, actual_end__isnull=True)
                | models.Q(closed=True, actual_end__isnull=False),
                name="term_closed_has_actual_end",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end__isnull=True)
                | models.Q(actual_end__gte=models.F("start")),
                name="term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(length_years__in=[3, 5]),
                name="term_length_3_or_5",
            ),
        ]
        indexes = [
            # The dashboard and the reminders look at open terms by planned end.
            models.Index(fields=["closed", "planned_end"], name="term_open_end"),
            # The latest change versions the cached lists (selectors.data_version).
            models.Index(fields=["updated_at"], name="term_updated_at"),
            # The term list sorted by start (filters.term_sorts).
            models.Index(fields=["closed", "start"], name="term_open_start"),
        ]

    def __str__(self):
        return _("%(union)s, term %(number)s") % {
            "union": self.union.name,
            "number": self.number,
        }

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("unions:term_detail", args=[self.pk])

    @property
    def label(self) -> str:
        return _("Term %(number)s") % {"number": self.number}

    @property
    def due_from(self):
        return due_from(self.planned_end)

    def status_at(self, at) -> str:
        """The term's status on day ``at``; the same rule as ``with_status``."""
        if self.actual_end is not None and self.actual_end <= at:
            return self.Status.CLOSED
        if self.planned_end < at:
            return self.Status.OVERDUE
        if self.planned_end <= due_cutoff(at):
            return self.Status.DUE
        return self.Status.CURRENT

    @property
    def status(self) -> str:
        annotated = getattr(self, "status_today", None)
        if annotated is not None:
            return annotated
        return self.status_at(timezone.localdate())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def overdue_months(self) -> int:
        return whole_months_after(self.planned_end, timezone.localdate())


class Position(models.Model):
    """An office a person holds in one term of a union."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        COMMITTEE_MEMBER = "committee_member", _("Committee member")
        FUNDS_REVIEW_MEMBER = "funds_review_member", _("Funds-review committee member")
        WOMEN_COMMITTEE_MEMBER = (
            "women_committee_member",
            _("Women workers' committee member"),
        )

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    union = models.ForeignKey(
        Union,
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    term = models.ForeignKey(
        OfficeTerm,
        verbose_name=_("term"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    role = models.CharField(_("office"), max_length=30, choices=Role.choices)
    start = models.DateField(_("from"), validators=[dates.any_date])
    end = models.DateField(
        _("until"), null=True, blank=True, validators=[dates.any_date]
    )
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["term", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["term"],
                condition=models.Q(role="chair", is_current=True),
                name="position_one_current_chair_per_term",
            ),
            models.CheckConstraint(
                condition=models.Q(is_current=False) | models.Q(end__isnull=True),
                name="position_current_has_no_end",
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="position_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"


class TermChange(models.Model):
    """The change of an office term (换届), run as a workflow.

    planned → request submitted to the higher union → approved → election held →
    result approved → completed; any step before completion may be cancelled.
    Every step is a ``TermChangeStep`` with who, when, its date and its documents.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SUBMITTED = "submitted", _("Request submitted")
        APPROVED = "approved", _("Request approved")
        ELECTION_HELD = "election_held", _("Election held")
        RESULT_APPROVED = "result_approved", _("Result approved")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    FINAL_STATES = (State.COMPLETED, State.CANCELLED)

    union = models.ForeignKey(
        Union,
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="term_changes",
    )
    old_term = models.ForeignKey(
        OfficeTerm,
        verbose_name=_("outgoing term"),
        on_delete=models.PROTECT,
        related_name="changes",
        null=True,
        blank=True,
    )
    new_term = models.ForeignKey(
        OfficeTerm,
        verbose_name=_("new term"),
        on_delete=models.PROTECT,
        related_name="opened_by_changes",
        null=True,
        blank=True,
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    planned_election_date = models.DateField(
        _("planned election date"), null=True, blank=True, validators=[dates.any_date]
    )
    new_term_years = models.PositiveSmallIntegerField(
        _("length of the new term"),
        choices=OfficeTerm.Length.choices,
        default=OfficeTerm.Length.FIVE,
    )
    election_date = models.DateField(
        _("election date"), null=True, blank=True, validators=[dates.any_date]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = TermChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change of term")
        verbose_name_plural = _("changes of term")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One change of term at a time per union.
            models.UniqueConstraint(
                fields=["union"],
                condition=~models.Q(state__in=["completed", "cancelled"]),
                name="termchange_one_active_per_union",
            )
        ]
        indexes = [
            # The latest change versions the cached lists (selectors.data_version).
            models.Index(fields=["updated_at"], name="termchange_updated_at"),
            # The list of changes sorted by planned election or by state
            # (views.CHANGE_SORTS).
            models.Index(
                fields=["planned_election_date", "id"], name="termchange_election"
            ),
            models.Index(fields=["state", "updated_at"], name="termchange_state"),
        ]

    def __str__(self):
        return _("Change of term of %(union)s") % {"union": self.union.name}

    def get_absolute_url(self):
        return reverse("unions:change_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state not in self.FINAL_STATES

    def allowed_actions(self, user) -> frozenset[str]:
        """What ``user`` may do with this change now: take its next step (named by
        the state it leads to) and cancel it while it runs. The rule is
        ``unions.workflow`` (who takes which step); the change's page offers these."""
        from .workflow import can_take_step, next_step  # the workflow imports models

        actions = set()
        step = next_step(self)
        if step is not None and can_take_step(user, self.union, step):
            actions.add(step)
        if self.is_active and can_take_step(user, self.union, self.State.CANCELLED):
            actions.add("cancel")
        return frozenset(actions)


class TermChangeStep(models.Model):
    """One step of a change of term: who took it, when, and its documents."""

    change = models.ForeignKey(
        TermChange,
        verbose_name=_("change of term"),
        on_delete=models.PROTECT,
        related_name="steps",
    )
    step = models.CharField(_("step"), max_length=20, choices=TermChange.State.choices)
    date = models.DateField(_("date"), validators=[dates.any_date])
    comment = models.TextField(_("comment"), blank=True)
    document = models.FileField(
        _("document"), upload_to="term-changes/%Y/%m/", blank=True, max_length=255
    )
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = TermChangeStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("step of a change of term")
        verbose_name_plural = _("steps of changes of term")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_step_display()} {self.date}"


class ElectedOfficer(models.Model):
    """An officer elected at a change of term, who takes office on completion."""

    change = models.ForeignKey(
        TermChange,
        verbose_name=_("change of term"),
        on_delete=models.CASCADE,
        related_name="elected",
    )
    name = models.CharField(_("full name"), max_length=100)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True
    )
    role = models.CharField(_("office"), max_length=30, choices=Position.Role.choices)
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("elected officer")
        verbose_name_plural = _("elected officers")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.name} · {self.get_role_display()}"
