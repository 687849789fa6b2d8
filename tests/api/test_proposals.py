"""Self-chosen projects through the API: /api/v1/project-proposals/."""

import pytest
from django.utils import timezone

from accounts.models import Notification
from planning.models import KeyWorkProject
from tests.planning.factories import WorkPlanFactory
from tests.snapshots import assert_unchanged

PROPOSALS = "/api/v1/project-proposals/"
PROJECTS = "/api/v1/projects/"


@pytest.fixture
def plan(district):
    return WorkPlanFactory(owner=district)


def _body(plan, **extra):
    year = timezone.localdate().year
    return {
        "plan": plan.pk,
        "title": "Reading corner",
        "category": "service",
        "target_value": "12",
        "target_unit": "sessions",
        "start_date": f"{year}-01-01",
        "due_date": f"{year}-12-31",
    } | extra


@pytest.fixture
def proposed(api_for, cadre_grass, plan):
    response = api_for(cadre_grass).post(PROPOSALS, _body(plan), format="json")
    assert response.status_code == 201, response.json()
    return KeyWorkProject.objects.get(pk=response.json()["id"])


def _state(project):
    return KeyWorkProject.objects.filter(pk=project.pk).values(
        "proposal_status", "proposal_comment", "decided_by"
    )[0]


def test_a_cadre_proposes_through_the_api(api_for, cadre_grass, cadre_sub, plan):
    response = api_for(cadre_grass).post(PROPOSALS, _body(plan), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["self_chosen"], body["proposal_status"], body["item"]) == (
        True,
        "proposed",
        None,
    )
    assert Notification.objects.filter(
        recipient=cadre_sub, kind="planning.project_proposed"
    ).exists()
    listed = api_for(cadre_sub).get(PROJECTS, {"proposal_status": "proposed"}).json()
    assert [p["id"] for p in listed["results"]] == [body["id"]]


def test_a_proposal_with_an_out_of_bounds_date_is_refused(api_for, cadre_grass, plan):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            PROPOSALS, _body(plan, due_date="9999-12-31"), format="json"
        )
    assert response.status_code == 400
    assert "due_date" in response.json()["error"]["fields"]
    assert not KeyWorkProject.objects.exists()


def test_a_leader_gets_403_proposing(api_for, leader, plan):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = signed_in.post(PROPOSALS, _body(plan), format="json")
    assert response.status_code == 403
    assert not KeyWorkProject.objects.exists()


def test_the_reviewer_above_approves(api_for, cadre_sub, cadre_grass, proposed):
    response = api_for(cadre_sub).post(f"{PROPOSALS}{proposed.pk}/approve/", {})
    assert response.status_code == 200, response.json()
    assert response.json()["proposal_status"] == "approved"
    assert _state(proposed)["decided_by"] == cadre_sub.pk
    assert Notification.objects.filter(
        recipient=cadre_grass, kind="planning.project_proposal_decided"
    ).exists()


def test_returning_needs_a_comment(api_for, cadre_sub, proposed):
    client = api_for(cadre_sub)
    before = _state(proposed)
    with assert_unchanged():
        missing = client.post(f"{PROPOSALS}{proposed.pk}/return/", {}, format="json")
    assert missing.status_code == 400
    assert "comment" in missing.json()["error"]["fields"]
    assert _state(proposed) == before
    response = client.post(
        f"{PROPOSALS}{proposed.pk}/return/", {"comment": "Too vague"}, format="json"
    )
    assert response.status_code == 200
    assert _state(proposed)["proposal_status"] == "returned"


def test_an_outsider_gets_404(api_for, outsider, proposed):
    before = _state(proposed)
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.post(f"{PROPOSALS}{proposed.pk}/approve/", {})
    assert response.status_code == 404
    assert _state(proposed) == before


def test_the_proposing_cadre_cannot_approve_their_own(api_for, cadre_grass, proposed):
    before = _state(proposed)
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(f"{PROPOSALS}{proposed.pk}/approve/", {})
    assert response.status_code == 403
    assert _state(proposed) == before
