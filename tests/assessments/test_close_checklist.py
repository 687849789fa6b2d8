"""The closing page's checklist (test_leaders.py covers the period page's panel,
the audit of the counts and who may close)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from assessments.models import Period
from assessments.services import ScoreEntry, scores_save

from .factories import indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_scored(period, units, cadre_sub, subdistrict):
    """One of the two sub-district unions has self-scored; nobody reviewed."""
    scores_save(
        period=period,
        unit=subdistrict,
        entries=[
            ScoreEntry(indicator=indicator(period.scheme, "B1"), self_score=D("50"))
        ],
        by=cadre_sub,
    )
    return period


def test_the_checklist_names_what_is_missing(
    client_for, admin_user, half_scored, other_subdistrict
):
    response = client_for(admin_user).get(
        reverse("assessments:period_close", args=[half_scored.pk])
    )
    assert response.status_code == 200
    checklist = response.context["checklist"]
    assert checklist.without_self_scores == [other_subdistrict]
    assert checklist.unreviewed == 1
    html = response.content.decode()
    assert other_subdistrict.name in html
    assert "data-confirm" in html
    half_scored.refresh_from_db()
    assert half_scored.status == Period.Status.OPEN  # looking closes nothing
