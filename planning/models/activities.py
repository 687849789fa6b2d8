from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal import dates

from ..querysets import ActivityEventQuerySet, CampaignQuerySet


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
    date = models.DateField(_("date"), validators=[dates.any_date])
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
            models.Index(
                fields=["union", "kind", "date"], name="event_union_kind_date"
            ),
            # The events list, newest first (Meta.ordering): a page of a city's
            # 740,000 events is read from this index, not sorted.
            models.Index(fields=["-date", "-id"], name="event_date_desc"),
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
