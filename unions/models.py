from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import UnionQuerySet


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
