"""Which language a page is in: a saved choice wins; else the browser's if it is one
of the portal's two; else Chinese (the portal's users are Chinese union cadres)."""

import pytest
from django.test import Client
from django.urls import reverse

SIGN_IN = "/accounts/login/"


def _html_lang(response) -> str:
    text = response.content.decode()
    start = text.index('<html lang="') + len('<html lang="')
    return text[start : text.index('"', start)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "zh-hans"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("fr", "zh-hans"),
        ("de-DE,ja;q=0.8", "zh-hans"),
    ],
)
def test_the_anonymous_sign_in_page(accept, expected):
    client = Client(headers={"accept-language": accept} if accept else {})
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert _html_lang(response) == expected
    if expected == "zh-hans":
        assert "登录" in response.content.decode()
    else:
        assert "Sign in" in response.content.decode()


@pytest.mark.parametrize("accept", [None, "fr", "zh-CN"])
def test_a_saved_english_beats_the_browser(accept, cadre_grass):
    cadre_grass.language = "en"
    cadre_grass.save(update_fields=["language"])
    client = Client(headers={"accept-language": accept} if accept else {})
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    assert _html_lang(client.get("/")) == "en"


def test_a_saved_chinese_beats_an_english_browser(cadre_grass):
    cadre_grass.language = "zh-hans"
    cadre_grass.save(update_fields=["language"])
    client = Client(headers={"accept-language": "en"})
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    assert _html_lang(client.get("/")) == "zh-hans"


def test_a_blank_saved_language_follows_the_browser_else_chinese(cadre_grass):
    cadre_grass.language = ""
    cadre_grass.save(update_fields=["language"])
    for accept, expected in ((None, "zh-hans"), ("en", "en"), ("fr", "zh-hans")):
        client = Client(headers={"accept-language": accept} if accept else {})
        client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
        assert _html_lang(client.get("/")) == expected, accept


def test_switching_to_english_is_remembered_per_user(cadre_grass):
    cadre_grass.language = ""
    cadre_grass.save(update_fields=["language"])
    client = Client()
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    response = client.post(reverse("accounts:set_language"), {"language": "en"})
    assert response.status_code == 302
    cadre_grass.refresh_from_db()
    assert cadre_grass.language == "en"
    # A new browser, a new session, no preference: still English for this person.
    other = Client()
    other.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    assert _html_lang(other.get("/")) == "en"


def test_an_unknown_language_is_refused_and_nothing_changes(cadre_grass):
    cadre_grass.language = "zh-hans"
    cadre_grass.save(update_fields=["language"])
    client = Client()
    client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    client.post(reverse("accounts:set_language"), {"language": "fr"})
    cadre_grass.refresh_from_db()
    assert cadre_grass.language == "zh-hans"
