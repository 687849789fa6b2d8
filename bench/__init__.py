"""The city-scale benchmark: seeding (``seed_bench``), the floor page and the
worker instrumentation used by ``make bench`` (see docs/performance.md)."""
