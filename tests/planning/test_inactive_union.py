"""A deactivated union's cadres read their union's work but no longer write it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from planning.models import ActivityEvent, KeyWorkProject, ProgressReport
from planning.services import activities
from tests.snapshots import assert_unchanged
from unions.models import Union

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_union(project, grassroots):
    Union.objects.filter(pk=grassroots.pk).update(is_active=False)
    grassroots.refresh_from_db()
    return grassroots


def test_its_cadre_still_reads_the_project(
    client_for, cadre_grass, project, closed_union
):
    response = client_for(cadre_grass).get(project.get_absolute_url())
    assert response.status_code == 200


def test_its_cadre_can_no_longer_report(client_for, cadre_grass, project, closed_union):
    cadre_grass.refresh_from_db()
    assert not KeyWorkProject.objects.reportable_by(cadre_grass).exists()
    before = ProgressReport.objects.count()
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("planning:report_entry", args=[project.pk]),
            {"achieved_value": "5", "narrative": "x", "version": 0, "action": "save"},
        )
    assert response.status_code in (403, 404)
    assert ProgressReport.objects.count() == before


def test_no_event_is_recorded_for_it(cadre_grass, closed_union):
    before = ActivityEvent.objects.count()
    with pytest.raises(ValidationError, match="deactivated"):
        activities.event_save(
            event=ActivityEvent(),
            data={
                "union": closed_union,
                "kind": "activity",
                "title": "运动会",
                "date": "2026-10-10",
                "participants": 10,
            },
            by=cadre_grass,
        )
    assert ActivityEvent.objects.count() == before
