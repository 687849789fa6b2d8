"""Builds the demo district. Each app seeds its own part; every step is idempotent.

Apps register their steps from ``AppConfig.ready()`` with ``register_demo(order,
seed)``; ``seed(context)`` reads and extends ``context`` (``"unions"``: code →
Union, ``"users"``: username → User, ``"logins"``: the demo sign-ins to print).
This module names no app: the order numbers say who runs first.
"""

from collections.abc import Callable

from django.db import transaction

_STEPS: dict[Callable[[dict], None], int] = {}


def register_demo(order: int, seed: Callable[[dict], None]) -> None:
    _STEPS[seed] = order


@transaction.atomic
def seed_demo() -> dict:
    context: dict = {}
    for seed, _order in sorted(_STEPS.items(), key=lambda step: step[1]):
        seed(context)
    return context
