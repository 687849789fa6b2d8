"""Settings findings of the hostile probe: proxy count, admin path, headers."""

import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _settings_value(name: str, **env) -> str:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'unionportal.settings'); django.setup(); from django.conf import settings; "
        f"print(repr(settings.{name}))"
    )
    import os

    environment = {
        **{k: v for k, v in os.environ.items() if k != "PROXY_COUNT"},
        "SECRET_KEY": "x" * 50,
        **env,
    }
    return subprocess.run(  # noqa: S603 - a fixed interpreter and code
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout.strip()


def test_behind_a_tls_proxy_one_proxy_is_assumed():
    assert _settings_value("AXES_IPWARE_PROXY_COUNT", BEHIND_TLS_PROXY="true") == "1"
    assert (
        _settings_value("AXES_IPWARE_PROXY_COUNT", BEHIND_TLS_PROXY="false") == "None"
    )
    assert (
        _settings_value(
            "AXES_IPWARE_PROXY_COUNT", BEHIND_TLS_PROXY="true", PROXY_COUNT="2"
        )
        == "2"
    )


def test_the_unset_proxy_count_is_warned_about(settings, monkeypatch):
    from unionportal.checks import proxy_count_check

    settings.BEHIND_TLS_PROXY = True
    monkeypatch.delenv("PROXY_COUNT", raising=False)
    assert [w.id for w in proxy_count_check(None)] == ["unionportal.W001"]
    monkeypatch.setenv("PROXY_COUNT", "1")
    assert proxy_count_check(None) == []


def test_the_admin_is_not_served_unless_a_path_is_set():
    assert _settings_value("DJANGO_ADMIN_PATH", DJANGO_ADMIN_PATH="") == "''"
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'unionportal.settings'); django.setup(); from django.urls import resolve, "
        "Resolver404\ntry:\n    resolve('/django-admin/login/'); print('served')\n"
        "except Resolver404:\n    print('absent')"
    )
    import os

    environment = {**os.environ, "SECRET_KEY": "x" * 50, "DJANGO_ADMIN_PATH": ""}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "absent"


def test_pages_send_a_permissions_policy(client):
    response = client.get("/accounts/login/")
    assert "camera=()" in response["Permissions-Policy"]
