from django import template
from django.utils.html import format_html

from unions.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def masked_phone(value):
    return mask_phone(value or "")


@register.filter
def masked_id(value):
    return mask_id_number(value or "")


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
