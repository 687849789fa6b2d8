"""The ``allowed_actions`` field of the API's stateful resources.

Each model says what a user may do with it now (``allowed_actions``, see
``unionportal.workflow``); the API offers the same answer under the names of its
own endpoints. A list works out who may change its rows once for the whole page
(``page_editable``), not once a row, so its query count does not grow with it.
"""

from rest_framework import serializers


def page_editable(queryset, rows) -> set[int]:
    """The ids among ``rows`` that are in ``queryset`` (e.g. ``editable_by(user)``):
    one query for the page."""
    ids = [row.pk for row in rows or ()]
    if not ids:
        return set()
    return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def api_names(actions, names: dict[str, str]) -> list[str]:
    """The model's ``actions`` as the API names them, sorted; an action the API has
    no endpoint for (absent from ``names``) is not offered."""
    return sorted({names[action] for action in actions if action in names})


def allowed_actions_field(help_text) -> serializers.SerializerMethodField:
    return serializers.SerializerMethodField(help_text=help_text)


def editable_in_context(serializer, key: str, obj, rule: str) -> bool:
    """Whether ``obj`` is in its manager's ``rule(user)`` (e.g. ``"editable_by"``):
    from the page's set when the list put one in the context under ``key``,
    otherwise one query (a detail). The rule's queryset is only built when it is
    read: building a scoped queryset costs about a millisecond, 25 of them a page."""
    ids = serializer.context.get(key)
    if ids is not None:
        return obj.pk in ids
    user = serializer.context["request"].user
    queryset = getattr(type(obj)._default_manager, rule)(user)
    return queryset.filter(pk=obj.pk).exists()
