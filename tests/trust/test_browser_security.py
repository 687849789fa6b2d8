"""What the browser is told: CSRF, CSP, framing, referrer, cookies, lockout, idle timeout.

The foundation tests (tests/unionportal/test_foundation.py) already prove that five
failures lock a user out and that the session age is thirty minutes; these extend them.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.conftest import EN
from tests.snapshots import assert_unchanged
from tests.trust.endpoints import all_endpoints, portal_endpoints
from tests.trust.html import inline_script_problems

BASE_DIR = Path(settings.BASE_DIR)
PROJECT_APPS = ("unionportal", "accounts", "unions", "planning", "assessments")

# --- CSRF ---------------------------------------------------------------------------

# Django's admin site shares one CSRF path (its views are csrf_protect'ed); the
# static test below covers it with every other URL.
ENDPOINTS = portal_endpoints()


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_post_without_csrf_token_is_refused_for_signed_in_user(
    endpoint, csrf_client, admin_user
):
    csrf_client.force_login(admin_user, backend="accounts.backends.UnionModelBackend")
    with assert_unchanged():
        response = csrf_client.post(endpoint.sample_path(), {"x": "1"})
    assert _is_csrf_refusal(response), (
        f"{endpoint.key}: POST without a CSRF token answered "
        f"{response.status_code} {response.content[:200]!r}"
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_post_without_csrf_token_is_refused_for_anonymous(endpoint, csrf_client, db):
    with assert_unchanged():
        response = csrf_client.post(endpoint.sample_path(), {"x": "1"})
    if endpoint.is_api:
        # The API answers anonymous writers before it looks at CSRF (or refuses
        # the method outright on read-only endpoints).
        assert response.status_code in (401, 403, 405), endpoint.key
    else:
        assert _is_csrf_refusal(response), (
            f"{endpoint.key}: anonymous POST without a CSRF token answered "
            f"{response.status_code}"
        )


def _csrf_exempt(callback) -> bool:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        from rest_framework.views import APIView

        if issubclass(view_class, APIView):
            # DRF marks its views exempt and enforces CSRF itself for session
            # users (SessionAuthentication); token users send no cookie to forge.
            return False
    return bool(getattr(callback, "csrf_exempt", False))


def test_no_view_is_exempt_from_csrf():
    exempt = [e.key for e in all_endpoints() if _csrf_exempt(e.callback)]
    assert not exempt, f"views exempt from CSRF: {exempt}"


def test_post_with_csrf_token_is_accepted(csrf_client, cadre_grass, password):
    csrf_client.get(reverse("login"))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        reverse("login"),
        {
            "username": cadre_grass.username,
            "password": password,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_htmx_requests_carry_the_csrf_token_in_a_header(client_for, cadre_grass):
    response = client_for(cadre_grass).get("/")
    assert b'hx-headers=\'{"X-CSRFToken": "' in response.content


# --- Content-Security-Policy ---------------------------------------------------------


def _csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_csp_allows_scripts_only_from_the_portal_itself(client, db):
    directives = _csp_directives(client.get(reverse("login")))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]


def test_csp_forbids_framing_plugins_and_foreign_forms(client, db):
    directives = _csp_directives(client.get(reverse("login")))
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]


def test_csp_is_sent_on_signed_in_pages(client_for, admin_user):
    response = client_for(admin_user).get(reverse("accounts:user_list"))
    assert "'unsafe-inline'" not in _csp_directives(response)["script-src"]


def test_htmx_is_configured_without_eval(client_for, cadre_grass):
    content = client_for(cadre_grass).get("/").content.decode()
    match = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', content)
    assert match, "base.html must configure htmx with a meta tag"
    config = json.loads(match.group(1))
    assert config["allowEval"] is False
    # htmx would otherwise inject an inline <style> element.
    assert config["includeIndicatorStyles"] is False


def _template_files() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [BASE_DIR / app / "templates" for app in PROJECT_APPS]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.html"))


def test_template_scan_finds_inline_code():
    assert inline_script_problems('<script>alert(1)</script><a onclick="x()">')
    assert inline_script_problems('<button hx-on:click="x()">')
    assert not inline_script_problems(
        '<script src="/static/a.js"></script>'
        '<script type="application/json" id="c">{"a": 1}</script>'
    )


def test_no_template_contains_inline_script_or_event_handler():
    files = _template_files()
    assert files, "no templates found"
    problems = [
        f"{path.relative_to(BASE_DIR)}: {problem}"
        for path in files
        for problem in inline_script_problems(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


# --- Other headers ----------------------------------------------------------------------


def test_pages_refuse_to_be_framed(client, db):
    assert client.get(reverse("login"))["X-Frame-Options"] == "DENY"


def test_referrer_policy_keeps_urls_on_the_site(client, db):
    assert client.get(reverse("login"))["Referrer-Policy"] == "same-origin"


def test_content_types_are_not_sniffed(client, db):
    assert client.get(reverse("login"))["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_are_not_cached_by_browsers(client_for, cadre_grass):
    cache_control = client_for(cadre_grass).get("/")["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


# --- Production settings ------------------------------------------------------------------

PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.org",
}
# Variables that pytest-env sets for the test run and a production server would not.
TEST_ONLY_VARIABLES = (
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _production_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    env.update(PRODUCTION_ENV, SECRET_KEY=secrets.token_urlsafe(50)[:50])
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


PRINT_SECURITY_SETTINGS = """
import json
from django.conf import settings as s
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF",
         "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY", "DEBUG", "SESSION_COOKIE_AGE",
         "SESSION_SAVE_EVERY_REQUEST"]
