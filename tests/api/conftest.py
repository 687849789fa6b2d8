"""API fixtures: clients that sign in with a personal token, as programs do."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create


@pytest.fixture
def api_client():
    return APIClient(headers={"accept-language": "en"})


@pytest.fixture
def api_for():
    """``api_for(user)``: a fresh API client sending that user's new token."""

    def make(user):
        _token, key = api_token_create(user=user, name="test")
        client = APIClient(headers={"accept-language": "en"})
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def throttle_rates(settings):
    """Sets the API's request rates for one test: ``throttle_rates(anon=.., user=..)``."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates
