"""Cached page parts: computed once per version and language, and computed anyway
when the cache is down."""

import pytest
from django.core.cache import cache
from django.utils import translation

# The signal handlers themselves: sending the signals would also close the
# test's database connection (Django's close_old_connections).
from unionportal.cache import (
    _request_begins,
    _request_ends,
    cached_part,
    query_part,
    scope_part,
)


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


def test_release_comes_from_the_environment(settings):
    from unionportal.cache import release

    release.cache_clear()
    settings.RELEASE = "2026.12-abc123"
    try:
        assert release() == "2026.12-abc123"
    finally:
        release.cache_clear()


def test_release_default_ignores_file_times(settings, tmp_path):
    """Two hosts of one deploy hold the same files with different times and paths."""
    import os

    from unionportal.cache import SOURCE_DIRS, release

    settings.RELEASE = ""
    digests = []
    for host, when in (("a", 1_000_000_000), ("b", 1_700_000_000)):
        root = tmp_path / host
        for folder in SOURCE_DIRS:
            (root / folder).mkdir(parents=True)
            page = root / folder / "page.html"
            page.write_text(f"<p>{folder}</p>", encoding="utf-8")
            os.utime(page, (when, when))
        settings.BASE_DIR = root
        release.cache_clear()
        digests.append(release())
    release.cache_clear()
    assert digests[0] == digests[1]
    # A change of content is a new release.
    (root / "templates" / "page.html").write_text("<p>changed</p>", encoding="utf-8")
    assert release() != digests[1]
    release.cache_clear()


def test_a_value_is_read_once_per_get_request_and_each_time_elsewhere(db):
    from unionportal.cache import once_per_request

    compute = Counter()
    # Outside a request (a task, a command): every time.
    assert once_per_request("v", compute) == "part 1"
    assert once_per_request("v", compute) == "part 2"
    _request_begins(environ={"REQUEST_METHOD": "GET"})
    assert once_per_request("v", compute) == "part 3"
    assert once_per_request("v", compute) == "part 3"
    _request_ends()
    assert once_per_request("v", compute) == "part 4"
    # A write moves the data on while it runs: read afresh each time.
    _request_begins(environ={"REQUEST_METHOD": "POST"})
    assert once_per_request("v", compute) == "part 5"
    assert once_per_request("v", compute) == "part 6"
    _request_ends()


def test_a_write_then_a_page_in_one_request_reads_the_new_version(db, district):
    """The page rendered after a write in the same request reads the version the
    write made (a POST is never memoised)."""
    from unions.selectors import data_version

    _request_begins(environ={"REQUEST_METHOD": "POST"})
    try:
        before = data_version()
        district.name_zh = "改名后的区总工会"
        district.save()
        assert data_version() != before
    finally:
        _request_ends()


def test_a_kept_part_with_forms_gets_each_readers_own_csrf_token(rf):
    """Rendered once, the part is served to two readers: each gets a token of
    their own session's secret, never the placeholder nor the other's token."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.template import engines

    from unionportal.cache import cached_form_part, csrf_placeholder

    template = engines["django"].from_string("<form>{% csrf_token %}</form>")
    renders = []

    def compute(token):
        renders.append(token)
        return template.render({"csrf_token": token})

    tokens = []
    for _reader in range(2):
        request = rf.get("/")
        html = cached_form_part(request, "test:forms", ("v1",), compute)
        assert csrf_placeholder() not in html
        token = html.split('value="')[1].split('"')[0]
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
        tokens.append(token)
    assert renders == [csrf_placeholder()]
    assert tokens[0] != tokens[1]
