from datetime import timedelta

import pytest
from django.utils import timezone

from tests.unions.factories import grassroots_factory, term_factory
from unions.home import home_tasks
from unions.models import TermChange
from unions.services import term_update
from unions.workflow import term_change_advance, term_change_plan


@pytest.fixture
def today():
    return timezone.localdate()


def _by_title(tasks):
    return {str(task.title): task for task in tasks}


def test_admin_sees_overdue_and_due_terms(
    admin_user, grassroots, grassroots_sibling, today
):
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    term_factory(grassroots_sibling, planned_end=today + timedelta(days=20))
    tasks = _by_title(home_tasks(admin_user))
    assert tasks["Overdue office terms"].count == 1
    assert tasks["Office terms falling due"].count == 1
    assert tasks["Overdue office terms"].items[0][0] == grassroots.name


def test_admin_sees_changes_waiting_for_approval(admin_user, grassroots, today):
    term_factory(grassroots)
    change = term_change_plan(union=grassroots, by=admin_user, day=today)
    term_change_advance(
        change=change, step=TermChange.State.SUBMITTED, by=admin_user, day=today
    )
    tasks = _by_title(home_tasks(admin_user))
    assert tasks["Changes of term awaiting approval"].count == 1


def test_cadre_sees_their_overdue_term_and_next_step(
    cadre_grass, grassroots, today, admin_user
):
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    term_change_plan(union=grassroots, by=cadre_grass, day=today)
    tasks = _by_title(home_tasks(cadre_grass))
    assert tasks["Your union's term is overdue"].tone == "danger"
    assert tasks["Change of term: your next step"].count == 1


def test_cadre_with_a_term_far_from_its_end_has_nothing_to_do(
    cadre_grass, grassroots, today
):
    term_factory(grassroots, planned_end=today + timedelta(days=800))
    assert [t.count for t in home_tasks(cadre_grass)] == [0]


def test_leader_gets_no_term_tasks(leader):
    assert home_tasks(leader) == []


def test_admin_home_tasks_cost_the_same_queries_for_more_unions(
    admin_user, subdistrict, today, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        term_factory(
            grassroots_factory(subdistrict), planned_end=today - timedelta(days=5)
        )
    with CaptureQueriesContext(connection) as small:
        home_tasks(admin_user)
    for _ in range(20):
        term_factory(
            grassroots_factory(subdistrict), planned_end=today - timedelta(days=5)
        )
    with django_assert_num_queries(len(small.captured_queries)):
        home_tasks(admin_user)


def test_home_page_shows_the_term_task(client_for, admin_user, grassroots, today):
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    response = client_for(admin_user).get("/")
    assert b"Overdue office terms" in response.content


def test_admin_tasks_follow_a_change_at_once(admin_user, grassroots, today):
    term = term_factory(grassroots, planned_end=today + timedelta(days=20))
    before = _by_title(home_tasks(admin_user))
    assert before["Office terms falling due"].count == 1
    change = term_change_plan(union=grassroots, by=admin_user, day=today)
    term_change_advance(
        change=change, step=TermChange.State.SUBMITTED, by=admin_user, day=today
    )
    term_update(term=term, start=today, length_years=5, number=term.number)
    after = _by_title(home_tasks(admin_user))
    assert after["Office terms falling due"].count == 0
    assert after["Changes of term awaiting approval"].count == 1


def test_admin_tasks_are_cached_between_visits(
    admin_user, grassroots, today, django_assert_num_queries
):
    term_factory(grassroots, planned_end=today - timedelta(days=5))
    home_tasks(admin_user)
    with django_assert_num_queries(1):  # the data version only
        tasks = _by_title(home_tasks(admin_user))
    assert tasks["Overdue office terms"].items[0][0] == grassroots.name
