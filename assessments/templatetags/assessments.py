from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

from unionportal.templatetags.portal import status_badge

from ..explain import explain
from ..models import Grade

register = template.Library()


@register.simple_tag
def grade_badge(grade, veto=False):
    """A coloured badge for a grade, with a veto mark when one was hit."""
    try:
        label = Grade(grade).label
    except ValueError:
        return "–"
    badge = status_badge(grade, label)
    if veto:
        from django.utils.translation import gettext as _

        return format_html(
            '{} <span class="badge text-bg-dark" title="{}">{}</span>',
            badge,
            _("A one-vote veto was hit"),
            _("veto"),
        )
    return badge


@register.simple_tag
def rank_badge(rank, veto=False):
    """A unit's rank, marked when a veto hit placed it after the units without one."""
    from django.utils.translation import gettext as _

    badge = format_html('<span class="rank-badge rank-{}">{}</span>', rank, rank)
    if veto:
        return format_html(
            '{} <span class="badge text-bg-dark" title="{}">{}</span>',
            badge,
            _("Ranked after every unit without a veto hit"),
            _("veto"),
        )
    return badge


@register.filter
def how_text(how):
    return explain(how)


@register.filter
def points(value):
    """Points with two decimals; "–" for nothing."""
    if value is None or value == "":
        return "–"
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return "–"


@register.filter
def signed(value):
    """A change in points: "+1.50", "−2.00", "0.00", or "–" when there is none."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "–"
    if number > 0:
        return f"+{number:.2f}"
    if number < 0:
        return f"−{abs(number):.2f}"
    return f"{number:.2f}"


@register.filter
def change_class(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "text-body-secondary"
    if number > 0:
        return "text-success"
    if number < 0:
        return "text-danger"
    return "text-body-secondary"


SCHEME_TONES = {"draft": "secondary", "active": "success", "archived": "dark"}


@register.simple_tag
def scheme_badge(scheme):
    return format_html(
        '<span class="badge text-bg-{} status-badge" data-status="{}">{}</span>',
        SCHEME_TONES.get(scheme.status, "secondary"),
        scheme.status,
        scheme.get_status_display(),
    )
