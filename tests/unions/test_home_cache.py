"""A cadre's office-term tasks on the home page are kept in the cache per union
(unions/home.py): every write that changes them shows on the next visit, the day
is part of the key, and no union or language is ever served another's."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.unions.factories import term_factory
from unions.home import home_tasks
from unions.models import TermChange
from unions.services import term_close, term_update
from unions.workflow import term_change_advance, term_change_plan

OVERDUE = "Your union's term is overdue"
DUE = "Your union's term falls due"
NEXT_STEP = "Change of term: your next step"


@pytest.fixture
def today():
    return timezone.localdate()


def shown(client) -> dict:
    """The home page's tasks by title (those with nothing to do too)."""
    response = client.get("/")
    assert response.status_code == 200
    tasks = [*response.context["tasks"], *response.context["quiet_tasks"]]
    return {str(task.title): task for task in tasks}


@pytest.fixture
def home(client_for, cadre_grass):
    """The cadre's home page, visited once so that the tasks are kept."""
    client = client_for(cadre_grass)
    tasks = shown(client)
    assert OVERDUE not in tasks
    assert DUE not in tasks
    assert tasks[NEXT_STEP].count == 0
    return client


def test_the_tasks_are_kept_between_visits(
    cadre_grass, grassroots, today, django_assert_num_queries
):
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    home_tasks(cadre_grass)
    with django_assert_num_queries(1):  # the unions' data version only
        tasks = {str(t.title): t for t in home_tasks(cadre_grass)}
    assert tasks[OVERDUE].count == 1


def test_a_term_recorded_corrected_and_ended_shows_next_visit(home, grassroots, today):
    term = term_factory(grassroots, planned_end=today - timedelta(days=5))
    assert shown(home)[OVERDUE].url == term.get_absolute_url()
    term_update(
        term=term,
        start=today - timedelta(days=365),
        length_years=5,
        number=term.number,
    )
    assert OVERDUE not in shown(home)
    term_update(
        term=term,
        start=term.start - timedelta(days=4 * 365),
        length_years=5,
        number=term.number,
    )
    assert DUE in shown(home)
    term_close(term=term, end=today)
    tasks = shown(home)
    assert DUE not in tasks
    assert OVERDUE not in tasks


def test_a_change_of_term_moved_on_shows_next_visit(
    home, grassroots, cadre_grass, admin_user, today
):
    term_factory(grassroots, planned_end=today + timedelta(days=800))
    change = term_change_plan(union=grassroots, by=cadre_grass, day=today)
    task = shown(home)[NEXT_STEP]
    assert (task.count, task.detail) == (1, "Submit the request to the higher union")
    assert task.url == change.get_absolute_url()
    term_change_advance(
        change=change, step=TermChange.State.SUBMITTED, by=cadre_grass, day=today
    )
    assert shown(home)[NEXT_STEP].count == 0  # the higher union's turn
    term_change_advance(
        change=change, step=TermChange.State.APPROVED, by=admin_user, day=today
    )
    assert shown(home)[NEXT_STEP].detail == "Record the election"


def test_the_next_day_is_computed_afresh(home, grassroots, monkeypatch):
    term = term_factory(grassroots, planned_end=timezone.localdate())
    monkeypatch.setattr(timezone, "localdate", lambda *args: term.planned_end)
    assert DUE in shown(home)
    day_after = term.planned_end + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: day_after)
    assert OVERDUE in shown(home)


def test_cadres_of_two_unions_get_their_own_tasks(
    client, grassroots, grassroots_sibling, cadre_grass, today
):
    sibling_cadre = UserFactory(
        username="sibling_cadre", union=grassroots_sibling, is_cadre=True
    )
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    term_factory(grassroots_sibling, planned_end=today + timedelta(days=800))
    term_change_plan(union=grassroots_sibling, by=sibling_cadre, day=today)
    for user, overdue, steps in (
        (sibling_cadre, False, 1),
        (cadre_grass, True, 0),
        (sibling_cadre, False, 1),
    ):
        client.force_login(user, backend="accounts.backends.UnionModelBackend")
        tasks = shown(client)
        assert (OVERDUE in tasks, tasks[NEXT_STEP].count) == (overdue, steps)


def test_chinese_and_english_are_kept_apart(cadre_grass, grassroots, today):
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    cadre_grass.language = ""
    cadre_grass.save(update_fields=["language"])
    english = Client(headers={"accept-language": "en"})
    chinese = Client(headers={"accept-language": "zh-CN"})
    for client in (english, chinese):
        client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    assert OVERDUE in shown(english)
    assert "本工会已逾期未换届" in shown(chinese)
    assert OVERDUE in shown(english)
