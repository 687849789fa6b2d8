"""分解下达: a sub-district hands its own project down to its grassroots unions."""

import pytest
from django.urls import reverse

from accounts.models import Notification
from planning.models import KeyWorkProject
from tests.planning.factories import PlanItemFactory, ProjectFactory
from tests.snapshots import assert_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub_project(district, subdistrict):
    item = PlanItemFactory(plan__owner=district)
    return ProjectFactory(item=item, owner=subdistrict)


def _url(project):
    return reverse("planning:project_hand_down", args=[project.pk])


def test_the_sub_districts_reviewer_hands_work_to_its_grassroots_unions(
    client_for, cadre_sub, cadre_grass, sub_project, grassroots, grassroots_sibling
):
    client = client_for(cadre_sub)
    page = client.get(sub_project.get_absolute_url())
    assert b'data-testid="hand-down"' in page.content
    response = client.post(
        _url(sub_project), {"unions": [grassroots.pk, grassroots_sibling.pk]}
    )
    assert response.status_code == 302
    handed = KeyWorkProject.objects.filter(item=sub_project.item).exclude(
        pk=sub_project.pk
    )
    assert {p.owner for p in handed} == {grassroots, grassroots_sibling}
    assert Notification.objects.filter(
        recipient=cadre_grass, kind="planning.work_handed_out"
    ).exists()
    # Handed down projects are the units' own: they report on them.
    mine = KeyWorkProject.objects.get(item=sub_project.item, owner=grassroots)
    assert (
        client_for(cadre_grass)
        .get(reverse("planning:report_entry", args=[mine.pk]))
        .status_code
        == 200
    )


def test_work_cannot_be_handed_to_a_unit_outside_the_subtree(
    client_for, cadre_sub, sub_project, other_grassroots
):
    before = KeyWorkProject.objects.count()
    response = client_for(cadre_sub).post(
        _url(sub_project), {"unions": [other_grassroots.pk]}
    )
    assert response.status_code == 200  # the form, with its error
    assert KeyWorkProject.objects.count() == before


def test_a_grassroots_cadre_cannot_hand_down(client_for, cadre_grass, sub_project):
    before = KeyWorkProject.objects.count()
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(_url(sub_project), {"unions": []})
    assert response.status_code in (403, 404)
    assert KeyWorkProject.objects.count() == before


def test_the_district_reviewer_cannot_hand_down_a_sub_districts_project(
    client_for, reviewer, sub_project, grassroots
):
    before = KeyWorkProject.objects.count()
    signed_in = client_for(reviewer)
    with assert_unchanged():
        response = signed_in.post(_url(sub_project), {"unions": [grassroots.pk]})
    assert response.status_code == 403
    assert KeyWorkProject.objects.count() == before


@pytest.fixture
def self_chosen(district, subdistrict):
    """A sub-district's own project, approved by the district: it runs no item."""
    item = PlanItemFactory(plan__owner=district)
    return ProjectFactory(
        item=None,
        plan=item.plan,
        category=item.category,
        owner=subdistrict,
        self_chosen=True,
        proposal_status=KeyWorkProject.Proposal.APPROVED,
    )


def test_an_approved_self_chosen_project_is_handed_down_as_itself(
    client_for, cadre_sub, cadre_grass, self_chosen, grassroots, grassroots_sibling
):
    client = client_for(cadre_sub)
    page = client.get(self_chosen.get_absolute_url())
    assert b'data-testid="hand-down"' in page.content
    response = client.post(
        _url(self_chosen), {"unions": [grassroots.pk, grassroots_sibling.pk]}
    )
    assert response.status_code == 302, response.context["form"].errors
    handed = KeyWorkProject.objects.filter(handed_down_from=self_chosen)
    assert {p.owner for p in handed} == {grassroots, grassroots_sibling}
    for project in handed:
        assert (project.title, project.target_value, project.due_date) == (
            self_chosen.title,
            self_chosen.target_value,
            self_chosen.due_date,
        )
        assert project.item_id is None
        assert not project.self_chosen  # handed out to the unit, counted as such
        assert project.counts
    assert Notification.objects.filter(
        recipient=cadre_grass, kind="planning.work_handed_out"
    ).exists()
    # Handing it down again gives no unit the same work twice.
    with assert_unchanged(KeyWorkProject):
        client.post(_url(self_chosen), {"unions": [grassroots.pk]})


def test_a_self_chosen_project_awaiting_approval_is_not_handed_down(
    client_for, cadre_sub, self_chosen, grassroots
):
    KeyWorkProject.objects.filter(pk=self_chosen.pk).update(
        proposal_status=KeyWorkProject.Proposal.PROPOSED
    )
    client = client_for(cadre_sub)
    page = client.get(self_chosen.get_absolute_url())
    assert b'data-testid="hand-down"' not in page.content
    with assert_unchanged(KeyWorkProject):
        response = client.post(_url(self_chosen), {"unions": [grassroots.pk]})
    assert response.status_code == 403
