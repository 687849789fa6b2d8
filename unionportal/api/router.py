"""The ``/api/v1/`` routes: each app's ``api`` package has ``register(router)``."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_APPS = ("unions", "planning", "assessments")


class PortalRouter(DefaultRouter):
    include_format_suffixes = False


def build_router() -> PortalRouter:
    router = PortalRouter()
    for app in API_APPS:
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            # An app without an API yet; any other missing import is a real error.
            if exc.name != f"{app}.api":
                raise
            continue
        module.register(router)
    return router
