"""schemathesis over /api/schema/ with a token of each role: whatever it sends, the
API answers no server error and nothing the schema does not describe.

Every operation of the served schema gets up to ``FUZZ_EXAMPLES`` (default 5)
generated valid requests, each sent as every role, and half as many invalid ones,
sent as an administrator and as a grassroots cadre; the bound keeps the suite
within CI time. Raise it locally to search harder.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import api_token_create
from tests.api.factories import open_period, published_plan

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
ROLES = ("admin_user", "leader", "reviewer", "cadre_sub", "cadre_grass")
# Invalid input is refused before roles matter; two roles cover both paths.
NEGATIVE_ROLES = ("admin_user", "cadre_grass")


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: the WSGI handler must not close the database
    connection after each request, which would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(
    district,
    admin_user,
    grassroots,
    other_grassroots,
    throttle_rates,
    keep_test_connection,
):
    # Real rows, so that generated ids sometimes hit one; no throttling in the way.
    throttle_rates(user="1000000/min", anon="1000000/min")
    published_plan(district, [grassroots, other_grassroots])
    open_period(district, by=admin_user)
    # The schema is for signed-in people: read it with an administrator's token.
    _token, key = api_token_create(user=admin_user, name="schema")
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        get_wsgi_application(),
        headers={"Authorization": f"Token {key}"},
    )


def _fuzz(operation, mode, role_headers) -> str | None:
    if mode == GenerationMode.NEGATIVE:
        role_headers = {r: h for r, h in role_headers.items() if r in NEGATIVE_ROLES}
        examples = max(EXAMPLES // 2, 1)
    else:
        examples = EXAMPLES

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        # One generated request, sent as every role: what one may do, another may
        # not, and all of them must answer within the schema.
        for role, headers in role_headers.items():
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:
                exc.add_note(f"as {role}")
                raise

    try:
        run()
    except Unsatisfiable:
        # Nothing invalid can be generated for this operation (no parameters).
        return None
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all are shown
        notes = " ".join(getattr(exc, "__notes__", []))
        return f"{mode.value} {operation.label} {notes}: {type(exc).__name__}: {exc}"[
            :3000
        ]
    return None


def test_api_answers_within_its_schema(api_schema, request):
    role_headers = {}
    for role in ROLES:
        _token, key = api_token_create(user=request.getfixturevalue(role), name="fuzz")
        role_headers[role] = {"Authorization": f"Token {key}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _fuzz(operation, mode, role_headers))
    ]
    assert failures == []
