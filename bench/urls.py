"""The portal's URLs plus the benchmark's floor page (bench/settings.py)."""

from django.urls import path

from bench.views import floor
from unionportal.urls import handler403, handler404, handler500, urlpatterns

urlpatterns = [*urlpatterns, path("bench/floor/", floor, name="bench_floor")]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
