import pytest
from django.db import OperationalError
from django.urls import reverse

from accounts.models import AuditEvent, Notification
from tests.accounts.factories import NotificationFactory
from tests.snapshots import assert_unchanged


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_with_language_switch(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="language"' in response.content


def test_signed_in_user_sees_home_with_union_name(client_for, cadre_grass):
    response = client_for(cadre_grass).get("/")
    assert response.status_code == 200
    assert cadre_grass.union.name_en.encode() in response.content


def test_menu_hides_administration_from_cadre(client_for, cadre_grass):
    response = client_for(cadre_grass).get("/")
    assert reverse("accounts:admin_home").encode() not in response.content


def test_menu_shows_administration_to_admin(client_for, admin_user):
    response = client_for(admin_user).get("/")
    assert reverse("accounts:admin_home").encode() in response.content


def test_cadre_gets_403_on_administration(client_for, cadre_grass):
    assert (
        client_for(cadre_grass).get(reverse("accounts:admin_home")).status_code == 403
    )


def test_leader_post_is_refused_with_403(client_for, leader):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("accounts:user_create"), {"username": "x"})
    assert response.status_code == 403


def test_leader_may_still_change_language(client_for, leader):
    response = client_for(leader).post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"}
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.language == "zh-hans"


def test_user_language_is_used_on_next_page(client_for, cadre_grass):
    cadre_grass.language = "zh-hans"
    cadre_grass.save()
    response = client_for(cadre_grass).get("/")
    assert response["Content-Language"] == "zh-hans"


def test_set_language_ignores_foreign_next_url(client_for, cadre_grass):
    response = client_for(cadre_grass).post(
        reverse("accounts:set_language"),
        {"language": "en", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_healthz_reports_database_and_eager_broker(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_answers_503_when_database_is_down(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("unionportal.views.connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_bell_shows_unread_count(client_for, cadre_grass):
    NotificationFactory(recipient=cadre_grass)
    NotificationFactory(recipient=cadre_grass)
    response = client_for(cadre_grass).get("/")
    assert b'data-testid="unread-count">2' in response.content


def test_mark_all_read_clears_the_bell(client_for, cadre_grass):
    NotificationFactory(recipient=cadre_grass)
    client = client_for(cadre_grass)
    client.post(reverse("accounts:notifications_read_all"))
    assert not Notification.objects.filter(
        recipient=cadre_grass, read_at__isnull=True
    ).exists()


def test_user_cannot_read_someone_elses_notification(client_for, cadre_grass, outsider):
    notification = NotificationFactory(recipient=outsider)
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("accounts:notification_read", args=[notification.pk])
        )
    assert response.status_code == 404


def test_failed_sign_in_is_audited(client, cadre_grass):
    client.post(
        reverse("login"), {"username": cadre_grass.username, "password": "wrong"}
    )
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.LOGIN_FAILED, username=cadre_grass.username
    ).exists()


def test_five_failures_lock_the_user_out(client, cadre_grass, password):
    for _ in range(5):
        client.post(
            reverse("login"), {"username": cadre_grass.username, "password": "wrong"}
        )
    response = client.post(
        reverse("login"), {"username": cadre_grass.username, "password": password}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content


def test_successful_sign_in_reaches_home(client, cadre_grass, password):
    response = client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": password},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/"
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.LOGIN, user=cadre_grass
    ).exists()


def test_session_expires_after_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Pushed forward by SessionIdleRefreshMiddleware at most once a minute.
    assert settings.SESSION_REFRESH_SECONDS == 60
    assert "unionportal.middleware.SessionIdleRefreshMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize(
    "path", ["/no-such-page/", "/accounts/administration/users/999999/"]
)
def test_unknown_urls_answer_404_page(client_for, admin_user, path):
    response = client_for(admin_user).get(path)
    assert response.status_code == 404
    assert b"Page not found" in response.content
