"""Settings of the portal as ``make bench`` serves it: production's
(``unionportal.settings``) plus the benchmark's own app (``seed_bench``) and its
floor page, /bench/floor/ (``bench/urls.py``). bench/run.py sets
DJANGO_SETTINGS_MODULE=bench.settings for every process it starts."""

from unionportal.settings import *  # noqa: F403
from unionportal.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
