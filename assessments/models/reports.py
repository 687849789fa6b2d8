"""Quarter reports: numbered snapshots of a period's results, their rows and files."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..querysets import (
    QuarterReportQuerySet,
    ReportFileQuerySet,
    ReportRowQuerySet,
)
from .periods import Period, PeriodGuard, pin_if_published
from .schemes import POINTS, Grade


class QuarterReport(PeriodGuard, models.Model):
    """One numbered version of a period's results, built by a Celery job.

    Dashboards and scorecards read these rows; they never recompute scores. The
    scheme's rules at build time are kept in ``rules`` (with ``scheme_version``) so
    a ranking can be reproduced later even after the scheme changed.

    Every build of a finished report makes a new version (1, 2, 3 … per period);
    earlier versions keep their rows and files. ``is_current`` marks the latest
    build (what administrators see and publish); ``is_published`` pins the
    version that was published, which units and leaders keep reading after a
    reopen until a new version is published (docs/design.md §5).
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

    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    number = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("latest version"), default=True)
    is_published = models.BooleanField(_("published version"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
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
        ordering = ["-period__start", "period__kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "number"], name="report_version_unique"
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(is_current=True),
                name="report_one_current_per_period",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(is_published=True),
                name="report_one_published_per_period",
            ),
        ]
        indexes = [
            # The report list sorted by when each was built (views REPORT_SORTS);
            # the other columns are the period's (indexed by its scheme and kind).
            models.Index(fields=["finished_at", "id"], name="qreport_finished"),
        ]

    def __str__(self):
        return f"{self.period} · v{self.number}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.is_current and self.is_done and not self.is_published:
            # A published period's finished report is its published version.
            pin_if_published(QuarterReport.objects.filter(pk=self.pk))

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
        return {"reports__pk": self.report_id}


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
        return {"reports__pk": self.report_id}
