"""Every URL of the project, read from the resolver, so that no view escapes a check.

``ENDPOINTS`` is built when the tests are collected: a view added anywhere in the
project appears here without anyone listing it.
"""

import itertools
import re
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

ADMIN_SITE_PREFIX = "django-admin/"

# Values tried for each URL parameter when a test only needs *a* matching URL (the
# CSRF check answers before any view runs, so no object has to exist).
SAMPLE_VALUES = {
    "int": ["1"],
    "str": ["x"],
    "slug": ["x"],
    "path": ["x"],
    "uuid": ["00000000-0000-0000-0000-000000000001"],
}
REGEX_CANDIDATES = ["1", "accounts", "x", "1/change"]


@dataclass(frozen=True)
class Endpoint:
    route: str
    name: str | None
    callback: object = field(compare=False, repr=False)
    params: tuple[tuple[str, str], ...] = ()  # (name or "", converter or "regex")

    @property
    def key(self) -> str:
        """What the rules table is keyed by: the URL name, else the route."""
        return self.name or self.route

    @property
    def is_admin_site(self) -> bool:
        return self.route.startswith(ADMIN_SITE_PREFIX)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def path(self, **kwargs) -> str:
        if self.name is None:
            path = self.route
            for name, value in kwargs.items():
                path = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), path)
                path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
            return "/" + path
        return reverse(self.name, kwargs=kwargs or None)

    def sample_path(self) -> str:
        """A URL that resolves to this endpoint, with placeholder parameters."""
        if not self.params:
            return self.path()
        choices = []
        for name, converter in self.params:
            values = SAMPLE_VALUES.get(converter, REGEX_CANDIDATES)
            choices.append([(name, v) for v in values])
        for combination in itertools.product(*choices):
            named = {name: value for name, value in combination if name}
            positional = [value for name, value in combination if not name]
            try:
                if positional:
                    return reverse(self.name, args=positional)
                return self.path(**named)
            except NoReverseMatch:
                continue
        raise AssertionError(f"no sample URL could be built for {self.key}")


def _params(pattern) -> list[tuple[str, str]]:
    if isinstance(pattern, RoutePattern):
        return [
            (name, converter or "str")
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", str(pattern))
        ]
    if isinstance(pattern, RegexPattern):
        compiled = re.compile(pattern._regex)
        if compiled.groupindex:
            return [(name, "regex") for name in compiled.groupindex]
        # Unnamed groups are passed positionally.
        return [("", "regex")] * compiled.groups
    return []


def _walk(patterns, prefix="", namespace=None, params=()):
    for entry in patterns:
        here = list(params) + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, here)
        elif isinstance(entry, URLPattern):
            name = entry.name and (
                f"{namespace}:{entry.name}" if namespace else entry.name
            )
            route = (prefix + str(entry.pattern)).replace("^", "").replace("$", "")
            yield Endpoint(route, name, entry.callback, tuple(here))


def all_endpoints() -> list[Endpoint]:
    seen, result = set(), []
    for endpoint in _walk(get_resolver().url_patterns):
        # The same name can be reached twice (e.g. an app included in two places);
        # its first pattern is the one reverse() builds.
        if endpoint.key in seen:
            continue
        seen.add(endpoint.key)
        result.append(endpoint)
    return result


def portal_endpoints() -> list[Endpoint]:
    """The project's own views: everything but Django's admin site."""
    return [e for e in all_endpoints() if not e.is_admin_site]


def admin_site_endpoints() -> list[Endpoint]:
    return [e for e in all_endpoints() if e.is_admin_site]
