"""System checks for deployment settings that are easy to get wrong."""

import os

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register("security", deploy=True)
def proxy_count_check(app_configs, **kwargs):
    """Behind a TLS proxy with PROXY_COUNT left unset, one proxy is assumed; say so,
    because a wrong count makes every client look like the proxy (and five wrong
    passwords from anyone would then lock a real user out)."""
    if settings.BEHIND_TLS_PROXY and "PROXY_COUNT" not in os.environ:
        return [
            CheckWarning(
                "BEHIND_TLS_PROXY is on and PROXY_COUNT is not set: one proxy is "
                "assumed for client addresses (sign-in lockout, audit log).",
                hint="Set PROXY_COUNT to the number of proxies in front of the portal.",
                id="unionportal.W001",
            )
        ]
    return []
