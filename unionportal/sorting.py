"""Sorting a list by a column the reader clicked: one rule for every list.

A list names the columns it sorts by in a whitelist ``{query value: field}``
(never a field taken from the URL); ``apply_sort`` orders the queryset by the
chosen one (``-name`` for the other way), with ``pk`` as a tie-breaker so that
pages never repeat or skip a row. The template tag ``{% sort_header key label %}``
(``unionportal.templatetags.portal``) draws the clickable header with its arrow;
it keeps the other filters and starts again at page 1.
"""

from django.db.models import F


def apply_sort(queryset, value: str, sorts: dict, default: str):
    """``queryset`` ordered by the column ``value`` names (or ``default``), and the
    sort in force. A field may be a string or a tuple of strings/expressions
    (several columns in turn); ``-`` reverses all of them, so that an index on
    the columns is read forwards or backwards."""
    value = value or ""
    key = value[1:] if value.startswith("-") else value
    if key not in sorts:
        value, key = default, default.removeprefix("-")
    if key not in sorts:
        return queryset, ""
    fields = sorts[key]
    if isinstance(fields, str):
        fields = (fields,)
    descending = value.startswith("-")
    order = []
    for field in fields:
        expression = F(field) if isinstance(field, str) else field
        order.append(expression.desc() if descending else expression.asc())
    return queryset.order_by(*order, "-pk" if descending else "pk"), value
