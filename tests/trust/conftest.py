"""Shared pieces of the trust suite.

Tests marked ``chaos`` kill workers and stop Redis; they run only when asked for
(``make test-chaos`` → ``pytest -m chaos``), never in the ordinary ``make test``.
"""

import pytest


def pytest_collection_modifyitems(config, items):
    if "chaos" in (config.option.markexpr or ""):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("chaos") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def csrf_client():
    from django.test import Client

    return Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
