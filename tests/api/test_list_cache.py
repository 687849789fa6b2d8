"""The progress-report list answers from the cache, kept under the latest change
of plans, projects, reports and unions, the day, the reader and the URL: a write
shows on the next request, and no reader gets another's answer."""

import pytest
from django.core.cache import cache

# The fixtures of the report tests, shared.
from tests.api.test_planning import (  # noqa: F401
    REPORTS,
    _ids,
    draft,
    plan_and_projects,
    project,
)

pytestmark = pytest.mark.django_db


def _row(client, pk):
    response = client.get(REPORTS)
    assert response.status_code == 200
    return next(r for r in response.json()["results"] if r["id"] == pk)


def test_a_saved_change_shows_in_the_next_list(api_for, cadre_grass, draft):  # noqa: F811
    client = api_for(cadre_grass)
    assert _row(client, draft.pk)["narrative"] == "Two classes held"
    etag = client.get(f"{REPORTS}{draft.pk}/")["ETag"]
    changed = client.patch(
        f"{REPORTS}{draft.pk}/",
        {"narrative": "Three classes held"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.json()
    assert _row(client, draft.pk)["narrative"] == "Three classes held"


def test_the_offered_actions_follow_a_submission(
    api_for,
    cadre_grass,
    cadre_sub,
    draft,  # noqa: F811
):
    cadre, reviewer = api_for(cadre_grass), api_for(cadre_sub)
    assert "submit" in _row(cadre, draft.pk)["allowed_actions"]
    assert "approve" not in _row(reviewer, draft.pk)["allowed_actions"]
    assert cadre.post(f"{REPORTS}{draft.pk}/submit/").status_code == 200
    assert "submit" not in _row(cadre, draft.pk)["allowed_actions"]
    assert "approve" in _row(reviewer, draft.pk)["allowed_actions"]


def test_one_readers_list_is_not_served_to_another(
    api_for,
    cadre_grass,
    outsider,
    draft,  # noqa: F811
):
    assert draft.pk in _ids(api_for(cadre_grass).get(REPORTS))
    assert draft.pk not in _ids(api_for(outsider).get(REPORTS))


def test_a_filtered_list_is_kept_apart_from_the_whole_list(
    api_for,
    cadre_grass,
    draft,  # noqa: F811
):
    client = api_for(cadre_grass)
    assert _ids(client.get(REPORTS)) == {draft.pk}
    assert _ids(client.get(REPORTS, {"status": "approved"})) == set()
    cache.clear()
    assert _ids(client.get(REPORTS, {"status": "approved"})) == set()
