"""The assessments app's kinds of audit event (accounts/audit.py keeps the registry)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodAudit(models.TextChoices):
    CLOSED = "period_closed", _("Period closed for entry")
    PUBLISHED = "period_published", _("Period published")
    LOCKED = "period_locked", _("Period locked")
    REOPENED = "period_reopened", _("Period reopened")
