"""Finding a union as one types: the JSON endpoint behind every union picker's
type-ahead (``unionportal.search.union_search_attrs``), and the unions each picker
offers, so that the endpoint and the form agree."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from unionportal.access import ADMIN
from unionportal.search import LOOKUP_LIMIT, union_label

from .models import TermChange, Union


def change_candidates(user):
    """The unions ``user`` may plan a change of term for: active ones in scope (a
    cadre: their own union) with no change under way."""
    unions = Union.objects.visible_to(user).filter(is_active=True)
    if not user.has_role(ADMIN):
        unions = unions.filter(pk=user.union_id)
    busy = TermChange.objects.active().values("union_id")
    return unions.exclude(pk__in=busy)


def higher_unions(user):
    """The unions in scope that have unions below them (a filter by higher union,
    a new union's parent)."""
    return Union.objects.visible_to(user).exclude(kind__in=Union.GRASSROOTS_KINDS)


# What a picker may ask for (``?for=``): a whitelist, each a function of the user.
PURPOSES = {
    "": lambda user: Union.objects.visible_to(user),
    "active": lambda user: Union.objects.visible_to(user).filter(is_active=True),
    "change": change_candidates,
    "higher": higher_unions,
    "parent": lambda user: higher_unions(user).filter(is_active=True),
}


def union_choice(user, value):
    """The union in ``user``'s scope whose id is ``value`` (a list's filter), or
    None for anything else."""
    value = str(value or "").strip()
    if not value.isdigit() or len(value) > 18:
        return None
    return Union.objects.visible_to(user).filter(pk=int(value)).first()


def union_options(unions, chosen=None) -> list[tuple[str, str]]:
    """The options of a union select before anything is typed: ``unions`` and the
    ``chosen`` one, "name (code)" in the reader's language, by path; one query."""
    if chosen is not None:
        unions = unions | Union.objects.filter(pk=chosen.pk)
    english = (get_language() or "").startswith("en")
    return [
        (str(pk), union_label(name_en if english and name_en else name_zh, code))
        for pk, name_zh, name_en, code in unions.order_by("path").values_list(
            "pk", "name_zh", "name_en", "code"
        )
    ]


@login_required
@require_GET
def union_lookup(request):
    """At most LOOKUP_LIMIT unions matching ``q`` (name in either language or code)
    among those the purpose ``for`` offers in the reader's scope, as
    ``{"results": [{"id", "label"}]}``, labels "name (code)" in the reader's
    language. Two queries whatever the size of the scope."""
    offered = PURPOSES.get(request.GET.get("for", ""))
    if offered is None:
        return JsonResponse({"results": []}, status=400)
    query = request.GET.get("q", "").strip()[:100]
    unions = offered(request.user)
    if query:
        unions = unions.search(query)
    english = (get_language() or "").startswith("en")
    rows = unions.order_by("path").values_list("pk", "name_zh", "name_en", "code")[
        :LOOKUP_LIMIT
    ]
    return JsonResponse(
        {
            "results": [
                {
                    "id": pk,
                    "label": union_label(
                        name_en if english and name_en else name_zh, code
                    ),
                }
                for pk, name_zh, name_en, code in rows
            ]
        }
    )
