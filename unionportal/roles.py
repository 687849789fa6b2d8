"""The roles a user can hold (docs/design.md §2).

They live in the shared package, below every app, so that the access rule, the menu and
the accounts app all read one definition without importing each other.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    REVIEWER = "reviewer", _("Reviewer")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")
