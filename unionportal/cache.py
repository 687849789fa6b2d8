"""Computed page parts kept in Django's cache under a key that names their data.

A part (a rendered list, a dashboard's figures) is stored under a key built from
everything it depends on: who reads it (their scope), the query, the language, the
day, and a *version* of the data read from the database (a report's build time, the
latest change of the rows shown). When the data changes, the version changes and the
next request computes the part afresh, so a figure is never served stale; the old
entry simply expires. The timeout only bounds what no version can see (a name
changed on a row that is not part of the version). Keys also carry a stamp of the
deployed code, so a deploy never serves parts rendered by the previous one.
"""

import hashlib
import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.utils.translation import get_language

T = TypeVar("T")
logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600  # seconds


# Where the code and templates that compute and render the parts live: a deploy
# that changes any of them must not be served parts rendered by the old ones.
SOURCE_DIRS = (
    "accounts",
    "assessments",
    "planning",
    "unions",
    "unionportal",
    "templates",
)


@lru_cache(maxsize=1)
def release() -> str:
    """The release of the deployed code, the same on every host of one deploy.

    ``RELEASE`` from the environment (a version or commit id) when set. Otherwise a
    digest of the code's and templates' relative paths and contents: never file times
    or absolute paths, which differ between hosts of the same release and would make
    two web servers keep the same part under different keys. Read once per process.
    """
    if settings.RELEASE:
        return settings.RELEASE
    base = Path(settings.BASE_DIR)
    stamp = hashlib.sha256()
    for folder in SOURCE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                stamp.update(path.relative_to(base).as_posix().encode())
                stamp.update(hashlib.sha256(path.read_bytes()).digest())
    return stamp.hexdigest()[:12]


# Values read once per request (the data versions), in the thread serving it.
_request = threading.local()


def _request_begins(environ=None, **kwargs) -> None:
    # Only while reading: a write in the request moves the version on, and the
    # page it renders afterwards must read the new one.
    method = (environ or {}).get("REQUEST_METHOD", "")
    _request.memo = {} if method in ("GET", "HEAD") else None


def _request_ends(**kwargs) -> None:
    _request.memo = None


request_started.connect(_request_begins, dispatch_uid="unionportal.cache.begins")
request_finished.connect(_request_ends, dispatch_uid="unionportal.cache.ends")


def once_per_request(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, read once per GET request: a page keeps several parts under
    the same data version, and asks for it once. In a write, a task or a command
    it is computed each time (nothing would tell it to forget)."""
    memo = getattr(_request, "memo", None)
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


def latest_changes(*models, column: str = "updated_at") -> tuple:
    """When a row of each model was last saved (``updated_at``, indexed): one
    statement of index reads, written out once rather than built by the ORM on
    every request (half a millisecond of compiling, for a query that takes a
    tenth of that). The versions the cached parts are kept under.

    ``column`` names another indexed time column of every model given: the
    ``history_date`` of django-simple-history's tables, which also moves on
    when a row is deleted (the admin, a cascade)."""
    from django.db import connection

    # Only the models' own table and column names go into the statement, quoted.
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(  # noqa: S608
        f"(SELECT MAX({quote(column)}) FROM {quote(m._meta.db_table)})"  # noqa: S608
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(str(value) for value in row)


def part_key(name: str, *parts) -> str:
    """The cache key of part ``name`` for ``parts`` in the current language."""
    digest = hashlib.sha256(
        repr((release(), get_language() or "", *parts)).encode("utf-8")
    ).hexdigest()[:40]
    return f"part:{name}:{digest}"


def cached_part(
    name: str, parts: tuple, compute: Callable[[], T], timeout: int = DEFAULT_TIMEOUT
) -> T:
    """The cached value of part ``name`` for ``parts``, computed on a miss."""
    key = part_key(name, *parts)
    try:
        value = cache.get(key)
    except Exception:  # the cache (Redis) is down: the page still answers
        logger.warning("cache unavailable, computing %s", name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("cache unavailable, not keeping %s", name, exc_info=True)
    return value


@lru_cache(maxsize=1)
def csrf_placeholder() -> str:
    """What a kept part holds where its forms' CSRF token goes: derived from the
    secret key, so that no user can type it into a name the part shows."""
    digest = hashlib.sha256(f"csrf-placeholder:{settings.SECRET_KEY}".encode())
    return "csrf" + digest.hexdigest()[:28]


def cached_form_part(
    request,
    name: str,
    parts: tuple,
    compute: Callable[[str], T],
    timeout: int = DEFAULT_TIMEOUT,
) -> T:
    """A kept part with forms in it (rows with a button each): ``compute`` gets the
    token to render (``{"csrf_token": token}`` in its context) and renders it
    with :func:`csrf_placeholder`; each request then gets the part with its own
    token put in. A part kept with a real token would hand one reader's token
    to another, whose posts CSRF would then refuse. ``compute`` may return a
    string or a tuple of strings (pieces of a page kept under one key)."""
    from django.middleware.csrf import get_token
    from django.utils.safestring import mark_safe

    value = cached_part(name, parts, lambda: compute(csrf_placeholder()), timeout)
    token = get_token(request)
    # The placeholder is letters and digits: the token that replaces it too.
    if isinstance(value, tuple):  # several pieces of one page, kept together
        return tuple(
            mark_safe(piece.replace(csrf_placeholder(), token))  # noqa: S308
            for piece in value
        )
    return mark_safe(value.replace(csrf_placeholder(), token))  # noqa: S308


def render_kept_page(
    request,
    template: str,
    name: str,
    parts: tuple,
    compute: Callable[[str], tuple[str, ...]],
    timeout: int = DEFAULT_TIMEOUT,
):
    """A page whose title, breadcrumb and content are kept rendered together
    (:func:`cached_form_part`), served in ``template`` (which shows
    ``page_title``, ``page_crumb`` and ``page_content`` in the frame).
    ``compute`` returns the three pieces, or nothing when the reader may not see
    the page: then it is answered as if it did not exist (404)."""
    from django.http import Http404
    from django.shortcuts import render

    page = cached_form_part(request, name, parts, compute, timeout)
    if not page:
        raise Http404
    title, crumb, content = page
    return render(
        request,
        template,
        {"page_title": title, "page_crumb": crumb, "page_content": content},
    )


def scope_part(user) -> str:
    """What a user's scope depends on, for keys of parts filtered by
    ``unionportal.access.scope_filter`` (the same three cases)."""
    if not user.is_authenticated:
        return "-"
    if user.is_superuser and user.union_id is None:
        return "*"
    if user.union_id is None:
        return "-"
    return user.union.path


def reader_part(user) -> tuple:
    """What a page shown to ``user`` may depend on beyond the data: their scope,
    their own union (a list marks its rows "your union") and their roles (an
    administrator sees drafts)."""
    if not user.is_authenticated:
        return ("-",)
    return (scope_part(user), user.union_id, user.is_superuser, tuple(user.roles))


def query_part(request, *, ignore: tuple[str, ...] = ()) -> tuple:
    """The request's query parameters in a stable order, for a key."""
    return tuple(
        sorted(
            (key, tuple(values))
            for key, values in request.GET.lists()
            if key not in ignore
        )
    )
