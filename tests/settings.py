"""Settings for the test suite: production's (``unionportal.settings``) plus the
switches only tests use. pytest loads it (pyproject.toml), and the chaos tests'
workers start with it."""

from unionportal.settings import *  # noqa: F403
from unionportal.settings import INSTALLED_APPS, env

# The benchmark's seeding command and floor page are tested too (tests/bench).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# Seconds a report build waits half-way, so that tests/trust/test_chaos.py can kill
# a worker in the middle of it (0: no pause).
REPORT_BUILD_TEST_PAUSE = env.float("REPORT_BUILD_TEST_PAUSE", default=0.0)
