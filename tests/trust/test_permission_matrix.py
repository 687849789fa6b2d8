"""Every URL of the project, every persona: who gets in, who is refused, and how.

The URLs come from the resolver (tests/trust/endpoints.py), the expectations from
tests/trust/rules.py. Each persona's request runs in a savepoint that is rolled
back, so one persona's write never changes what the next one sees.

Every write proves both sides: a permitted persona's write answers 2xx/3xx and
changes rows (400/409/412/415/428 is not success), a refused one leaves every table
of the portal as it was (tests/snapshots.py compares all rows, all fields). A rule
puts its object in a state the write accepts (``setup``), sends what each persona
may change (``data``, ``persona_data``) and takes the steps before it as the
persona (``prepare``: an import's preview before its confirmation).
"""

import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import EN
from tests.snapshots import snapshot_difference, table_snapshot
from tests.trust.endpoints import admin_site_endpoints, portal_endpoints
from tests.trust.forms import form_fields
from tests.trust.html import inline_script_problems
from tests.trust.rules import ALL_PERSONAS, PERMITTED_SIDE_PENDING, RULES
from tests.trust.world import PERSONAS, World
from unionportal.xlsx import XLSX_CONTENT_TYPE

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# A write refused for its data or the object's state ("400" in the rules).
PROCESSED_REFUSALS = (400, 409, 412, 415, 428)
DERIVED = "derived from GET"


def _cases():
    cases = []
    for endpoint in portal_endpoints():
        suffix = "" if endpoint.key in RULES else "-NO-RULE"
        cases.append(pytest.param(endpoint, id=f"{endpoint.key}{suffix}"))
    return cases


def _outcome(response, *, endpoint, method) -> str:
    """What a response means: ok, login, 302, 403, 404, 405 or the bare status."""
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303) and location.startswith(reverse("login")):
        return "login"
    if endpoint.is_api and status == 401:
        return "login"
    if status in (403, 404, 405):
        return str(status)
    if method == "GET":
        if status == 200:
            return "ok"
        if status in (301, 302, 303):
            return "302"
        return str(status)
    if status in (301, 302, 303):
        return "302"
    if 200 <= status < 400:
        return "ok"
    if status in PROCESSED_REFUSALS:
        return "400"
    return str(status)


def _accepted(
    expected: str, persona: str, *, endpoint, method, get_outcome=None
) -> set[str]:
    if expected == "ok" and method != "GET" and endpoint.key in PERMITTED_SIDE_PENDING:
        # Not proven yet (see rules.py): done, or refused for its data or state.
        return {"ok", "302", "400"}
    if expected == DERIVED:
        # A page that declares no POST: a POST gets no further than a GET did, and a
        # read-only leader is refused whatever the page.
        allowed = {"403", "404", "405", "login"}
        if get_outcome in ("ok", "302") and persona != "leader":
            allowed |= {get_outcome, "ok"}
        return allowed
    if expected == "login" and persona == "anonymous" and endpoint.is_api:
        return {"login", "403"}
    if expected == "ok" and method != "GET":
        # Allowed and done: 2xx or 3xx (the rule's data is valid, so a refusal for
        # the data or the object's state would hide a broken permission).
        return {"ok", "302"}
    return {expected}


def _is_file(value) -> bool:
    return hasattr(value, "seek")


def _request(client, method, path, *, endpoint, data, query):
    for value in data.values():
        if _is_file(value):  # an uploaded file: each persona sends all of it
            value.seek(0)
    if method == "GET":
        return client.get(path, query)
    if endpoint.is_api and any(_is_file(v) for v in data.values()):
        # An upload: multipart, as a client sends it.
        return client.generic(
            method,
            path,
            encode_multipart(BOUNDARY, data),
            content_type=MULTIPART_CONTENT,
        )
    if endpoint.is_api:
        return client.generic(
            method,
            path,
            json.dumps(data),
            content_type="application/json",
            headers={"If-Match": "*"} if method in ("PUT", "PATCH") else {},
        )
    return client.post(path, data)


def _form_to_post(endpoint, expected, forms) -> dict:
    """A page's POST sends what a permitted persona's browser would: the form of
    its GET (the rule's data is laid over it). Refused personas send the same."""
    if endpoint.is_api:
        return {}
    for persona, outcome in expected.items():
        if outcome == "ok" and forms.get(persona):
            return forms[persona]
    return {}


def _is_page(response) -> bool:
    return not response.streaming and response.get("Content-Type", "").startswith(
        "text/html"
    )


