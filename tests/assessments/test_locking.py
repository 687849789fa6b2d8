"""Nothing in a locked period changes, by any path: models, querysets, services,
forms, the admin and the report job."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Period, QuarterReport, QuarterReportRow, Score
from assessments.services import ScoreEntry
from assessments.tasks import build_quarter_report_task
from tests.accounts.factories import UserFactory
from tests.snapshots import assert_unchanged

from .factories import build_report, indicator


@pytest.fixture
def locked(period, units, subdistrict, cadre_sub, reviewer, admin_user):
    """A period with a score and a report, then published and locked."""
    services.scores_save(
        period=period,
        unit=subdistrict,
        entries=[
            ScoreEntry(indicator=indicator(period.scheme, "B1"), self_score=D("50"))
        ],
        by=cadre_sub,
    )
    services.period_close(period=period, by=admin_user)
    build_report(period)
    services.period_publish(period=period, by=admin_user)
    services.period_lock(period=period, by=admin_user)
    period.refresh_from_db()
    return period


def score_of(period):
    return Score.objects.get(period=period)


def test_model_save_of_a_score_is_refused(locked):
    score = score_of(locked)
    score.self_score = D("1")
    with pytest.raises(ValidationError, match="locked"):
        score.save()
    assert score_of(locked).self_score == D("50")


def test_model_delete_of_a_score_is_refused(locked):
    with pytest.raises(ValidationError, match="locked"):
        score_of(locked).delete()
    assert Score.objects.filter(period=locked).exists()


def test_queryset_update_of_scores_is_refused(locked):
    with pytest.raises(ValidationError, match="locked"):
        Score.objects.filter(period=locked).update(self_score=D("1"))
    assert score_of(locked).self_score == D("50")


def test_queryset_delete_of_scores_is_refused(locked):
    with pytest.raises(ValidationError, match="locked"):
        Score.objects.filter(period=locked).delete()


def test_bulk_create_into_a_locked_period_is_refused(locked, other_subdistrict):
    new = Score(
        period=locked,
        indicator=indicator(locked.scheme, "B1"),
        unit=other_subdistrict,
        self_score=D("1"),
    )
    with pytest.raises(ValidationError, match="locked"):
        Score.objects.bulk_create([new])
    assert Score.objects.filter(period=locked).count() == 1


def test_the_period_itself_cannot_change(locked):
    locked.status = Period.Status.OPEN
    with pytest.raises(ValidationError, match="locked"):
        locked.save()
    with pytest.raises(ValidationError, match="locked"):
        Period.objects.filter(pk=locked.pk).update(status="open")
    assert Period.objects.get(pk=locked.pk).status == Period.Status.LOCKED


def test_the_report_and_its_rows_cannot_change(locked):
    report = QuarterReport.objects.get(period=locked)
    report.status = QuarterReport.Status.FAILED
    with pytest.raises(ValidationError, match="locked"):
        report.save()
    with pytest.raises(ValidationError, match="locked"):
        QuarterReportRow.objects.filter(report=report).delete()
    with pytest.raises(ValidationError, match="locked"):
        QuarterReportRow.objects.filter(report=report).update(total=D("1"))


def test_the_score_service_refuses(locked, subdistrict, cadre_sub):
    with pytest.raises(ValidationError, match="locked"):
        services.scores_save(
            period=locked,
            unit=subdistrict,
            entries=[
                ScoreEntry(
                    indicator=indicator(locked.scheme, "B1"),
                    self_score=D("1"),
                    version=1,
                )
            ],
            by=cadre_sub,
        )


def test_the_scoring_form_refuses(locked, subdistrict, cadre_sub, client_for):
    b1 = indicator(locked.scheme, "B1")
    signed_in = client_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(
            reverse("assessments:unit_scoring", args=[locked.pk, subdistrict.pk]),
            {f"self_score_{b1.pk}": "1", f"version_{b1.pk}": "1"},
        )
    assert response.status_code == 403
    assert score_of(locked).self_score == D("50")


def test_the_admin_refuses_to_change_a_score(locked, client_for):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    score = score_of(locked)
    signed_in = client_for(superuser)
    with assert_unchanged():
        response = signed_in.post(
            reverse("admin:assessments_score_change", args=[score.pk]),
            {"self_score": "1", "reviewed_score": "", "version": "2"},
        )
    assert response.status_code == 403
    assert score_of(locked).self_score == D("50")


def test_the_admin_refuses_to_delete_a_score(locked, client_for):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    score = score_of(locked)
    signed_in = client_for(superuser)
    with assert_unchanged():
        response = signed_in.post(
            reverse("admin:assessments_score_delete", args=[score.pk]), {"post": "yes"}
        )
    assert response.status_code == 403
    assert Score.objects.filter(pk=score.pk).exists()


def test_the_admin_bulk_delete_action_refuses(locked, client_for):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    score = score_of(locked)
    client_for(superuser).post(
        reverse("admin:assessments_score_changelist"),
        {"action": "delete_selected", "_selected_action": [score.pk], "post": "yes"},
    )
    assert Score.objects.filter(pk=score.pk).exists()


def test_the_report_job_refuses_and_writes_nothing(locked):
    report = QuarterReport.objects.get(period=locked)
    before = (report.finished_at, report.status, list(report.rows.values_list("total")))
    result = build_quarter_report_task.delay(period_id=locked.pk).get()
    assert result["status"] == "refused"
    report.refresh_from_db()
    after = (report.finished_at, report.status, list(report.rows.values_list("total")))
    assert after == before


def test_a_rebuild_cannot_be_requested(locked, admin_user):
    with pytest.raises(ValidationError, match="locked"):
        services.report_request(period=locked, by=admin_user)


# --- a published result never changes until the period is reopened -----------------


@pytest.fixture
def published_period(period, units, subdistrict, cadre_sub, admin_user):
    services.scores_save(
        period=period,
        unit=subdistrict,
        entries=[
            ScoreEntry(indicator=indicator(period.scheme, "B1"), self_score=D("50"))
        ],
        by=cadre_sub,
    )
    services.period_close(period=period, by=admin_user)
    build_report(period)
    services.period_publish(period=period, by=admin_user)
    period.refresh_from_db()
    return period


def _rows(period):
    return list(
        QuarterReportRow.objects.filter(report__period=period)
        .order_by("unit_id")
        .values_list("unit_id", "total", "rank")
    )


def test_building_a_published_period_is_refused(published_period, admin_user):
    before = _rows(published_period)
    finished = QuarterReport.objects.get(period=published_period).finished_at
    with pytest.raises(ValidationError, match="published"):
        services.report_request(period=published_period, by=admin_user)
    assert _rows(published_period) == before
    assert QuarterReport.objects.get(period=published_period).finished_at == finished


def test_the_api_answers_409_to_a_build_of_a_published_period(
    published_period, admin_user
):
    from rest_framework.test import APIClient

    from tests.conftest import EN

    before = _rows(published_period)
    client = APIClient(headers=EN)
    client.force_authenticate(admin_user)
    with assert_unchanged():
        response = client.post(
            f"/api/v1/assessment-periods/{published_period.pk}/build-report/"
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "published"
    assert _rows(published_period) == before


def test_a_score_saved_as_the_admin_saves_it_is_refused_once_published(
    published_period,
):
    score = score_of(published_period)
    score.reviewed_score = D("60")
    score.review_comment = "Checked against the sign-in sheets."
    score.full_clean()
    with pytest.raises(ValidationError, match="published"):
        score.save()
    assert score_of(published_period).reviewed_score is None


def test_a_bulk_update_of_published_scores_is_refused(published_period):
    with pytest.raises(ValidationError, match="published"):
        Score.objects.filter(period=published_period).update(self_score=D("1"))
    assert score_of(published_period).self_score == D("50")


def test_after_a_reopen_the_period_builds_again(
    published_period, admin_user, django_capture_on_commit_callbacks
):
    services.period_reopen(
        period=published_period, reason="A score was entered wrongly", by=admin_user
    )
    score = score_of(published_period)
    score.self_score = D("55")
    score.save()
    services.period_close(period=published_period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(period=published_period, by=admin_user)
    report.refresh_from_db()
    assert report.status == QuarterReport.Status.DONE
    assert D("55.00") in [total for _unit, total, _rank in _rows(published_period)]
