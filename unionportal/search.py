"""Finding a union by what a person types: its Chinese or English name, or its code.

One rule for every list and API that searches by union (the union list, terms,
projects, the review queue, reports, users): ``union_match(value, "owner")`` is the
``Q`` for rows whose union at ``owner`` matches, and ``UnionQuerySet.search`` uses it
for unions themselves.
"""

from django.db.models import Q


def union_match(value: str, prefix: str = "") -> Q:
    """Rows whose union (at ``prefix``, e.g. "union" or "project__owner") has
    ``value`` in its Chinese or English name or its code, ignoring case."""
    value = (value or "").strip()
    if not value:
        return Q()
    field = f"{prefix}__" if prefix else ""
    return (
        Q(**{f"{field}name_zh__icontains": value})
        | Q(**{f"{field}name_en__icontains": value})
        | Q(**{f"{field}code__icontains": value})
    )
