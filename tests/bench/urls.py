"""The site's URLs with the floor page wired, as BENCH_FLOOR=1 does at start-up."""

from django.urls import path

from unionportal.bench.views import floor
from unionportal.urls import handler403, handler404, handler500, urlpatterns

urlpatterns = [*urlpatterns, path("bench/floor/", floor, name="bench_floor")]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
