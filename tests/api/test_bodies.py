"""Bodies the API cannot read still get its one JSON error format, never a 500."""

import pytest

from planning.models import ActivityEvent
from tests.snapshots import assert_unchanged

pytestmark = pytest.mark.django_db


def _post(client, body):
    return client.post(
        "/api/v1/activity-events/", body, content_type="application/json"
    )


def test_deeply_nested_json_is_a_json_400(client_for, cadre_grass):
    before = ActivityEvent.objects.count()
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = _post(signed_in, "[" * 1000 + "]" * 1000)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "parse_error"
    assert ActivityEvent.objects.count() == before


def test_a_body_over_the_size_cap_is_a_json_error(client_for, cadre_grass, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = ActivityEvent.objects.count()
    response = _post(client_for(cadre_grass), '{"title": "' + "x" * 20_000 + '"}')
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "too_large"
    assert ActivityEvent.objects.count() == before
