import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEvent
from accounts.tokens import (
    MAX_ACTIVE_TOKENS,
    api_token_create,
    api_token_revoke,
    hash_key,
)
from tests.api.factories import ApiTokenFactory, token_with_key
from tests.conftest import EN
from tests.snapshots import assert_unchanged

UNIONS = "/api/v1/unions/"


def _client(key: str) -> APIClient:
    client = APIClient(headers=EN)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- services --------------------------------------------------------------------


def test_create_stores_only_the_digest_of_the_key(cadre_grass):
    token, key = api_token_create(user=cadre_grass, name="OA sync")
    token.refresh_from_db()
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.prefix, token.name}
    assert key.startswith(token.prefix)


def test_create_is_audited(cadre_grass):
    api_token_create(user=cadre_grass, name="OA sync")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.TOKEN_CREATED, user=cadre_grass
    ).exists()


def test_create_refuses_beyond_the_cap(cadre_grass):
    ApiTokenFactory.create_batch(MAX_ACTIVE_TOKENS, user=cadre_grass)
    with pytest.raises(ValidationError):
        api_token_create(user=cadre_grass, name="one too many")
    assert ApiToken.objects.filter(user=cadre_grass).count() == MAX_ACTIVE_TOKENS


def test_revoke_is_audited_and_keeps_the_row(cadre_grass):
    token = ApiTokenFactory(user=cadre_grass)
    api_token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TOKEN_REVOKED).exists()


# --- authentication ------------------------------------------------------------------


def test_token_signs_the_program_in_as_its_user(cadre_grass):
    _token, key = token_with_key(cadre_grass)
    response = _client(key).get(UNIONS)
    assert response.status_code == 200


def test_use_of_a_token_is_recorded(cadre_grass):
    token, key = token_with_key(cadre_grass)
    _client(key).get(UNIONS)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused_with_401(cadre_grass):
    _token, key = token_with_key(cadre_grass, revoked_at=timezone.now())
    response = _client(key).get(UNIONS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_of_an_inactive_user_is_refused(cadre_grass):
    _token, key = token_with_key(cadre_grass)
    cadre_grass.is_active = False
    cadre_grass.save()
    assert _client(key).get(UNIONS).status_code == 401


def test_unknown_token_is_refused(db):
    response = _client("upt_not-a-real-key").get(UNIONS)
    assert response.status_code == 401


def test_malformed_authorization_header_is_refused(db):
    client = APIClient(headers=EN)
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    response = client.get(UNIONS)
    assert response.status_code == 401
    assert "Authorization: Token" in response.json()["error"]["message"]


def test_token_uses_the_users_language(cadre_grass):
    cadre_grass.language = "zh-hans"
    cadre_grass.save()
    _token, key = token_with_key(cadre_grass)
    response = _client(key).get(f"{UNIONS}999999/")
    assert response.status_code == 404
    assert response["Content-Language"] == "zh-hans"


# --- the profile page -------------------------------------------------------------


def test_profile_lists_active_tokens_only(client_for, cadre_grass):
    ApiTokenFactory(user=cadre_grass, name="Active one")
    ApiTokenFactory(user=cadre_grass, name="Revoked one", revoked_at=timezone.now())
    response = client_for(cadre_grass).get(reverse("accounts:profile"))
    assert b"Active one" in response.content
    assert b"Revoked one" not in response.content


def test_profile_shows_no_one_elses_tokens(client_for, cadre_grass, outsider):
    ApiTokenFactory(user=outsider, name="Outsider's program")
    response = client_for(cadre_grass).get(reverse("accounts:profile"))
    assert b"Outsider&#x27;s program" not in response.content
    assert b'data-testid="no-tokens"' in response.content


def test_htmx_create_shows_the_key_once(client_for, cadre_grass):
    client = client_for(cadre_grass)
    response = client.post(
        reverse("accounts:token_create"), {"name": "OA sync"}, HTTP_HX_REQUEST="true"
    )
    token = ApiToken.objects.get(user=cadre_grass)
    key = response.context["new_token"]["key"]
    assert hash_key(key) == token.key_hash
    assert key.encode() in response.content
    assert key.encode() not in client.get(reverse("accounts:profile")).content


def test_plain_create_shows_the_key_in_its_answer_only(client_for, cadre_grass):
    client = client_for(cadre_grass)
    response = client.post(reverse("accounts:token_create"), {"name": "OA sync"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = response.context["new_token"]["key"]
    assert key.encode() in response.content
    assert hash_key(key) == ApiToken.objects.get(user=cadre_grass).key_hash
    # Kept nowhere: not in the session, not on the next page.
    assert key not in str(dict(client.session))
    assert key.encode() not in client.get(reverse("accounts:profile")).content


def test_create_without_a_name_shows_the_error_and_creates_nothing(
    client_for, cadre_grass
):
    response = client_for(cadre_grass).post(
        reverse("accounts:token_create"), {"name": "  "}, HTTP_HX_REQUEST="true"
    )
    assert response.context["token_form"].errors
    assert b"is-invalid" in response.content
    assert not ApiToken.objects.exists()


def test_create_beyond_the_cap_shows_a_message(client_for, cadre_grass):
    ApiTokenFactory.create_batch(MAX_ACTIVE_TOKENS, user=cadre_grass)
    response = client_for(cadre_grass).post(
        reverse("accounts:token_create"), {"name": "more"}, HTTP_HX_REQUEST="true"
    )
    assert b"Revoke one you no longer use" in response.content
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_leader_may_create_a_token(client_for, leader):
    response = client_for(leader).post(
        reverse("accounts:token_create"), {"name": "Dashboard"}
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=leader).exists()


def test_anonymous_create_is_sent_to_sign_in(client, db):
    response = client.post(reverse("accounts:token_create"), {"name": "x"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_revoke_stops_the_token_at_once(client_for, cadre_grass):
    token, key = token_with_key(cadre_grass)
    response = client_for(cadre_grass).post(
        reverse("accounts:token_revoke", args=[token.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b'data-testid="no-tokens"' in response.content
    assert _client(key).get(UNIONS).status_code == 401


def test_revoking_someone_elses_token_answers_404(client_for, cadre_grass, outsider):
    token = ApiTokenFactory(user=outsider)
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_leader_may_revoke_their_token(client_for, leader):
    token = ApiTokenFactory(user=leader)
    response = client_for(leader).post(
        reverse("accounts:token_revoke", args=[token.pk])
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
