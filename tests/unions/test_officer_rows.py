"""The election-result form takes as many officer rows as were elected: the page
offers a template row and an "Add a row" button (portal.js), and the server
accepts any number up to MAX_OFFICERS and refuses more with a message."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.unions.factories import term_factory
from unions.forms import MAX_OFFICERS
from unions.models import TermChange
from unions.workflow import term_change_advance, term_change_plan

State = TermChange.State


@pytest.fixture
def change(grassroots, admin_user):
    today = timezone.localdate()
    term_factory(grassroots, planned_end=today + timedelta(days=40))
    change = term_change_plan(
        union=grassroots, by=admin_user, day=today - timedelta(days=3)
    )
    for step in (State.SUBMITTED, State.APPROVED):
        term_change_advance(change=change, step=step, by=admin_user, day=today)
    return change


def _post(client, change, count, total=None):
    step = State.ELECTION_HELD
    data = {
        f"{step}-date": timezone.localdate().isoformat(),
        f"{step}-comment": "ok",
        f"{step}-new_term_years": "5",
        "officers-TOTAL_FORMS": str(total if total is not None else count),
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": str(MAX_OFFICERS),
    }
    for i in range(count):
        data[f"officers-{i}-name"] = f"委员{i:02d}"
        data[f"officers-{i}-role"] = "chair" if i == 0 else "committee_member"
    return client.post(reverse("unions:change_step", args=[change.pk, step]), data)


def test_the_page_offers_a_template_row_and_an_add_button(
    client_for, admin_user, change
):
    html = client_for(admin_user).get(change.get_absolute_url()).content.decode()
    assert 'data-formset="officers"' in html
    assert 'data-testid="officer-add"' in html
    template = re.search(r"<template data-formset-empty>(.*?)</template>", html, re.S)
    assert template
    assert 'name="officers-__prefix__-name"' in template[1]


def test_more_rows_than_the_page_showed_are_all_recorded(
    client_for, admin_user, change
):
    response = _post(client_for(admin_user), change, 23)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.ELECTION_HELD
    assert change.elected.count() == 23


def test_more_than_the_maximum_is_refused_and_nothing_saved(
    client_for, admin_user, change
):
    response = _post(client_for(admin_user), change, 3, total=MAX_OFFICERS + 5)
    assert response.status_code in (200, 400)
    assert response.context["formset"].non_form_errors()
    change.refresh_from_db()
    assert change.state == State.APPROVED
    assert change.elected.count() == 0
