"""A reviewer's home page counts the self-chosen projects (自选项目) waiting for
their approval, and its link opens the project list with exactly those rows."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from planning.home import home_tasks
from planning.services import proposals
from tests.accounts.factories import UserFactory
from tests.unions.factories import grassroots_factory

pytestmark = pytest.mark.django_db

TITLE = "Self-chosen projects waiting for your approval"


def _propose(plan, owner, by, title):
    year = timezone.localdate().year
    data = {
        "title": title,
        "category": "service",
        "responsible_person": "Wang Fang",
        "target_value": "12",
        "target_unit": "sessions",
        "weight": "1",
        "start_date": date(year, 1, 1),
        "due_date": date(year, 12, 31),
    }
    return proposals.project_propose(owner=owner, plan=plan, data=data, by=by)


@pytest.fixture
def waiting(plan, grassroots, grassroots_sibling, other_grassroots, cadre_grass):
    """Two proposals below cadre_sub's union; one returned, one approved, and one
    under the other sub-district, none of which waits for cadre_sub."""
    first = _propose(plan, grassroots, cadre_grass, "Reading corner")
    sibling_cadre = UserFactory(
        username="sibling_cadre_t", union=grassroots_sibling, is_cadre=True
    )
    second = _propose(plan, grassroots_sibling, sibling_cadre, "Night school")
    returned = _propose(plan, grassroots, cadre_grass, "Returned one")
    approved = _propose(plan, grassroots, cadre_grass, "Approved one")
    other_cadre = UserFactory(
        username="other_cadre_t", union=other_grassroots, is_cadre=True
    )
    _propose(plan, other_grassroots, other_cadre, "Elsewhere")
    return first, second, returned, approved


def _decide_all(waiting, cadre_sub):
    _first, _second, returned, approved = waiting
    proposals.project_proposal_decide(
        project=returned, by=cadre_sub, approve=False, comment="Name the venue"
    )
    proposals.project_proposal_decide(project=approved, by=cadre_sub, approve=True)


def _task(user):
    return next((t for t in home_tasks(user) if t.title == TITLE), None)


def test_the_reviewer_sees_the_proposals_waiting_and_the_list_shows_them(
    client_for, cadre_sub, waiting
):
    _decide_all(waiting, cadre_sub)
    task = _task(cadre_sub)
    assert task is not None
    assert task.count == 2
    assert task.url.endswith("?origin=to_decide")

    client = client_for(cadre_sub)
    home = client.get("/").content.decode()
    assert TITLE in home
    assert f'href="{task.url}"' in home
    page = client.get(task.url).content.decode()
    assert re.search(r'data-list-count="(\d+)"', page).group(1) == "2"
    assert "Reading corner" in page
    assert "Night school" in page
    for other in ("Returned one", "Approved one", "Elsewhere"):
        assert other not in page


def test_a_district_reviewer_decides_the_proposals_below_too(reviewer, waiting):
    # Five proposals in the district, none of them decided yet.
    assert _task(reviewer).count == 5


def test_a_cadre_who_does_not_review_has_no_such_task(cadre_grass, waiting):
    assert _task(cadre_grass) is None


def test_the_filter_shows_nothing_to_a_user_who_decides_nothing(
    client_for, cadre_grass, waiting
):
    page = client_for(cadre_grass).get("/projects/?origin=to_decide").content
    assert b'data-list-count="0"' in page


def test_the_reviewers_home_tasks_cost_the_same_queries_for_more_proposals(
    cadre_sub, subdistrict, plan, cadre_grass, waiting
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            home_tasks(cadre_sub)
        return len(queries)

    before = count()
    for n in range(4):
        unit = grassroots_factory(subdistrict, code=f"P{n}")
        by = UserFactory(username=f"proposer_{n}", union=unit, is_cadre=True)
        _propose(plan, unit, by, f"Proposal {n}")
    assert count() == before
    assert _task(cadre_sub).count == 4 + 4  # the fixture's four undecided
