"""The ``/api/v1/`` router: each app's ``api`` package has ``register(router)``.

The root URL configuration (unionportal/api_urls.py), where Django wires the apps
together, passes those functions in; this module imports no app.
"""

from collections.abc import Callable, Iterable

from rest_framework.routers import DefaultRouter


class PortalRouter(DefaultRouter):
    include_format_suffixes = False


def build_router(registrars: Iterable[Callable[[PortalRouter], None]]) -> PortalRouter:
    router = PortalRouter()
    for register in registrars:
        register(router)
    return router
