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


# How many unions the type-ahead answers with at most.
LOOKUP_LIMIT = 20


def union_search_attrs(purpose: str = "") -> dict[str, str]:
    """The attributes that turn a union ``<select>`` into a type-ahead
    (``static/js/portal.js``): typing a name or code asks ``unions:union_lookup``
    for the matching unions in the reader's scope (``purpose`` narrows them, e.g.
    "change" for the unions a change of term may be planned for). Without
    JavaScript the select works as it is.

    On a ``<select multiple>`` the same box searches the select's own options
    (they are exactly the unions the form accepts) as one types: each pick is
    ticked and shown as a tag that removes it, and the ticks a form sends back
    after an error are shown again."""
    from django.urls import reverse
    from django.utils.translation import gettext

    url = reverse("unions:union_lookup")
    if purpose:
        url = f"{url}?for={purpose}"
    return {
        "data-union-search": url,
        "data-union-search-placeholder": gettext("Type a union's name or code"),
        "data-union-search-empty": gettext("No union found"),
        # A multiple select: the chosen unions are shown as tags with this button.
        "data-union-search-remove": gettext("Remove this union"),
    }


def union_label(name: str, code: str) -> str:
    """A union as pickers show it: "name (code)"."""
    return f"{name} ({code})" if code else name
