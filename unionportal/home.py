"""What needs the user now: each app contributes tasks to the home page.

An app keeps a ``home.py`` with ``home_tasks(user) -> list[HomeTask]`` and registers it
from its ``AppConfig.ready()`` with ``register_home_tasks``; the home page gathers them,
so neither this package nor any app has to import the others.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HomeTask:
    title: str
    count: int
    url: str
    icon: str = "check2-square"
    tone: str = "primary"  # a Bootstrap colour: primary, warning, danger, success
    detail: str = ""
    items: list = field(default_factory=list)  # up to a few (label, url) pairs


_PROVIDERS: list[Callable[..., list[HomeTask]]] = []


def register_home_tasks(provider: Callable[..., list[HomeTask]]) -> None:
    """Called once per app from ``ready()``, in the order of INSTALLED_APPS."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def home_tasks_for(user) -> list[HomeTask]:
    tasks: list[HomeTask] = []
    for provider in _PROVIDERS:
        tasks.extend(provider(user))
    return tasks