def _write_problems(rule, expected, got, response, *, where, pending) -> list[str]:
    """A permitted write changed rows; any other write changed none."""
    if not rule.changes:  # signing in and out, choosing a language, a preview
        shown = response.content.decode(errors="replace")
        if rule.done_text and expected == got == "ok" and rule.done_text not in shown:
            return [f"{where}: answered {got} without {rule.done_text!r}"]
        return []
    changes = response.changes
    if expected == "ok" and got in ("ok", "302", "400"):
        if got != "400" and not changes and not pending:
            return [f"{where}: answered {_describe(response)} but changed no row"]
        touched = {line.split(":", 1)[0]: line for line in changes}
        if got == "400" or not rule.table or pending:
            return []
        if rule.table not in touched:
            return [
                f"{where}: answered {_describe(response)} but changed no "
                f"{rule.table} row, only: " + " | ".join(changes)
            ]
        if _only_bookkeeping(touched[rule.table]):
            return [f"{where}: saved without a change: {touched[rule.table]}"]
        return []
    if changes:
        return [f"{where}: answered {got} but changed rows: " + " | ".join(changes)]
    return []


# Written by every save, whether anything changed or not.
BOOKKEEPING = {"updated_at", "version"}


def _only_bookkeeping(line: str) -> bool:
    """Whether a table's line of tests/snapshots.py's difference shows rows that
    only changed their bookkeeping (``changed #3 ['updated_at']``): a form saved
    as it was, not a write."""
    if "added" in line or "removed" in line:
        return False
    changed = re.findall(r"changed #\d+ \[([^\]]*)\]", line)
    fields = {name for part in changed for name in re.findall(r"'(\w+)'", part)}
    return bool(changed) and fields <= BOOKKEEPING


def _describe(response) -> str:
    text = f"{response.status_code}"
    if response.get("Location"):
        text += f" → {response['Location']}"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        text += f" raised {exc_info[0].__name__}: {exc_info[1]}"
    return text


