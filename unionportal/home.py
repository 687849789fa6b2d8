"""What needs the user now: each app contributes tasks to the home page.

An app keeps a ``home.py`` with ``home_tasks(user) -> list[HomeTask]``; the home
page gathers them, so no app has to know about the others.
"""

import importlib
from dataclasses import dataclass, field

APPS_WITH_TASKS = ("unions", "planning", "assessments")


@dataclass(frozen=True)
class HomeTask:
    title: str
    count: int
    url: str
    icon: str = "check2-square"
    tone: str = "primary"  # a Bootstrap colour: primary, warning, danger, success
    detail: str = ""
    items: list = field(default_factory=list)  # up to a few (label, url) pairs


def home_tasks_for(user) -> list[HomeTask]:
    tasks: list[HomeTask] = []
    for app in APPS_WITH_TASKS:
        try:
            module = importlib.import_module(f"{app}.home")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.home":
                raise
            continue
        tasks.extend(module.home_tasks(user))
    return tasks
