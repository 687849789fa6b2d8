"""The multiple union pickers (the units an item is handed out or down to, a
project's participants) carry the type-ahead's attributes (static/js/portal.js
searches their options by name or code) and keep the ticked unions when their
form comes back with an error."""

import re

import pytest
from django.urls import reverse

from planning.models import KeyWorkProject
from tests.planning.factories import PlanItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _picker(html: str, name: str) -> str:
    match = re.search(
        rf'<select name="{name}"[^>]*multiple[^>]*>.*?</select>', html, re.S
    )
    assert match, f"no multiple select {name}"
    return match.group(0)


def _ticked(select: str) -> set[int]:
    return {int(v) for v in re.findall(r'<option value="(\d+)" selected', select)}


def _searchable(select: str) -> bool:
    return (
        'data-union-search="/unions/lookup/' in select
        and "data-union-search-placeholder=" in select
        and "data-union-search-remove=" in select
    )


def test_the_hand_out_picker_is_searchable_and_keeps_its_ticks_after_an_error(
    client_for, admin_user, item, grassroots, grassroots_sibling
):
    client = client_for(admin_user)
    page = client.get(item.plan.get_absolute_url()).content.decode()
    picker = _picker(page, "unions")
    assert _searchable(picker)
    # A pick chooses "the unions picked below" (the radio of that mode).
    assert 'data-union-search-check="id_mode_2"' in picker
    assert re.search(r'<input[^>]*value="picked"[^>]*id="id_mode_2"', page)
    # No item chosen: nothing is created and the form comes back, ticks kept.
    response = client.post(
        reverse("planning:plan_hand_out", args=[item.plan_id]),
        {"mode": "picked", "unions": [grassroots.pk, grassroots_sibling.pk]},
    )
    assert response.status_code == 200
    assert not KeyWorkProject.objects.exists()
    html = response.content.decode()
    assert _ticked(_picker(html, "unions")) == {grassroots.pk, grassroots_sibling.pk}
    assert 'data-testid="hand-out-form"' in html
    assert "This field is required." in html
    # Sent right, the projects are made and the plan's page follows.
    response = client.post(
        reverse("planning:plan_hand_out", args=[item.plan_id]),
        {"item": item.pk, "mode": "picked", "unions": [grassroots.pk]},
    )
    assert response.status_code == 302
    assert list(KeyWorkProject.objects.values_list("owner_id", flat=True)) == [
        grassroots.pk
    ]


def test_the_hand_down_picker_is_searchable_and_keeps_its_ticks_after_an_error(
    client_for, cadre_sub, district, subdistrict, grassroots, grassroots_sibling
):
    project = ProjectFactory(
        item=PlanItemFactory(plan__owner=district), owner=subdistrict
    )
    client = client_for(cadre_sub)
    url = reverse("planning:project_hand_down", args=[project.pk])
    assert _searchable(_picker(client.get(url).content.decode(), "unions"))
    response = client.post(
        url, {"unions": [grassroots.pk, grassroots_sibling.pk], "start_date": "x"}
    )
    assert response.status_code == 200
    assert _ticked(_picker(response.content.decode(), "unions")) == {
        grassroots.pk,
        grassroots_sibling.pk,
    }


def test_the_participants_picker_is_searchable_and_keeps_its_ticks_after_an_error(
    client_for, admin_user, project, grassroots_sibling, subdistrict
):
    client = client_for(admin_user)
    url = reverse("planning:project_edit", args=[project.pk])
    assert _searchable(_picker(client.get(url).content.decode(), "participants"))
    response = client.post(
        url,
        {
            "title": "",
            "participants": [grassroots_sibling.pk, subdistrict.pk],
        },
    )
    assert response.status_code == 200
    assert _ticked(_picker(response.content.decode(), "participants")) == {
        grassroots_sibling.pk,
        subdistrict.pk,
    }
