"""Periods of a scheme and the guard of every row that belongs to one."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal import dates
from unionportal.workflow import Workflow

from ..querysets import (
    LOCKED_MESSAGE,
    PUBLISHED_MESSAGE,
    PeriodQuerySet,
)
from .schemes import Scheme


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


def quarter_dates(year: int, kind: str) -> tuple[datetime.date, datetime.date]:
    if kind == Period.Kind.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    quarter = int(kind[1])
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    next_month = datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_month - datetime.timedelta(days=1)


class Period(PeriodGuard, Workflow):
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
    # The workflow in one table: the statuses each action starts from. The
    # services refuse an action its period's status does not allow; the pages and
    # the API offer what ``allowed_actions`` returns. Nothing else repeats it.
    TRANSITIONS = {
        "close": (Status.OPEN,),
        "build_report": (Status.CLOSED,),
        "publish": (Status.CLOSED,),
        "lock": (Status.PUBLISHED,),
        "reopen": (Status.CLOSED, Status.PUBLISHED),
    }

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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.status in (self.Status.PUBLISHED, self.Status.LOCKED):
            self.pin_published_report()

    def get_absolute_url(self):
        return reverse("assessments:period_detail", args=[self.pk])

    def pin_published_report(self) -> None:
        """A published period always has a published (pinned) version: the latest
        finished one, unless one is pinned already (1 query). ``period_publish``
        pins the version it publishes itself; this keeps the rule on every other
        path that publishes (the Django admin, a fixture)."""
        from .reports import QuarterReport

        pin_if_published(QuarterReport.objects.filter(period_id=self.pk))

    def period_of_row(self) -> dict | None:
        return {"pk": self.pk} if self.pk else None

    @property
    def report(self):
        """The latest version of the period's report (None before the first build).

        Lists load it in their query with ``versions.with_versions()``.
        """
        if self.__dict__.get("versions_loaded"):
            return self.__dict__.get("current_version")
        return self.reports.filter(is_current=True).first()

    @property
    def published_report(self):
        """The version that was published (pinned), which stays what units and
        leaders read after a reopen until another version is published."""
        if self.__dict__.get("versions_loaded"):
            return self.__dict__.get("published_version")
        return self.reports.filter(is_published=True).first()

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


def pin_if_published(reports) -> None:
    """Pins the latest finished version among ``reports`` (of one period) when
    its period is published or locked and has no published version yet."""
    from django.utils import timezone

    from .reports import QuarterReport

    period_id = reports.values("period_id")[:1]
    reports.filter(
        is_current=True,
        status=QuarterReport.Status.DONE,
        period__status__in=(Period.Status.PUBLISHED, Period.Status.LOCKED),
    ).exclude(
        period_id__in=QuarterReport.objects.filter(
            period_id__in=period_id, is_published=True
        ).values("period_id")
    ).update(is_published=True, published_at=timezone.now())


def period_label(year: int, kind: str) -> str:
    """A period as the office writes it: 2026年第三季度, 2025年度 (2026 Q3, 2025 annual)."""
    from django.utils.translation import gettext

    if kind == Period.Kind.YEAR:
        return gettext("%(year)s annual") % {"year": year}
    return gettext("%(year)s %(period)s") % {
        "year": year,
        "period": Period.Kind(kind).label,
    }
