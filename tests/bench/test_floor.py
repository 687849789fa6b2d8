import pytest
from django.urls import reverse

from tests.snapshots import assert_unchanged

FLOOR = "/bench/floor/"


def test_floor_is_not_wired_in_the_portals_urls(client_for, cadre_grass):
    # Only the bench's settings (bench/settings.py → bench/urls.py) serve it.
    assert client_for(cadre_grass).get(FLOOR).status_code == 404


def test_production_settings_hold_no_bench_or_test_switch():
    import unionportal.settings as production

    assert "bench" not in production.INSTALLED_APPS
    assert production.ROOT_URLCONF == "unionportal.urls"
    for name in ("BENCH_FLOOR", "REPORT_BUILD_TEST_PAUSE"):
        assert not hasattr(production, name)


@pytest.mark.urls("bench.urls")
def test_floor_answers_a_signed_in_user(client_for, cadre_grass):
    response = client_for(cadre_grass).get(FLOOR)
    assert response.status_code == 200
    assert cadre_grass.username.encode() in response.content


@pytest.mark.urls("bench.urls")
def test_floor_sends_anonymous_users_to_sign_in(client, db):
    response = client.get(FLOOR)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.urls("bench.urls")
def test_floor_only_answers_get(client_for, cadre_grass):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(FLOOR)
    assert response.status_code == 405


@pytest.mark.urls("bench.urls")
def test_floor_costs_the_same_queries_for_every_user(
    client_for, cadre_grass, admin_user, django_assert_num_queries
):
    # The session comes from the cache and is not written again within a minute:
    # the one query is the signed-in user.
    client = client_for(cadre_grass)
    client.get(FLOOR)
    with django_assert_num_queries(1):
        client.get(FLOOR)
    client = client_for(admin_user)
    client.get(FLOOR)
    with django_assert_num_queries(1):
        client.get(FLOOR)
