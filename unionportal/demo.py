"""Builds the demo district. Each app seeds its own part; every step is idempotent.

Apps register their steps from ``AppConfig.ready()`` with ``register_demo(order,
seed, present=...)``; ``seed(context)`` reads and extends ``context``
(``"unions"``: code → Union, ``"users"``: username → User, ``"logins"``: the demo
sign-ins to print). ``present(context)`` answers, in a query or two, whether the
step's part is already there for today (and fills the context keys its ``seed``
would have filled, e.g. the logins); when every step says so, ``seed_demo`` does
nothing, so a second ``make run`` starts at once. ``refresh=True`` runs every step
anyway (they are idempotent). This module names no app: the order numbers say who
runs first.
"""

from collections.abc import Callable

from django.db import transaction

Step = Callable[[dict], None]
Present = Callable[[dict], bool]

_STEPS: dict[Step, tuple[int, Present | None]] = {}


def register_demo(order: int, seed: Step, *, present: Present | None = None) -> None:
    _STEPS[seed] = (order, present)


def _ordered() -> list[tuple[Step, Present | None]]:
    steps = sorted(_STEPS.items(), key=lambda step: step[1][0])
    return [(seed, present) for seed, (_order, present) in steps]


def demo_present(context: dict | None = None) -> bool:
    """True when every step's part of the demo is in the database (a step that
    cannot tell counts as missing)."""
    context = {} if context is None else context
    return all(present is not None and present(context) for _s, present in _ordered())


def seed_demo(*, refresh: bool = False) -> dict:
    """Seeds the demo; returns its context with ``"seeded"``: False when the demo
    was already present and nothing was written."""
    context: dict = {}
    if not refresh and demo_present(context):
        context["seeded"] = False
        return context
    context = {}
    with transaction.atomic():
        for seed, _present in _ordered():
            seed(context)
    context["seeded"] = True
    return context
