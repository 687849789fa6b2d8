"""Models of planning, split by subject: plans and projects, progress reports and
their evidence, campaigns and activity events."""

import os
import uuid
from decimal import Decimal
from functools import lru_cache

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .. import rules

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


@lru_cache(maxsize=64)
def _choice_labels(choices, language) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_label(choices, value) -> str:
    """The label of ``value`` among ``choices`` (a TextChoices) in the current
    language, from a table made once per language. Django's ``get_FOO_display``
    hashes every lazy label of the field on each call: 0.1 ms, some 5 ms for a
    page of 25 projects (a category and a status each)."""
    return _choice_labels(choices, get_language()).get(value, value)


def evidence_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never on disk.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


# Imported last: the modules below use the choices and helpers above.
from .activities import ActivityEvent, Campaign, CampaignItem  # noqa: E402
from .plans import KeyWorkProject, Milestone, PlanItem, WorkPlan  # noqa: E402
from .reports import EvidenceFile, ProgressReport, ReportReminder  # noqa: E402

__all__ = [
    "ActivityEvent",
    "Campaign",
    "CampaignItem",
    "Category",
    "EvidenceFile",
    "Frequency",
    "KeyWorkProject",
    "Milestone",
    "PlanItem",
    "ProgressReport",
    "ReportReminder",
    "WorkPlan",
    "choice_label",
    "evidence_path",
]
