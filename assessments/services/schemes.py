"""Schemes, their categories, indicators and not-applicable marks."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from unions.models import Union

from ..models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    Scheme,
    Score,
    UnitLevel,
)
from .common import stamp

HUNDRED = Decimal("100")


def points_text(value: Decimal) -> str:
    """90, 92.5: points as a person writes them (no trailing zeros)."""
    value = Decimal(value).normalize()
    return f"{value:f}"


RULE_FIELDS = ("bonus_cap", "annual_rule", "quarter_weights")


def scheme_base_total(*, scheme: Scheme) -> Decimal:
    """Σ max points of the scheme's base indicators: 100 before it can be activated."""
    total = Indicator.objects.filter(scheme=scheme, kind=Indicator.Kind.BASE).aggregate(
        total=Sum("max_points")
    )["total"]
    return total or Decimal("0")


def _refuse_if_archived(scheme: Scheme) -> None:
    if scheme.status == Scheme.Status.ARCHIVED:
        raise ValidationError(_("An archived scheme cannot be changed."))


def _bump_version(scheme: Scheme, by) -> None:
    """An active scheme's rules changed: reports built from now on say so."""
    if scheme.status != Scheme.Status.ACTIVE:
        return
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    locked.version += 1
    stamp(locked, by, _("Rules changed"))
    locked.save(update_fields=["version", "updated_at"])
    scheme.version = locked.version


def _check_active_total(scheme: Scheme) -> None:
    if scheme.status != Scheme.Status.ACTIVE:
        return
    total = scheme_base_total(scheme=scheme)
    if total != HUNDRED:
        raise ValidationError(
            _(
                "An active scheme's base points must add up to 100 (this change "
                "makes %(total)s). Change another indicator in the same step, or "
                "move points between indicators of a draft."
            )
            % {"total": points_text(total)}
        )


@transaction.atomic
def scheme_create(*, owner: Union, data: dict, by) -> Scheme:
    scheme = Scheme(owner=owner, status=Scheme.Status.DRAFT, **data)
    scheme.full_clean()
    stamp(scheme, by)
    scheme.save()
    return scheme


@transaction.atomic
def scheme_update(*, scheme: Scheme, data: dict, by) -> Scheme:
    _refuse_if_archived(scheme)
    # Read from the database: a bound ModelForm has already changed the instance.
    before = Scheme.objects.filter(pk=scheme.pk).values(*RULE_FIELDS).get()
    for name, value in data.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    stamp(scheme, by)
    scheme.save()
    if any(getattr(scheme, name) != value for name, value in before.items()):
        _bump_version(scheme, by)
    return scheme


@transaction.atomic
def scheme_activate(*, scheme: Scheme, by) -> Scheme:
    """A draft becomes the rules its units are scored by; base points must be 100."""
    if not scheme.allows("activate"):
        raise ValidationError(_("Only a draft scheme can be activated."))
    if not Indicator.objects.filter(scheme=scheme).exists():
        raise ValidationError(_("Add indicators before activating the scheme."))
    total = scheme_base_total(scheme=scheme)
    if total != HUNDRED:
        raise ValidationError(
            _(
                "The base indicators add up to %(total)s points; they must add up "
                "to 100 before the scheme can be activated."
            )
            % {"total": points_text(total)}
        )
    for indicator in Indicator.objects.filter(scheme=scheme).select_related("category"):
        try:
            indicator.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("Indicator %(code)s is incomplete: %(errors)s")
                % {"code": indicator.code, "errors": "; ".join(exc.messages)}
            ) from exc
    scheme.status = Scheme.Status.ACTIVE
    scheme.validate_constraints()
    stamp(scheme, by, _("Activated"))
    scheme.save()
    return scheme


@transaction.atomic
def scheme_return_to_draft(*, scheme: Scheme, by) -> Scheme:
    """Lets an administrator move points between indicators of an active scheme.

    The version goes up now, since the rules are about to change; reports cannot be
    built until the scheme is active again.
    """
    if not scheme.allows("draft"):
        raise ValidationError(_("Only an active scheme can return to draft."))
    scheme.status = Scheme.Status.DRAFT
    scheme.version += 1
    stamp(scheme, by, _("Returned to draft"))
    scheme.save()
    return scheme


@transaction.atomic
def scheme_delete(*, scheme: Scheme, by) -> None:
    if not scheme.allows("delete") or scheme.periods.exists():
        raise ValidationError(_("Only a draft scheme without periods can be deleted."))
    stamp(scheme, by)
    scheme.delete()


@transaction.atomic
def scheme_archive(*, scheme: Scheme, by) -> Scheme:
    if not scheme.allows("archive"):
        raise ValidationError(_("Only an active scheme can be archived."))
    if scheme.periods.filter(
        status__in=(Period.Status.OPEN, Period.Status.CLOSED)
    ).exists():
        raise ValidationError(
            _("Publish or lock every period of the scheme before archiving it.")
        )
    scheme.status = Scheme.Status.ARCHIVED
    stamp(scheme, by, _("Archived"))
    scheme.save()
    return scheme


