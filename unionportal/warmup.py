"""Work a web process would otherwise do on its first requests, done once when
the application is loaded.

gunicorn starts its workers from a loaded master (``--preload`` in the Procfile)
and replaces each after ``--max-requests``. Without this, every new worker paid
on its first pages for compiling the templates, reading the translation
catalogues, building the URL resolver and the release stamp of the cache keys:
1.3–2 s, the p99 spikes of the city bench (docs/performance.md). Done in the
master, a forked worker inherits all of it. Nothing here touches the database:
a connection opened before the fork would be shared by every worker.
"""

import gc
import logging
import time
from pathlib import Path

import django.forms
from django.conf import settings
from django.core.cache import caches
from django.forms.renderers import get_default_renderer
from django.template import engines
from django.template.exceptions import TemplateDoesNotExist, TemplateSyntaxError
from django.urls import get_resolver
from django.utils import translation

from .cache import release

logger = logging.getLogger(__name__)

# Template folders of packages whose pages the portal does not serve to users
# (Django's admin is at DJANGO_ADMIN_PATH for the few who need it).
SKIPPED = ("django/contrib/admin", "rest_framework", "drf_spectacular")


def _template_names(folder: Path):
    for path in folder.rglob("*.html"):
        yield path.relative_to(folder).as_posix()


def _folders(engine):
    """The folders the engine's loaders read (the cached loader wraps them)."""
    seen = []
    for loader in engine.template_loaders:
        for inner in getattr(loader, "loaders", [loader]):
            for folder in inner.get_dirs():
                if Path(folder) not in seen:
                    seen.append(Path(folder))
    return seen


def _engines():
    """The pages' template engine, and the form renderer's own engine (Django's
    widgets), limited to the widgets' folder."""
    for engine in engines.all():
        if hasattr(engine, "engine"):
            yield engine, _folders(engine.engine)
    renderer = get_default_renderer()
    backend = getattr(renderer, "engine", None)
    if backend is not None and hasattr(backend, "engine"):
        forms = Path(django.forms.__file__).parent / "templates"
        yield backend, [f for f in _folders(backend.engine) if f == forms]


def compile_templates() -> int:
    """Compiles every template the pages use, into the cached loaders."""
    count = 0
    for engine, folders in _engines():
        for folder in folders:
            if (
                any(part in folder.as_posix() for part in SKIPPED)
                or not folder.is_dir()
            ):
                continue
            for name in _template_names(folder):
                try:
                    engine.get_template(name)
                except (TemplateDoesNotExist, TemplateSyntaxError, UnicodeDecodeError):
                    # A fragment meant for another engine or a broken third-party
                    # file: compiled (and reported) when a page asks for it.
                    continue
                count += 1
    return count


def warm() -> None:
    started = time.perf_counter()
    release()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Union Work Portal")
    # The cache's client library is imported when the cache is first used.
    for alias in settings.CACHES:
        getattr(caches[alias], "_cache", None)
    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 - builds the resolver's tables
    templates = compile_templates()
    # What is loaded now lives as long as the process: kept out of the garbage
    # collector's scans, so that a forked worker's first collection does not
    # write to (and so copy) every page it shares with the master.
    gc.collect()
    gc.freeze()
    logger.info(
        "warmed up: %d templates, %.2f s", templates, time.perf_counter() - started
    )
