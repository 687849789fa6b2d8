"""Fixtures shared by every test: the union tree, the personas, and switches.

The personas follow docs/design.md §2. The tree is:

    district ─┬─ subdistrict ─┬─ grassroots        (cadre_grass works here)
              │               └─ grassroots_sibling
              └─ other_subdistrict ── other_grassroots
"""

import os

import pytest

from tests.accounts.factories import PASSWORD, UserFactory
from tests.unions.factories import (
    district_factory,
    grassroots_factory,
    subdistrict_factory,
)

# Tests read the pages in English unless they ask for Chinese (the portal's default).
EN = {"accept-language": "en"}


def require_or_skip(flag: str, reason: str):
    """Skips a test for a missing service, or fails it when CI sets ``flag``."""
    if os.environ.get(flag) == "1":
        pytest.fail(f"{reason} ({flag}=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """The portal is Chinese by default; tests read English unless they ask for
    Chinese (``translation.override("zh-hans")`` or an Accept-Language header)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The test client as an English-speaking browser; tests of the Chinese default
    make their own ``Client()`` without the header."""
    from django.test import Client

    return Client(headers=EN)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests; tests of the real worker switch this off."""
    from unionportal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    return


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- the union tree -----------------------------------------------------------------


@pytest.fixture
def district(db):
    return district_factory(name_en="Test District", code="TD")


@pytest.fixture
def subdistrict(district):
    return subdistrict_factory(district, name_en="North Sub-district", code="TD-N")


@pytest.fixture
def grassroots(subdistrict):
    return grassroots_factory(subdistrict, name_en="North Factory Union", code="TD-N-1")


@pytest.fixture
def grassroots_sibling(subdistrict):
    return grassroots_factory(subdistrict, name_en="North School Union", code="TD-N-2")


@pytest.fixture
def other_subdistrict(district):
    return subdistrict_factory(district, name_en="South Sub-district", code="TD-S")


@pytest.fixture
def other_grassroots(other_subdistrict):
    return grassroots_factory(
        other_subdistrict, name_en="South Hospital Union", code="TD-S-1"
    )


# --- personas -----------------------------------------------------------------------


@pytest.fixture
def admin_user(district):
    return UserFactory(username="admin_t", union=district, is_union_admin=True)


@pytest.fixture
def admin_sub(subdistrict):
    """An administrator of a sub-district union: administers its subtree only."""
    return UserFactory(username="admin_sub_t", union=subdistrict, is_union_admin=True)


@pytest.fixture
def leader(district):
    return UserFactory(username="leader_t", union=district, is_leader=True)


@pytest.fixture
def reviewer(district):
    """A district reviewer: reviews the sub-district unions, can overrule below."""
    return UserFactory(username="reviewer_t", union=district, is_reviewer=True)


@pytest.fixture
def cadre_sub(subdistrict):
    """A cadre of a sub-district union, who also reviews its grassroots unions."""
    return UserFactory(
        username="cadre_sub_t", union=subdistrict, is_cadre=True, is_reviewer=True
    )


@pytest.fixture
def cadre_grass(grassroots):
    return UserFactory(username="cadre_grass_t", union=grassroots, is_cadre=True)


@pytest.fixture
def outsider(other_grassroots):
    """A cadre of a grassroots union under the other sub-district."""
    return UserFactory(username="outsider_t", union=other_grassroots, is_cadre=True)


@pytest.fixture
def client_for(client):
    """Signs the test client in as the given user: ``client_for(cadre_grass)``."""

    def sign_in(user):
        client.force_login(user, backend="accounts.backends.UnionModelBackend")
        return client

    return sign_in


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def api_for():
    """``api_for(user)``: a fresh API client sending that user's new token."""

    def make(user):
        from accounts.tokens import api_token_create

        _token, key = api_token_create(user=user, name="test")
        from rest_framework.test import APIClient

        client = APIClient(headers={"accept-language": "en"})
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
