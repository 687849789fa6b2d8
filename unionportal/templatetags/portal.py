from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (for paging, sorting)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


TONES = {
    # statuses shared by several apps, mapped to Bootstrap colours
    "draft": "secondary",
    "submitted": "primary",
    "approved": "success",
    "returned": "warning",
    "published": "success",
    "closed": "secondary",
    "open": "primary",
    "locked": "dark",
    "current": "success",
    "due": "warning",
    "overdue": "danger",
    "not_started": "secondary",
    "on_track": "success",
    "at_risk": "warning",
    "delayed": "danger",
    "completed": "info",
    "cancelled": "secondary",
    "planned": "info",
    "election_held": "primary",
    "result_approved": "success",
    "excellent": "success",
    "good": "primary",
    "qualified": "info",
    "unqualified": "danger",
    "pending": "secondary",
    "running": "primary",
    "done": "success",
    "failed": "danger",
}


@register.simple_tag
def status_badge(value, label=None):
    """A coloured badge for a status value; label defaults to the value."""
    tone = TONES.get(str(value), "secondary")
    text_class = " text-dark" if tone in ("warning", "info", "light") else ""
    return format_html(
        '<span class="badge text-bg-{}{} status-badge" data-status="{}">{}</span>',
        tone,
        text_class,
        value,
        label if label is not None else value,
    )


@register.filter
def percent(value, digits=0):
    try:
        return f"{float(value):.{int(digits)}f}%"
    except (TypeError, ValueError):
        return "–"
