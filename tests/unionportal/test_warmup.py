"""The web process's warm-up (unionportal/warmup.py): what a new gunicorn worker
would do on its first requests is done once, before the fork, and without the
database (a connection opened before the fork would be shared by the workers)."""

import gc

from django.template import engines

from unionportal import warmup


def _cached(name: str) -> bool:
    loader = engines["django"].engine.template_loaders[0]
    return any(key.startswith(name) for key in loader.get_template_cache)


def test_warm_compiles_the_pages_templates_and_reads_no_database():
    # No database fixture: a query (or a connection) here raises.
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    assert not _cached("planning/project_list.html")
    try:
        warmup.warm()
        assert _cached("planning/project_list.html")
        assert _cached("base.html")
        # The crispy pack's field templates, which forms render on a first visit.
        assert _cached("bootstrap5/field.html")
        # Django's admin and the API's browsable pages are not among them.
        assert not _cached("admin/base.html")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_every_template_of_the_portal_compiles():
    """A template that does not compile would break a page on its first visit;
    the warm-up compiles them all (and skips nothing of the portal's)."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "templates"
    names = list(warmup._template_names(folder))
    assert len(names) > 100
    for name in names:
        engines["django"].get_template(name)
