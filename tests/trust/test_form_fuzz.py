"""Random values in every field of every write, as every persona: never a 500.

For each URL that the permission matrix (tests/trust/rules.py) says accepts a
write, hypothesis sends values no form expects (unicode and control characters,
huge and negative numbers, far dates, empty values, lists, nested JSON, wrong
types) in the fields of the page's own form (read from its GET, as a browser
would) or, for the API, in the fields its schema describes. Every persona sends
them. The answer is never a server error; the API answers JSON, and every API
refusal is in its one error format (``{"error": {"code", "message"}}``). A refused
persona's write, whatever its data, changes no row.

Bounded for CI: ``FORM_FUZZ_EXAMPLES`` (default 3) examples for each permitted
persona of each URL, one for each refused persona. Raise it locally to search
harder; a failure prints the persona and the data that broke it.
"""

import json
import os
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trust.endpoints import portal_endpoints
from tests.trust.forms import form_fields
from tests.trust.rules import ALL_PERSONAS, RULES
from tests.trust.test_permission_matrix import Personas, _is_page
from tests.trust.world import PERSONAS, World

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "3"))
WRITE_METHODS = ("POST", "PUT", "PATCH")
SCHEMA_QUERY = {"format": "json"}
# Writes that end the session or sign in: random values only fill in a refusal.
NOT_FUZZED = {"logout"}
# Names worth trying on a POST-only action whose page has no form of its own.
ACTION_FIELDS = ("reason", "version", "comment", "action", "ids", "period", "file")

SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "-0.0",
        "1e309",
        "NaN",
        "Infinity",
        "9223372036854775807",
        "99999999999999999999999999999999",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "2026-02-30",
        "1900-01-01T00:00:00",
        "\x00",
        "\u202e\u200b\ufeff",
        "<script>alert(1)</script>",
        '=HYPERLINK("x")',
        "' OR 1=1 --",
        "../../etc/passwd",
        "[]",
        "{}",
        "[[[[[[[[]]]]]]]]",
        "true",
        "null",
    ]
)
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    SPECIAL,
)
NESTED = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
VALUE = st.one_of(
    SPECIAL,
    st.text(max_size=300),  # any code point but surrogates: controls included
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.lists(st.text(max_size=8), max_size=4),
    NESTED,
)


def _as_form_value(value):
    """What a browser can send for a field: text, or a list of texts."""
    if value is None:
        return ""
    if isinstance(value, list):
        return [
            _as_form_value(v) if not isinstance(v, list) else json.dumps(v)
            for v in value
        ]
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _as_json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and (
        value != value or value in (float("inf"), -float("inf"))
    ):
        return str(value)  # JSON has no NaN or infinity
    return value


def _write_cases():
    cases = []
    for endpoint in portal_endpoints():
        rule = RULES.get(endpoint.key)
        if rule is None or endpoint.key in NOT_FUZZED:
            continue
        for method in WRITE_METHODS:
            expected = rule.methods.get(method)
            # Only where some persona's data is read: allowed, or refused for it.
            if not expected or not {"ok", "400"} & set(expected.values()):
                continue
            if endpoint.key == "api-not-found":
                continue
            cases.append(pytest.param(endpoint, method, id=f"{method} {endpoint.key}"))
    return cases


def _api_fields(personas, path, method) -> list[str]:
    """The request body's fields of ``method path`` in the served schema."""
    response = personas.request(
        "admin", "GET", "/api/schema/", endpoint=None, data={}, query=SCHEMA_QUERY
    )
    schema = json.loads(response.content)
    for template, operations in schema["paths"].items():
        pattern = "^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)) + "$"
        if not re.match(pattern, path):
            continue
        body = operations.get(method.lower(), {}).get("requestBody", {})
        names = set()
        for content in body.get("content", {}).values():
            names |= set(_properties(schema, content.get("schema", {})))
        return sorted(names)
    return []


def _properties(schema, node) -> dict:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    found = dict(node.get("properties", {}))
    for part in node.get("allOf", []) + node.get("oneOf", []):
        found.update(_properties(schema, part))
    return found


def _page_form(personas, path, expected) -> dict:
    """The form of the page as the first persona allowed to write sees it."""
    for persona in ALL_PERSONAS:
        if expected.get(persona) != "ok":
            continue
        response = personas.request(
            persona, "GET", path, endpoint=None, data={}, query={}
        )
        if response.status_code == 200 and _is_page(response):
            return form_fields(response.content)
    return {}


def _problems(endpoint, persona, response, *, refused) -> list[str]:
    status = response.status_code
    problems = []
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        cause = f": {exc[0].__name__}: {exc[1]}" if exc else ""
        problems.append(f"answered {status}{cause}")
    if endpoint.is_api and status != 204 and response.content:
        if not response.get("Content-Type", "").startswith("application/json"):
            problems.append(f"answered {status} in {response.get('Content-Type')}")
        elif status >= 400:
            body = json.loads(response.content)
            error = body.get("error") if isinstance(body, dict) else None
            if not (isinstance(error, dict) and {"code", "message"} <= set(error)):
                problems.append(f"answered {status} outside the error format: {body}")
    if refused and response.changes:
        problems.append("a refused write changed rows: " + " | ".join(response.changes))
    return [f"{persona}: {p}" for p in problems]


@pytest.mark.parametrize(("endpoint", "method"), _write_cases())
def test_random_values_never_break_a_write(endpoint, method, request, db):
    # Each request is rolled back and the cache (throttling included) cleared.
    rule = RULES[endpoint.key]
    expected = rule.methods[method]
    world = World(request)
    personas = Personas({persona: world.user(persona) for persona in PERSONAS})
    path = endpoint.path(**rule.kwargs(world))
    base = dict(rule.data(world))
    if endpoint.is_api:
        fields = _api_fields(personas, path, method) or sorted(base) or ["name"]
    else:
        base = {**_page_form(personas, path, expected), **base}
        fields = sorted(base) or list(ACTION_FIELDS)
    for persona in ALL_PERSONAS:
        allowed = expected.get(persona) == "ok"
        _fuzzer(personas, persona, method, path, endpoint, base, fields, allowed)()


def _fuzzer(personas, persona, method, path, endpoint, base, fields, allowed):
    convert = _as_json_value if endpoint.is_api else _as_form_value

    @given(changes=st.dictionaries(st.sampled_from(fields), VALUE, min_size=1))
    @settings(
        max_examples=EXAMPLES if allowed else 1,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(changes):
        data = {**base, **{k: convert(v) for k, v in changes.items()}}
        response = personas.request(
            persona, method, path, endpoint=endpoint, data=data, query={}
        )
        problems = _problems(endpoint, persona, response, refused=not allowed)
        assert not problems, f"{method} {path} {data!r}\n" + "\n".join(problems)

    return send