print(json.dumps({n: getattr(s, n) for n in names}))
"""


@pytest.fixture(scope="module")
def production_settings():
    result = _manage("shell", "-c", PRINT_SECURITY_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_and_same_site(production_settings):
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["CSRF_COOKIE_HTTPONLY"] is True
    assert production_settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production_settings["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_production_forces_https_with_hsts(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31536000


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_environment()
    env.pop("SECRET_KEY")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**env, "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sign_in_sets_secure_httponly_same_site_cookies(
    client, settings, cadre_grass, password
):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.get(reverse("login"), secure=True)
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": password},
        secure=True,
        headers={"X-CSRFToken": token},
    )
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True


def test_plain_http_is_redirected_to_https(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_health_check_answers_over_plain_http(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200


def test_https_answers_carry_hsts(client, settings, db):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


# --- Lockout (django-axes) -------------------------------------------------------------


def _fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        client.post(
            reverse("login"),
            {"username": username, "password": "wrong"},
            REMOTE_ADDR=ip,
        )


def test_lockout_does_not_block_the_same_user_from_another_address(
    client, cadre_grass, password
):
    _fail(client, cadre_grass.username, 5, ip="10.0.0.1")
    response = client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": password},
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302


def test_lockout_does_not_block_another_user_from_the_same_address(
    client, cadre_grass, cadre_sub, password
):
    _fail(client, cadre_grass.username, 5)
    response = client.post(
        reverse("login"),
        {"username": cadre_sub.username, "password": password},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_four_failures_then_success_resets_the_count(client, cadre_grass, password):
    _fail(client, cadre_grass.username, 4)
    client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": password},
        REMOTE_ADDR="10.0.0.1",
    )
    client.logout()
    _fail(client, cadre_grass.username, 4)
    response = client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": password},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, cadre_grass, password):
    _fail(client, cadre_grass.username, 5)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    response = client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": password},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_lockout_is_audited(client, cadre_grass):
    _fail(client, cadre_grass.username, 5)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOCKED_OUT)
    assert event.username == cadre_grass.username
    assert event.ip_address == "10.0.0.1"


def test_lockout_page_is_translated(client, cadre_grass):
    _fail(client, cadre_grass.username, 5)
    response = client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 429
    assert response["Content-Language"] == "zh-hans"


# --- Idle timeout -----------------------------------------------------------------------


def _signed_in(client, user, password):
    client.post(reverse("login"), {"username": user.username, "password": password})
    return client


def test_idle_session_is_signed_out(client, cadre_grass, password):
    from django.core.cache import cache

    _signed_in(client, cadre_grass, password)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.clear()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _age_last_refresh(client, seconds):
    """Moves the session's last refresh (and its server-side expiry) back in time."""
    from django.core.cache import cache

    from unionportal.middleware import SessionIdleRefreshMiddleware

    session = Session.objects.get()
    data = session.get_decoded()
    data[SessionIdleRefreshMiddleware.KEY] -= seconds
    Session.objects.filter(pk=session.pk).update(
        session_data=Session.objects.encode(data),
        expire_date=session.expire_date - timedelta(seconds=seconds),
    )
    cache.clear()


def test_a_request_after_a_minute_pushes_the_idle_deadline_forward(
    client, cadre_grass, password
):
    _signed_in(client, cadre_grass, password)
    _age_last_refresh(client, 25 * 60)
    response = client.get("/")
    expires = Session.objects.get().expire_date
    remaining = (expires - timezone.now()).total_seconds()
    assert 29 * 60 < remaining <= 30 * 60
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_requests_within_a_minute_do_not_write_the_session(
    client, cadre_grass, password
):
    _signed_in(client, cadre_grass, password)
    before = Session.objects.get().expire_date
    response = client.get("/")
    assert Session.objects.get().expire_date == before
    assert "sessionid" not in response.cookies


def test_a_session_idle_past_the_window_is_not_revived(client, cadre_grass, password):
    _signed_in(client, cadre_grass, password)
    _age_last_refresh(client, 30 * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_cookie_lives_only_for_the_idle_window(client, cadre_grass, password):
    response = client.post(
        reverse("login"), {"username": cadre_grass.username, "password": password}
    )
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_sign_out_ends_the_session_on_the_server(client, cadre_grass, password):
    _signed_in(client, cadre_grass, password)
    stolen = Client(headers=EN)
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    assert stolen.get("/").status_code == 302


def test_sign_in_rotates_the_session_key(client, cadre_grass, password):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    _signed_in(client, cadre_grass, password)
    assert client.session.session_key != before
