"""API fixtures: clients that sign in with a personal token, as programs do."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client():
    return APIClient(headers={"accept-language": "en"})


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
