"""Score errors through the API name the API's fields; a cadre changes the self
score after a review whatever the reviewer did."""

from decimal import Decimal as D

import pytest

from assessments.models import Score
from tests.api.factories import open_period
from tests.snapshots import assert_unchanged

SCORES = "/api/v1/scores/"


@pytest.fixture
def api_period(district, admin_user, grassroots):
    return open_period(district, by=admin_user)


def test_api_score_errors_name_the_api_fields(
    api_for, cadre_grass, cadre_sub, api_period, grassroots
):
    period, ind = api_period
    cadre = api_for(cadre_grass)
    created = cadre.post(
        SCORES,
        {
            "period": period.pk,
            "unit": grassroots.pk,
            "indicator": ind.pk,
            "self_score": "80",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    reviewer = api_for(cadre_sub)
    etag = reviewer.get(f"{SCORES}{pk}/")["ETag"]
    with assert_unchanged():
        response = reviewer.patch(
            f"{SCORES}{pk}/",
            {"reviewed_score": "70"},
            format="json",
            HTTP_IF_MATCH=etag,
        )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"review_comment"}
    assert Score.objects.get(pk=pk).reviewed_score is None
    with assert_unchanged():
        too_high = cadre.patch(
            f"{SCORES}{pk}/",
            {"self_score": "500"},
            format="json",
            HTTP_IF_MATCH=cadre.get(f"{SCORES}{pk}/")["ETag"],
        )
    assert too_high.status_code == 400
    assert set(too_high.json()["error"]["fields"]) == {"self_score"}
    assert Score.objects.get(pk=pk).self_score == D("80")


def test_api_cadre_changes_the_self_score_after_a_review(
    api_for, cadre_grass, cadre_sub, api_period, grassroots
):
    period, ind = api_period
    cadre = api_for(cadre_grass)
    pk = cadre.post(
        SCORES,
        {
            "period": period.pk,
            "unit": grassroots.pk,
            "indicator": ind.pk,
            "self_score": "80",
        },
        format="json",
    ).json()["id"]
    reviewer = api_for(cadre_sub)
    reviewer.patch(
        f"{SCORES}{pk}/",
        {"reviewed_score": "80"},
        format="json",
        HTTP_IF_MATCH=reviewer.get(f"{SCORES}{pk}/")["ETag"],
    )
    response = cadre.patch(
        f"{SCORES}{pk}/",
        {"self_score": "90"},
        format="json",
        HTTP_IF_MATCH=cadre.get(f"{SCORES}{pk}/")["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["self_changed_since_review"] is True
    assert response.json()["reviewed_self_score"] == 80
    score = Score.objects.get(pk=pk)
    assert (score.self_score, score.reviewed_score) == (D("90"), D("80"))
