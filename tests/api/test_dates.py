"""Dates out of bounds through the API: a 400 naming the field, nothing written."""

import pytest
from django.utils import timezone

from planning.models import ActivityEvent, PlanItem
from tests.api.factories import published_plan
from tests.snapshots import assert_unchanged

EVENTS = "/api/v1/activity-events/"
ITEMS = "/api/v1/plan-items/"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_api_event_refuses_dates_out_of_bounds(api_for, cadre_grass, grassroots, day):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            EVENTS,
            {
                "kind": "activity",
                "union": grassroots.pk,
                "date": day,
                "title": "Skills contest heat",
                "participants": 30,
            },
            format="json",
        )
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]
    assert not ActivityEvent.objects.exists()


def test_api_event_in_bounds_is_recorded(api_for, cadre_grass, grassroots):
    response = api_for(cadre_grass).post(
        EVENTS,
        {
            "kind": "activity",
            "union": grassroots.pk,
            "date": timezone.localdate().isoformat(),
            "title": "Skills contest heat",
            "participants": 30,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert ActivityEvent.objects.count() == 1


def test_api_plan_item_refuses_a_due_date_of_year_one(
    api_for, admin_user, district, grassroots
):
    plan, _projects = published_plan(district, [grassroots])
    before = PlanItem.objects.count()
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            ITEMS,
            {
                "plan": plan.pk,
                "category": "service",
                "title": "Visit workers in need",
                "target_value": "50",
                "target_unit": "visits",
                "weight": "1",
                "due_date": "0001-01-01",
            },
            format="json",
        )
    assert response.status_code == 400
    assert "due_date" in response.json()["error"]["fields"]
    assert PlanItem.objects.count() == before
