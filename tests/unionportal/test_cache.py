"""Cached page parts: computed once per version and language, and computed anyway
when the cache is down."""

import pytest
from django.core.cache import cache
from django.utils import translation

from unionportal.cache import cached_part, query_part, scope_part


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"part {self.calls}"


def test_a_part_is_computed_once_per_version():
    compute = Counter()
    assert cached_part("test", ("v1",), compute) == "part 1"
    assert cached_part("test", ("v1",), compute) == "part 1"
    assert cached_part("test", ("v2",), compute) == "part 2"
    assert compute.calls == 2


def test_a_part_is_kept_per_language():
    compute = Counter()
    with translation.override("en"):
        cached_part("test", ("v1",), compute)
    with translation.override("zh-hans"):
        cached_part("test", ("v1",), compute)
    assert compute.calls == 2


def test_a_part_is_computed_when_the_cache_is_down(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    compute = Counter()
    assert cached_part("test", ("v1",), compute) == "part 1"
    assert "cache unavailable" in caplog.text


def test_a_part_computed_while_the_cache_cannot_keep_it_is_served(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "set", down)
    assert cached_part("test", ("v1",), Counter()) == "part 1"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin_user", "district"), ("cadre_grass", "grassroots")],
)
def test_scope_part_is_the_users_union_path(db, request, persona, expected):
    user = request.getfixturevalue(persona)
    assert scope_part(user) == request.getfixturevalue(expected).path


def test_query_part_ignores_the_order_of_parameters(rf):
    first = rf.get("/x/", {"b": "2", "a": "1"})
    second = rf.get("/x/?a=1&b=2")
    assert query_part(first) == query_part(second)
