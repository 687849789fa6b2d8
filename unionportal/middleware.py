import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils.cache import add_never_cache_headers

from .text import CONTROL, strip_control

# What a read-only user (a leader) may still post: their own session and settings.
PERSONAL_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "set_language",
        "accounts:set_language",
        "accounts:notification_read",
        "accounts:notifications_read_all",
        "accounts:notification_settings",
        "accounts:token_create",
        "accounts:token_revoke",
    }
)


class ReadOnlyRoleMiddleware:
    """Refuses every write by a user whose roles only read (leaders), on any path.

    Views check their own rules too; this is the net under them, so a form added
    without a check still cannot be used by a leader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_read_only:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name in PERSONAL_URL_NAMES:
            return None
        raise PermissionDenied


class ControlCharactersMiddleware:
    """Removes control characters from every posted form value before a view reads
    it (unionportal/text.py): a name pasted with a \x0b is saved without it, so it
    cannot break an export later. File uploads are not touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API reads JSON only, and cleans it in its parser; reading a form
        # body here would take its own answer (415) away from it.
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.content_type
            in ("application/x-www-form-urlencoded", "multipart/form-data")
            and not request.path.startswith("/api/")
        ):
            posted = request.POST
            if any(CONTROL.search(v) for v in _values(posted)):
                cleaned = posted.copy()
                for key in cleaned:
                    cleaned.setlist(
                        key, [strip_control(v) for v in cleaned.getlist(key)]
                    )
                cleaned._mutable = False
                request.POST = cleaned
        return self.get_response(request)


def _values(querydict):
    for key in querydict:
        yield key
        yield from querydict.getlist(key)


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header (settings.PERMISSIONS_POLICY): browser
    features the portal never uses stay off, even for an injected script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault(
                "Permissions-Policy", settings.PERMISSIONS_POLICY
            )
        return response


class PrivatePagesMiddleware:
    """Tells browsers and proxies not to keep pages served to a signed-in session.

    On a shared office computer the back button after signing out must not show
    someone's scores or personal data. Answers that set their own caching keep it.
    Reads the session cookie rather than ``request.user`` so that it adds no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES and not response.has_header(
            "Cache-Control"
        ):
            add_never_cache_headers(response)
        return response


class SessionIdleRefreshMiddleware:
    """Keeps a used session alive, writing it at most once per refresh interval.

    Sessions end after ``SESSION_COOKIE_AGE`` idle seconds. Django's
    ``SESSION_SAVE_EVERY_REQUEST`` would get that by writing (and committing) the
    session row and its cache entry on every page; refreshing when the last refresh
    is ``SESSION_REFRESH_SECONDS`` old gives the same rule to within that interval
    for one write a minute per user instead of one per page. Must sit after
    ``SessionMiddleware`` so that its save sees the change.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (anonymous, or just flushed by signing out) is not kept.
        if session is None or session.is_empty() or not session.keys():
            return response
        now = int(time.time())
        refreshed = session.get(self.KEY)
        if not isinstance(refreshed, int) or (
            now - refreshed >= settings.SESSION_REFRESH_SECONDS
        ):
            session[self.KEY] = now
        return response