@transaction.atomic
def scheme_copy(*, source: Scheme, year: int, by, owner: Union | None = None) -> Scheme:
    """A new draft for ``year`` with the same categories and indicators.

    Not-applicable marks are not copied: they depend on a unit's situation in one
    year (see docs/scoring.md).
    """
    scheme = Scheme(
        owner=owner or source.owner,
        year=year,
        unit_level=source.unit_level,
        name_zh=source.name_zh.replace(str(source.year), str(year)),
        name_en=source.name_en.replace(str(source.year), str(year)),
        bonus_cap=source.bonus_cap,
        annual_rule=source.annual_rule,
        quarter_weights=list(source.quarter_weights or []),
        copied_from=source,
        status=Scheme.Status.DRAFT,
    )
    scheme.full_clean()
    stamp(scheme, by, _("Copied from %(year)s") % {"year": source.year})
    scheme.save()
    categories = {}
    for category in IndicatorCategory.objects.filter(scheme=source).order_by(
        "order", "pk"
    ):
        copy = IndicatorCategory(
            scheme=scheme,
            name_zh=category.name_zh,
            name_en=category.name_en,
            order=category.order,
        )
        stamp(copy, by)
        copy.save()
        categories[category.pk] = copy
    for indicator in Indicator.objects.filter(scheme=source).order_by("pk"):
        copy = Indicator(
            scheme=scheme,
            category=categories[indicator.category_id],
            code=indicator.code,
            name_zh=indicator.name_zh,
            name_en=indicator.name_en,
            description=indicator.description,
            max_points=indicator.max_points,
            kind=indicator.kind,
            method=indicator.method,
            params=dict(indicator.params or {}),
            term_scope=indicator.term_scope,
            term_count=indicator.term_count,
            order=indicator.order,
        )
        stamp(copy, by)
        copy.save()
    return scheme


# --- categories ---------------------------------------------------------------------


@transaction.atomic
def category_save(*, category: IndicatorCategory, data: dict, by) -> IndicatorCategory:
    _refuse_if_archived(category.scheme)
    for name, value in data.items():
        setattr(category, name, value)
    category.full_clean()
    stamp(category, by)
    category.save()
    return category


@transaction.atomic
def category_delete(*, category: IndicatorCategory, by) -> None:
    scheme = category.scheme
    _refuse_if_archived(scheme)
    if Score.objects.filter(indicator__category=category).exists():
        raise ValidationError(
            _("Indicators of this category already have scores; it cannot be deleted.")
        )
    had_indicators = category.indicators.exists()
    stamp(category, by)
    category.delete()
    _check_active_total(scheme)
    if had_indicators:
        _bump_version(scheme, by)


# --- indicators ---------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, indicator: Indicator, data: dict, by) -> Indicator:
    """Adds or changes an indicator; on an active scheme the base must stay 100."""
    scheme = indicator.scheme
    _refuse_if_archived(scheme)
    # Read from the database: a bound ModelForm has already changed the instance.
    stored = Indicator.objects.filter(pk=indicator.pk).first() if indicator.pk else None
    before = _rule_values(stored) if stored is not None else None
    for name, value in data.items():
        setattr(indicator, name, value)
    if indicator.kind == Indicator.Kind.VETO:
        indicator.max_points = Decimal("0")
    if indicator.method in (
        Indicator.Method.MANUAL,
        Indicator.Method.KEY_WORK,
        Indicator.Method.TIMELINESS,
    ):
        indicator.params = {}
    if indicator.method != Indicator.Method.TERMS:
        indicator.term_scope = Indicator.TermScope.OWN
        indicator.term_count = Indicator.TermCount.MONTH
    indicator.full_clean()
    stamp(indicator, by)
    indicator.save()
    _check_active_total(scheme)
    if before != _rule_values(indicator):
        _bump_version(scheme, by)
    return indicator


def _rule_values(indicator: Indicator) -> tuple:
    """What changes a score (its wording does not)."""
    return (
        indicator.category_id,
        indicator.kind,
        indicator.method,
        Decimal(indicator.max_points or 0),
        indicator.params or {},
        indicator.term_scope,
        indicator.term_count,
    )


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by) -> None:
    scheme = indicator.scheme
    _refuse_if_archived(scheme)
    if indicator.scores.exists():
        raise ValidationError(
            _("This indicator already has scores; it cannot be deleted.")
        )
    stamp(indicator, by)
    indicator.delete()
    _check_active_total(scheme)
    _bump_version(scheme, by)


# --- not applicable ------------------------------------------------------------------


def scheme_units(*, scheme: Scheme):
    """The unions a scheme assesses (a queryset, for forms and checks)."""
    units = Union.objects.filter(path__startswith=scheme.owner.path, is_active=True)
    if scheme.unit_level == UnitLevel.SUBDISTRICT:
        return units.filter(kind=Union.Kind.SUBDISTRICT)
    return units.filter(kind__in=Union.GRASSROOTS_KINDS)


@transaction.atomic
def exemption_create(
    *, indicator: Indicator, unit: Union, reason: str, by
) -> IndicatorExemption:
    """Marks an indicator not applicable to a unit; its base is then rescaled."""
    scheme = indicator.scheme
    _refuse_if_archived(scheme)
    if not scheme_units(scheme=scheme).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("This scheme does not assess that union.")})
    if indicator.kind != Indicator.Kind.BASE:
        raise ValidationError(
            {"indicator": _("Only base indicators can be marked not applicable.")}
        )
    exemption = IndicatorExemption(
        indicator=indicator, unit=unit, reason=(reason or "").strip(), created_by=by
    )
    exemption.full_clean()
    stamp(exemption, by)
    exemption.save()
    _bump_version(scheme, by)
    return exemption


@transaction.atomic
def exemption_delete(*, exemption: IndicatorExemption, by) -> None:
    scheme = exemption.indicator.scheme
    _refuse_if_archived(scheme)
    stamp(exemption, by)
    exemption.delete()
    _bump_version(scheme, by)
