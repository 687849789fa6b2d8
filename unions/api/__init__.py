"""The API of the organisation: unions (a tree), office terms and changes of term.

Reads are scoped like the pages; every write calls ``unions.services`` or
``unions.workflow``, which hold the rules.
"""

from .terms import OfficeTermViewSet, TermChangeViewSet
from .unions import UnionViewSet


def register(router) -> None:
    router.register("unions", UnionViewSet, basename="union")
    router.register("terms", OfficeTermViewSet, basename="term")
    router.register("term-changes", TermChangeViewSet, basename="term-change")
