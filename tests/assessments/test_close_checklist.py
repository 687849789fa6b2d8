"""A period closes on a checklist of what is still missing, kept in the audit."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
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


def test_closing_keeps_the_counts_in_the_audit(client_for, admin_user, half_scored):
    response = client_for(admin_user).post(
        reverse("assessments:period_close", args=[half_scored.pk])
    )
    assert response.status_code == 302
    half_scored.refresh_from_db()
    assert half_scored.status == Period.Status.CLOSED
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERIOD_CLOSED)
    assert "without_self_scores=1" in event.detail
    assert "unreviewed=1" in event.detail
    assert event.user == admin_user


def test_a_leader_cannot_close(client_for, leader, half_scored):
    response = client_for(leader).post(
        reverse("assessments:period_close", args=[half_scored.pk])
    )
    assert response.status_code == 403
    half_scored.refresh_from_db()
    assert half_scored.status == Period.Status.OPEN
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERIOD_CLOSED).exists()
