"""unionportal/demo.py: the steps run in order, and not at all once present."""

import pytest

from unionportal import demo


@pytest.fixture
def steps(monkeypatch):
    monkeypatch.setattr(demo, "_STEPS", {})
    return demo


def test_every_step_runs_in_order_when_the_demo_is_missing(steps, db):
    ran = []
    steps.register_demo(20, lambda c: ran.append("b"), present=lambda c: False)
    steps.register_demo(10, lambda c: ran.append("a"), present=lambda c: True)
    context = steps.seed_demo()
    assert ran == ["a", "b"]
    assert context["seeded"] is True


def test_nothing_runs_when_every_step_is_present(steps, db):
    ran = []

    def present(context):
        context["logins"] = ("demo", [])
        return True

    steps.register_demo(10, lambda c: ran.append("a"), present=present)
    steps.register_demo(20, lambda c: ran.append("b"), present=lambda c: True)
    context = steps.seed_demo()
    assert ran == []
    assert context == {"logins": ("demo", []), "seeded": False}


def test_a_step_that_cannot_tell_makes_the_demo_seed(steps, db):
    ran = []
    steps.register_demo(10, lambda c: ran.append("a"), present=lambda c: True)
    steps.register_demo(20, lambda c: ran.append("b"))
    assert steps.seed_demo()["seeded"] is True
    assert ran == ["a", "b"]


def test_refresh_runs_every_step_even_when_present(steps, db):
    ran = []
    steps.register_demo(10, lambda c: ran.append("a"), present=lambda c: True)
    assert steps.seed_demo(refresh=True)["seeded"] is True
    assert ran == ["a"]


def test_the_apps_register_a_presence_check_for_every_step():
    # Restored by the apps' ready(): a step without one would seed on every run.
    assert demo._STEPS
    assert all(present is not None for _order, present in demo._STEPS.values())