def _body_text(response) -> str:
    """What a person would read in the response: the page, or a workbook's cells."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE):
        sheets = load_workbook(io.BytesIO(content), read_only=True).worksheets
        return "\n".join(
            str(value)
            for sheet in sheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode(errors="replace")


def _page_problems(response) -> list[str]:
    if response.status_code != 200:
        return []
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    problems = []
    if "script-src 'self'" not in response.get("Content-Security-Policy", ""):
        problems.append("no Content-Security-Policy")
    problems += inline_script_problems(response.content.decode(errors="replace"))
    return problems


class Personas:
    """One signed-in client per persona; each request is rolled back afterwards."""

    def __init__(self, users):
        self.clients = {"anonymous": Client(raise_request_exception=False, headers=EN)}
        for persona, user in users.items():
            client = Client(raise_request_exception=False, headers=EN)
            client.force_login(user, backend="accounts.backends.UnionModelBackend")
            self.clients[persona] = client

    def request(self, persona, method, path, *, endpoint, data, query, prepare=None):
        """The response, and for a write what it changed (see tests/snapshots.py).
        ``prepare(client)`` runs first, in the same savepoint, and returns data laid
        over ``data``."""
        changes: list[str] = []
        with transaction.atomic():
            if prepare is not None:
                data = {**data, **prepare(self.clients[persona])}
            before = table_snapshot() if method != "GET" else None
            response = _request(
                self.clients[persona],
                method,
                path,
                endpoint=endpoint,
                data=data,
                query=query,
            )
            if before is not None:
                changes = snapshot_difference(before, table_snapshot())
            transaction.set_rollback(True)
        cache.clear()
        response.changes = changes
        return response


def _personas_to_ask(expected: dict[str, str]) -> tuple[str, ...]:
    """Everyone; but a method not offered at all is the same for every signed-in
    persona, so asking the administrator (and the leader, refused earlier by the
    read-only rule) is enough."""
    others = {expected[p] for p in PERSONAS if p != "leader"}
    if others == {"405"}:
        return ("anonymous", "admin", "leader")
    return ALL_PERSONAS


def _methods(rule, endpoint) -> list[str]:
    methods = list(rule.methods)
    if "POST" not in methods and not endpoint.is_api:
        methods.append("POST")
    if "GET" in methods:  # GET first: an undeclared POST is judged against it
        methods.remove("GET")
        methods.insert(0, "GET")
    return methods


@pytest.mark.parametrize("endpoint", _cases())
def test_permission_matrix(endpoint, request, db):
    rule = RULES.get(endpoint.key)
    if rule is None:
        pytest.fail(
            f"{endpoint.key} ({endpoint.route}) has no rule: add one to "
            "tests/trust/rules.py saying which personas may read and change it."
        )
    world = World(request)
    personas = Personas({persona: world.user(persona) for persona in PERSONAS})
    if rule.setup:
        rule.setup(world)
    path = endpoint.path(**rule.kwargs(world))
    hidden = rule.hidden(world) if rule.hidden else {}
    shown = rule.shown(world) if rule.shown else {}
    failures = []
    get_outcomes: dict[str, str] = {}
    forms: dict[str, dict] = {}
    for method in _methods(rule, endpoint):
        expected = rule.methods.get(method) or {p: DERIVED for p in ALL_PERSONAS}
        data = {}
        if method in WRITE_METHODS:
            form = _form_to_post(endpoint, expected, forms) if rule.changes else {}
            data = {**form, **rule.data(world)}
        for persona in _personas_to_ask(expected):
            sent = data
            if method in WRITE_METHODS and rule.persona_data:
                sent = {**data, **rule.persona_data(world, persona)}
            prepare = None
            if method in WRITE_METHODS and rule.prepare:

                def prepare(client, rule=rule):
                    return rule.prepare(world, client)

            response = personas.request(
                persona,
                method,
                path,
                endpoint=endpoint,
                data=sent,
                query=rule.query,
                prepare=prepare,
            )
            got = _outcome(response, endpoint=endpoint, method=method)
            if method == "GET":
                get_outcomes[persona] = got
                if got == "ok" and _is_page(response):
                    forms[persona] = form_fields(response.content)
            accepted = _accepted(
                expected[persona],
                persona,
                endpoint=endpoint,
                method=method,
                get_outcome=get_outcomes.get(persona),
            )
            where = f"{method} {persona}"
            if got not in accepted:
                failures.append(
                    f"{where}: expected {'/'.join(sorted(accepted))}, "
                    f"got {got} ({_describe(response)})"
                )
                continue
            if method != "GET":
                failures += _write_problems(
                    rule,
                    expected[persona],
                    got,
                    response,
                    where=where,
                    pending=endpoint.key in PERMITTED_SIDE_PENDING,
                )
                continue
            failures += [f"{where}: {p}" for p in _page_problems(response)]
            if not (hidden.get(persona) or shown.get(persona)):
                continue
            body = _body_text(response)
            for text in hidden.get(persona, []):
                if text in body:
                    failures.append(f"{where}: shows {text!r}, outside its scope")
            for text in shown.get(persona, []):
                if text not in body:
                    failures.append(f"{where}: does not list {text!r}, in its scope")
    assert not failures, f"{path}\n" + "\n".join(failures)


def test_every_url_has_exactly_one_rule():
    keys = {endpoint.key for endpoint in portal_endpoints()}
    missing = sorted(keys - set(RULES))
    stale = sorted(set(RULES) - keys)
    assert not missing, f"URLs without a rule in tests/trust/rules.py: {missing}"
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_pending_permitted_sides_name_writes_that_exist():
    # The set only shrinks (it is empty now): a key in it must still be a URL
    # with a rule that permits some persona a write.
    for key in PERMITTED_SIDE_PENDING:
        rule = RULES.get(key)
        assert rule is not None, f"{key} in PERMITTED_SIDE_PENDING has no rule"
        assert any(
            "ok" in rule.methods.get(method, {}).values() for method in WRITE_METHODS
        ), f"{key} in PERMITTED_SIDE_PENDING permits no write"


# --- Django's admin site: no portal role gets in ---------------------------------------

ADMIN_SITE_EXCEPTIONS = {
    "admin:login": "ok",  # the sign-in form itself
    "admin:logout": "index",  # non-staff are sent to the index, which asks to sign in
}


def test_admin_site_is_closed_to_every_portal_role(request, db):
    # Entry is decided by is_staff, which no portal role has: the anonymous
    # visitor, the portal's administrator and a read-only leader stand for all.
    world = World(request)
    personas = Personas({p: world.user(p) for p in ("admin", "leader")})
    admin_login = reverse("admin:login")
    failures = []
    for endpoint in admin_site_endpoints():
        path = endpoint.sample_path()
        expected = ADMIN_SITE_EXCEPTIONS.get(endpoint.key)
        for persona in ("anonymous", "admin", "leader"):
            response = personas.request(
                persona, "GET", path, endpoint=endpoint, data={}, query={}
            )
            if expected == "ok":
                good = response.status_code in (200, 302)
            elif expected == "index":
                good = response.status_code == 302 and response["Location"] == reverse(
                    "admin:index"
                )
            else:
                good = response.status_code == 302 and response["Location"].startswith(
                    admin_login
                )
            if not good:
                failures.append(f"GET {path} as {persona}: {_describe(response)}")
    assert not failures, "\n".join(failures)
