from html import escape as html_escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


@register.simple_tag
def select_options(choices, selected=None):
    """The ``<option>``s of (value, label) pairs, with the one equal to ``selected``
    chosen: one tag instead of a template loop, for selects with hundreds of
    options (``format_html`` per option costs more than the rest of the page)."""
    chosen = "" if selected is None else str(selected)
    options = []
    for value, label in choices:
        value = str(value)
        options.append(
            '<option value="{}"{}>{}</option>'.format(
                html_escape(value),
                " selected" if value == chosen else "",
                html_escape(str(label)),
            )
        )
    return mark_safe("".join(options))  # noqa: S308  (every part escaped above)


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


@register.simple_tag(takes_context=True)
def sort_header(context, key, label):
    """A column header that sorts the list by ``key``, and back the other way."""
    current = context.get("sort", "")
    query = context["request"].GET.copy()
    query.pop("page", None)
    if current == key:
        query["sort"], arrow, state = f"-{key}", "bi-caret-up-fill", "ascending"
    elif current == f"-{key}":
        query["sort"], arrow, state = key, "bi-caret-down-fill", "descending"
    else:
        query["sort"], arrow, state = key, "", "none"
    icon = (
        format_html(' <i class="bi {} small" aria-hidden="true"></i>', arrow)
        if arrow
        else ""
    )
    return format_html(
        '<a class="sort-link text-reset text-decoration-none text-nowrap" href="?{}" '
        'data-sort="{}">{}{}</a>',
        query.urlencode(),
        state,
        label,
        icon,
    )


@register.inclusion_tag("partials/sort_select.html", takes_context=True)
def sort_select(context, target="", **columns):
    """The list's sorts as one select, for phones, where the sortable headers are
    hidden or the rows are cards: ``{% sort_select target="#project-rows"
    title=_("Project") due=_("Due date") %}`` names the same keys as the list's
    ``sort_header``s (the view's whitelist). It keeps the other filters, goes
    back to page 1 and, given the rows' ``target``, answers through htmx like the
    filters."""
    from django.utils.translation import gettext

    request = context["request"]
    current = context.get("sort", "")
    options = []
    for key, label in columns.items():
        for value, text in (
            (key, gettext("%(column)s, ascending")),
            (f"-{key}", gettext("%(column)s, descending")),
        ):
            options.append((value, text % {"column": label}, value == current))
    keep = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in ("sort", "page")
        for value in values
    ]
    return {
        "action": request.path,
        "target": target,
        "options": options,
        "keep": keep,
        "current": current,
    }
