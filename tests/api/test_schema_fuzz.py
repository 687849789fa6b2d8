"""schemathesis over /api/schema/ with a token of each role: whatever it sends, the
API answers no server error and nothing the schema does not describe.

The examples per operation are bounded (``FUZZ_EXAMPLES``, default 8) so that the
whole suite stays within CI time; raise it locally to search harder.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.factories import open_period, published_plan
from unionportal.api.tokens import api_token_create

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
ROLES = ("admin_user", "leader", "reviewer", "cadre_sub", "cadre_grass")


@pytest.fixture
def fuzz_data(district, admin_user, grassroots, other_grassroots, throttle_rates):
    """Some real rows so that generated ids sometimes hit one."""
    throttle_rates(user="100000/min", anon="100000/min")
    published_plan(district, [grassroots, other_grassroots])
    open_period(district, by=admin_user)


@pytest.fixture
def api_schema(fuzz_data):
    config = schemathesis.Config.from_dict(
        {
            "phases": {
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
            "generation": {"mode": "all", "max-examples": EXAMPLES},
        }
    )
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=config
    )


@pytest.fixture(params=ROLES)
def auth_header(request):
    user = request.getfixturevalue(request.param)
    _token, key = api_token_create(user=user, name="fuzz")
    return {"Authorization": f"Token {key}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=CHECKS)
