"""Request rates for the API, read at request time so a deployment (or a test) can
change ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` without a restart of Python."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class AnonThrottle(throttling.AnonRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(throttling.UserRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
