"""Self-chosen projects (自选项目): a unit proposes a project of its own, the union
above approves or returns it, the proposer hears, and only an approved one counts."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from planning.models import KeyWorkProject
from planning.selectors import assessment_facts
from planning.services import proposals
from tests.accounts.factories import UserFactory
from tests.snapshots import assert_unchanged

pytestmark = pytest.mark.django_db


def _year():
    return timezone.localdate().year


def _data(plan, **extra):
    year = _year()
    return {
        "plan": plan.pk,
        "title": "Lakeside workers' reading corner",
        "category": "service",
        "responsible_person": "Wang Fang",
        "target_value": "12",
        "target_unit": "sessions",
        "weight": "1",
        "start_date": f"{year}-01-01",
        "due_date": f"{year}-12-31",
    } | extra


@pytest.fixture
def proposed(plan, grassroots, cadre_grass):
    data = _data(plan)
    data.pop("plan")
    data["start_date"] = date.fromisoformat(data["start_date"])
    data["due_date"] = date.fromisoformat(data["due_date"])
    return proposals.project_propose(
        owner=grassroots, plan=plan, data=data, by=cadre_grass
    )


def _decide(client, project, decision, comment=""):
    return client.post(
        reverse("planning:project_proposal_decide", args=[project.pk]),
        {"decision": decision, "comment": comment},
    )


def _state(project):
    return KeyWorkProject.objects.filter(pk=project.pk).values(
        "proposal_status", "proposal_comment", "decided_by", "decided_at"
    )[0]


# --- proposing ------------------------------------------------------------------------


def test_a_cadre_proposes_a_project_and_the_reviewers_above_hear(
    client_for, cadre_grass, cadre_sub, plan, grassroots
):
    client = client_for(cadre_grass)
    listing = client.get(reverse("planning:project_list"))
    assert b'data-testid="propose-project"' in listing.content
    response = client.post(reverse("planning:project_propose"), _data(plan))
    assert response.status_code == 302
    project = KeyWorkProject.objects.get(owner=grassroots)
    assert project.self_chosen
    assert project.item is None
    assert project.proposal_status == "proposed"
    assert project.proposed_by == cadre_grass
    assert Notification.objects.filter(
        recipient=cadre_sub, kind="planning.project_proposed"
    ).exists()


def test_a_proposal_with_bad_dates_is_refused_and_nothing_is_saved(
    client_for, cadre_grass, plan
):
    response = client_for(cadre_grass).post(
        reverse("planning:project_propose"),
        _data(plan, start_date=f"{_year()}-12-31", due_date=f"{_year()}-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not KeyWorkProject.objects.exists()


def test_a_leader_cannot_propose(client_for, leader, plan):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("planning:project_propose"), _data(plan))
    assert response.status_code == 403
    assert not KeyWorkProject.objects.exists()


def test_a_reviewer_without_the_cadre_role_cannot_propose(client_for, reviewer, plan):
    assert (
        client_for(reviewer).get(reverse("planning:project_propose")).status_code == 403
    )


def test_a_proposal_is_not_reported_on_and_does_not_count(
    proposed, cadre_grass, grassroots
):
    assert (
        not KeyWorkProject.objects.reportable_by(cadre_grass)
        .filter(pk=proposed.pk)
        .exists()
    )
    facts = assessment_facts(
        union_ids=[grassroots.pk], start=date(_year(), 1, 1), end=date(_year(), 12, 31)
    )
    assert facts[grassroots.pk].projects_due == 0


def test_the_list_filters_self_chosen_projects(
    client_for, cadre_sub, proposed, project
):
    client = client_for(cadre_sub)
    waiting = client.get(reverse("planning:project_list"), {"origin": "proposed"})
    assert list(waiting.context["page"].object_list) == [proposed]
    handed = client.get(reverse("planning:project_list"), {"origin": "handed"})
    assert list(handed.context["page"].object_list) == [project]


# --- deciding -------------------------------------------------------------------------


def test_the_reviewer_above_approves_and_the_proposer_hears(
    client_for, cadre_sub, cadre_grass, proposed, grassroots
):
    client = client_for(cadre_sub)
    page = client.get(proposed.get_absolute_url())
    assert b'data-testid="approve-proposal"' in page.content
    response = _decide(client, proposed, "approve")
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert (proposed.proposal_status, proposed.decided_by) == ("approved", cadre_sub)
    assert Notification.objects.filter(
        recipient=cadre_grass, kind="planning.project_proposal_decided"
    ).exists()
    # Approved: reported on and counted in completion like any project.
    assert (
        KeyWorkProject.objects.reportable_by(cadre_grass)
        .filter(pk=proposed.pk)
        .exists()
    )
    facts = assessment_facts(
        union_ids=[grassroots.pk], start=date(_year(), 1, 1), end=date(_year(), 12, 31)
    )
    assert facts[grassroots.pk].projects_due == 1


def test_returning_needs_a_comment(client_for, cadre_sub, cadre_grass, proposed):
    before = _state(proposed)
    _decide(client_for(cadre_sub), proposed, "return")
    assert _state(proposed) == before
    _decide(client_for(cadre_sub), proposed, "return", "Give a monthly target")
    proposed.refresh_from_db()
    assert proposed.proposal_status == "returned"
    assert proposed.proposal_comment == "Give a monthly target"
    assert Notification.objects.filter(
        recipient=cadre_grass, kind="planning.project_proposal_decided"
    ).exists()


def test_a_returned_proposal_is_corrected_and_sent_again(
    client_for, cadre_sub, cadre_grass, proposed, plan
):
    _decide(client_for(cadre_sub), proposed, "return", "Give a monthly target")
    client = client_for(cadre_grass)
    page = client.get(proposed.get_absolute_url())
    assert b'data-testid="correct-proposal"' in page.content
    data = _data(plan, target_value="24")
    data.pop("plan")
    response = client.post(
        reverse("planning:project_proposal_edit", args=[proposed.pk]), data
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert (proposed.proposal_status, proposed.target_value) == ("proposed", 24)


def test_an_outsider_gets_404_and_nothing_changes(client_for, outsider, proposed):
    before = _state(proposed)
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = _decide(signed_in, proposed, "approve")
    assert response.status_code == 404
    assert client_for(outsider).get(proposed.get_absolute_url()).status_code == 404
    assert _state(proposed) == before


def test_a_reviewer_of_another_sub_district_cannot_approve(
    client_for, foreign_reviewer, proposed
):
    before = _state(proposed)
    signed_in = client_for(foreign_reviewer)
    with assert_unchanged():
        response = _decide(signed_in, proposed, "approve")
    assert response.status_code == 404
    assert _state(proposed) == before


def test_a_cadre_of_the_proposing_union_cannot_approve_it(
    client_for, grassroots, proposed
):
    own_reviewer = UserFactory(
        username="own_reviewer_t", union=grassroots, is_cadre=True, is_reviewer=True
    )
    before = _state(proposed)
    signed_in = client_for(own_reviewer)
    with assert_unchanged():
        response = _decide(signed_in, proposed, "approve")
    assert response.status_code == 403
    assert _state(proposed) == before


def test_a_leader_gets_403_on_decide(client_for, leader, proposed):
    before = _state(proposed)
    signed_in = client_for(leader)
    with assert_unchanged():
        response = _decide(signed_in, proposed, "approve")
    assert response.status_code == 403
    assert _state(proposed) == before


def test_an_approved_project_is_not_decided_twice(client_for, cadre_sub, proposed):
    _decide(client_for(cadre_sub), proposed, "approve")
    before = _state(proposed)
    _decide(client_for(cadre_sub), proposed, "return", "Too late")
    assert _state(proposed) == before
