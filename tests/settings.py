"""Settings for the test suite: production's (``unionportal.settings``) plus the
switches only tests use. pytest loads it (pyproject.toml), and the chaos tests'
workers start with it."""

import os
from urllib.parse import urlsplit, urlunsplit

from unionportal.settings import *  # noqa: F403
from unionportal.settings import INSTALLED_APPS, env

# The benchmark's seeding command and floor page are tested too (tests/bench).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# Seconds a report build waits half-way, so that tests/trust/test_chaos.py can kill
# a worker in the middle of it (0: no pause).
REPORT_BUILD_TEST_PAUSE = env.float("REPORT_BUILD_TEST_PAUSE", default=0.0)

# pytest-xdist: each worker has its own test database (pytest-django adds _gw0,
# _gw1... to its name) and, with Redis, its own Redis database for the cache, since
# the tests clear the cache between tests and read parts cached under the same keys.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and "LOCATION" in CACHES["default"]:  # noqa: F405
    _parts = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    _base = int(_parts.path.strip("/") or 0)
    _db = (_base + 1 + int(_WORKER[2:])) % 16
    CACHES["default"]["LOCATION"] = urlunsplit(_parts._replace(path=f"/{_db}"))  # noqa: F405
