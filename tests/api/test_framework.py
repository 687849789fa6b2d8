"""The pieces every endpoint shares, tried on the unions endpoints."""

from django.urls import reverse

from tests.api.factories import token_with_key
from tests.conftest import EN
from tests.snapshots import assert_unchanged
from tests.unions.factories import grassroots_factory

UNIONS = "/api/v1/unions/"


def _detail(union) -> str:
    return f"{UNIONS}{union.pk}/"


# --- authentication and the access rule ----------------------------------------------


def test_anonymous_gets_401_with_a_token_challenge(api_client, db):
    response = api_client.get(UNIONS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_session_signs_in_the_pages_htmx(client_for, cadre_grass):
    response = client_for(cadre_grass).get(UNIONS)
    assert response.status_code == 200


def test_session_write_without_csrf_token_is_refused(client, admin_user, subdistrict):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True, headers=EN)
    browser.force_login(admin_user, backend="accounts.backends.UnionModelBackend")
    with assert_unchanged():
        response = browser.post(
            UNIONS,
            {
                "code": "NEW",
                "name_zh": "新工会",
                "kind": "enterprise",
                "parent": subdistrict.pk,
            },
            content_type="application/json",
        )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_leader_session_write_gets_a_json_403(client_for, leader, subdistrict):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            UNIONS,
            {
                "code": "NEW",
                "name_zh": "新工会",
                "kind": "enterprise",
                "parent": subdistrict.pk,
            },
            content_type="application/json",
        )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_leader_token_write_gets_403(api_for, leader, subdistrict):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            UNIONS,
            {
                "code": "NEW",
                "name_zh": "新工会",
                "kind": "enterprise",
                "parent": subdistrict.pk,
            },
            format="json",
        )
    assert response.status_code == 403
    assert "read" in response.json()["error"]["message"]


def test_unseen_object_is_404_like_a_missing_one(
    api_for, cadre_grass, other_grassroots
):
    client = api_for(cadre_grass)
    unseen = client.get(_detail(other_grassroots))
    missing = client.get(f"{UNIONS}999999/")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


