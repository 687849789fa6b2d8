"""Builds the demo district. Each app seeds its own part; every step is idempotent."""

import importlib

from django.db import transaction

from accounts.demo import seed_demo_users
from unions.demo import seed_union_tree

# Apps that extend the demo keep a ``demo.py`` with ``seed(context)``; ``context``
# holds "unions" (code → Union) and "users" (username → User) and may be extended.
EXTENSION_APPS = ("unions", "planning", "assessments")


@transaction.atomic
def seed_demo() -> dict:
    context: dict = {}
    context["unions"] = seed_union_tree()
    context["users"] = seed_demo_users(context["unions"])
    for app in EXTENSION_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(context)
    return context