def test_non_numeric_id_is_404_not_500(api_for, cadre_grass):
    response = api_for(cadre_grass).get(f"{UNIONS}abc/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_huge_id_is_404_not_500(api_for, cadre_grass):
    response = api_for(cadre_grass).get(f"{UNIONS}{10**30}/")
    assert response.status_code == 404


def test_unknown_api_address_answers_json_404(api_client, db):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_write_to_an_unknown_api_address_needs_credentials_first(api_client, db):
    with assert_unchanged():
        response = api_client.post("/api/v1/no-such-thing/")
    assert response.status_code == 401


def test_signed_in_write_to_an_unknown_api_address_answers_404(api_for, cadre_grass):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unsupported_method_answers_405_in_the_error_format(api_for, cadre_grass):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.delete(_detail(cadre_grass.union))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- error bodies ---------------------------------------------------------------------


def test_invalid_input_lists_field_errors(api_for, admin_user):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(UNIONS, {"code": "bad code!"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) >= {"code", "name_zh", "kind"}
    assert isinstance(error["fields"]["name_zh"], list)


def test_malformed_json_answers_400(api_for, admin_user):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.generic(
            "POST", UNIONS, "{not json", content_type="application/json"
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_form_encoded_body_answers_415(api_for, admin_user):
    response = api_for(admin_user).post(UNIONS, {"code": "X"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_error_messages_follow_the_language(api_for, cadre_grass):
    response = api_for(cadre_grass).get(
        f"{UNIONS}999999/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["error"]["message"] != "Not found."


# --- pagination, filtering, ordering ---------------------------------------------------


def test_list_is_paginated_with_a_count(api_for, admin_user, grassroots):
    body = api_for(admin_user).get(UNIONS, {"page_size": 1}).json()
    assert body["count"] >= 3
    assert len(body["results"]) == 1
    assert "page=2" in body["next"]


def test_page_size_is_capped(api_for, admin_user, subdistrict):
    for _ in range(3):
        grassroots_factory(subdistrict)
    from unionportal.api.pagination import PortalPagination

    PortalPagination.max_page_size, previous = 2, PortalPagination.max_page_size
    try:
        body = api_for(admin_user).get(UNIONS, {"page_size": 1000}).json()
    finally:
        PortalPagination.max_page_size = previous
    assert len(body["results"]) == 2


def test_page_beyond_the_end_answers_404(api_for, admin_user):
    response = api_for(admin_user).get(UNIONS, {"page": 99})
    assert response.status_code == 404


def test_list_count_stops_at_the_cap(
    api_for, admin_user, grassroots, grassroots_sibling, monkeypatch
):
    from unionportal.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    client = api_for(admin_user)
    first = client.get(UNIONS, {"page_size": 1}).json()
    assert (first["count"], first["count_is_capped"]) == (2, True)
    assert "page=2" in first["next"]
    # Past the cap the pages go on; the last one knows where the list ends.
    last = client.get(UNIONS, {"page_size": 1, "page": 4}).json()
    assert (last["count"], last["count_is_capped"], last["next"]) == (4, False, None)
    assert client.get(UNIONS, {"page_size": 1, "page": 5}).status_code == 404


def test_a_list_on_one_page_is_counted_exactly(api_for, admin_user, grassroots):
    body = api_for(admin_user).get(UNIONS).json()
    assert (body["count"], body["count_is_capped"]) == (len(body["results"]), False)


def test_ordering_on_a_whitelisted_field(
    api_for, admin_user, grassroots, grassroots_sibling
):
    body = api_for(admin_user).get(UNIONS, {"ordering": "-code"}).json()
    codes = [row["code"] for row in body["results"]]
    assert codes == sorted(codes, reverse=True)


def test_ordering_on_another_field_answers_400(api_for, admin_user):
    response = api_for(admin_user).get(UNIONS, {"ordering": "path,password"})
    assert response.status_code == 400
    assert "ordering" in response.json()["error"]["fields"]


def test_invalid_filter_value_answers_400(api_for, admin_user):
    response = api_for(admin_user).get(UNIONS, {"kind": "planet"})
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


# --- throttling -----------------------------------------------------------------------


def test_anonymous_requests_are_throttled(api_client, db, throttle_rates):
    throttle_rates(anon="2/min")
    statuses = [api_client.get(UNIONS).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_throttled_answer_says_when_to_retry(api_client, db, throttle_rates):
    throttle_rates(anon="1/min")
    api_client.get(UNIONS)
    response = api_client.get(UNIONS)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["retry_after"] > 0


def test_failed_token_attempts_are_throttled(db, throttle_rates):
    from rest_framework.test import APIClient

    throttle_rates(anon="2/min")
    client = APIClient(headers=EN)
    client.credentials(HTTP_AUTHORIZATION="Token upt_guess")
    statuses = [client.get(UNIONS).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_users_are_throttled_per_user(cadre_grass, cadre_sub, throttle_rates):
    from rest_framework.test import APIClient

    throttle_rates(user="2/min")
    clients = {}
    for user in (cadre_grass, cadre_sub):
        clients[user] = APIClient(headers=EN)
        clients[user].credentials(HTTP_AUTHORIZATION=f"Token {token_with_key(user)[1]}")
    statuses = [clients[cadre_grass].get(UNIONS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert clients[cadre_sub].get(UNIONS).status_code == 200


# --- optimistic concurrency ------------------------------------------------------------


def test_detail_answers_with_an_etag(api_for, cadre_grass):
    response = api_for(cadre_grass).get(_detail(cadre_grass.union))
    assert response["ETag"].startswith('"')


def test_etag_does_not_depend_on_the_language(api_for, cadre_grass):
    client = api_for(cadre_grass)
    en = client.get(_detail(cadre_grass.union), HTTP_ACCEPT_LANGUAGE="en")
    zh = client.get(_detail(cadre_grass.union), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert en["ETag"] == zh["ETag"]


def test_update_without_if_match_answers_428(api_for, admin_user, grassroots):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.patch(
            _detail(grassroots), {"member_count": 5}, format="json"
        )
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    grassroots.refresh_from_db()
    assert grassroots.member_count != 5


def test_stale_update_answers_412_and_changes_nothing(api_for, admin_user, grassroots):
    first, second = api_for(admin_user), api_for(admin_user)
    etag = first.get(_detail(grassroots))["ETag"]
    assert second.get(_detail(grassroots))["ETag"] == etag
    ok = first.patch(
        _detail(grassroots), {"member_count": 10}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200
    with assert_unchanged():
        stale = second.patch(
            _detail(grassroots), {"member_count": 20}, format="json", HTTP_IF_MATCH=etag
        )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    grassroots.refresh_from_db()
    assert grassroots.member_count == 10


def test_update_answers_with_the_new_etag(api_for, admin_user, grassroots):
    client = api_for(admin_user)
    etag = client.get(_detail(grassroots))["ETag"]
    response = client.patch(
        _detail(grassroots), {"member_count": 11}, format="json", HTTP_IF_MATCH=etag
    )
    assert response["ETag"] != etag
    assert client.get(_detail(grassroots))["ETag"] == response["ETag"]


# --- schema and docs --------------------------------------------------------------------


def test_schema_and_docs_need_a_sign_in(client, db):
    for name in ("api-schema", "api-docs"):
        response = client.get(reverse(name))
        assert response.status_code in (401, 403)
        assert "openapi" not in response.content.decode()
        assert "swagger-ui" not in response.content.decode()


def test_schema_is_served_as_openapi_3(client, cadre_grass):
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/unions/" in response.json()["paths"]


def test_docs_page_uses_local_assets_and_no_inline_script(client, cadre_grass):
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    response = client.get(reverse("api-docs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "<script>" not in html
    assert "cdn" not in html.lower()
    assert "persistAuthorization" not in html or '"persistAuthorization": false' in html


def test_docs_script_is_served_from_the_portal(client, cadre_grass):
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    response = client.get(reverse("api-docs") + "?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
