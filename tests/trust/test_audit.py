"""The audit log: who did what, when and from where, readable by administrators only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.audit import PeriodAudit
from tests.accounts.factories import UserFactory
from tests.snapshots import assert_unchanged

OFFICE_IP = "203.0.113.7"


def _sign_in(client, username, password, ip=OFFICE_IP):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_sign_in_is_recorded_with_who_when_and_where(client, cadre_grass, password):
    before = timezone.now()
    _sign_in(client, cadre_grass.username, password)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN)
    assert event.user == cadre_grass
    assert event.username == cadre_grass.username
    assert event.ip_address == OFFICE_IP
    assert before <= event.created_at <= timezone.now()


def test_failed_sign_in_is_recorded_with_the_name_tried_and_address(
    client, cadre_grass
):
    _sign_in(client, cadre_grass.username, "wrong")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert event.user is None
    assert event.username == cadre_grass.username
    assert event.ip_address == OFFICE_IP


def test_failed_sign_in_for_an_unknown_name_is_recorded(client, db):
    _sign_in(client, "nobody-here", "wrong")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.LOGIN_FAILED, username="nobody-here"
    ).exists()


def test_failed_sign_in_never_records_the_password(client, cadre_grass):
    _sign_in(client, cadre_grass.username, "s3cret-typo")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert "s3cret-typo" not in f"{event.username} {event.detail}"


def test_sign_out_is_recorded(client, cadre_grass, password):
    _sign_in(client, cadre_grass.username, password)
    client.post(reverse("logout"), REMOTE_ADDR=OFFICE_IP)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGOUT)
    assert event.user == cadre_grass
    assert event.ip_address == OFFICE_IP


def test_forwarded_for_header_is_not_trusted_without_a_proxy(client, cadre_grass):
    client.post(
        reverse("login"),
        {"username": cadre_grass.username, "password": "wrong"},
        REMOTE_ADDR=OFFICE_IP,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert event.ip_address == OFFICE_IP


def _user_form_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "union": user.union_id,
        "is_active": "on",
        "password": "",
    }
    for role in ("is_cadre", "is_reviewer", "is_leader", "is_union_admin"):
        if getattr(user, role):
            data[role] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_role_change_is_recorded_with_the_administrator_and_address(
    client_for, admin_user, cadre_grass
):
    client = client_for(admin_user)
    response = client.post(
        reverse("accounts:user_edit", args=[cadre_grass.pk]),
        _user_form_data(cadre_grass, is_reviewer="on"),
        REMOTE_ADDR=OFFICE_IP,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_CHANGED)
    assert event.user == admin_user
    assert event.ip_address == OFFICE_IP
    assert cadre_grass.username in event.detail
    # Role codes, readable in either language, and the person acted on.
    assert "cadre,reviewer" in event.detail
    assert event.target_user == cadre_grass


def test_new_user_is_recorded_as_a_role_change(client_for, admin_user, grassroots):
    client_for(admin_user).post(
        reverse("accounts:user_create"),
        {
            "username": "new_cadre",
            "first_name": "New",
            "last_name": "Cadre",
            "email": "new@example.org",
            "union": grassroots.pk,
            "is_cadre": "on",
            "is_active": "on",
            "password": "a-long-unusual-passphrase-42",
        },
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_CHANGED)
    assert "new_cadre" in event.detail


def test_change_without_roles_or_union_is_not_a_role_change(
    client_for, admin_user, cadre_grass
):
    client_for(admin_user).post(
        reverse("accounts:user_edit", args=[cadre_grass.pk]),
        _user_form_data(cadre_grass, first_name="Renamed"),
    )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLE_CHANGED).exists()


def test_move_to_another_union_is_recorded(
    client_for, admin_user, cadre_grass, grassroots_sibling
):
    client_for(admin_user).post(
        reverse("accounts:user_edit", args=[cadre_grass.pk]),
        _user_form_data(cadre_grass, union=grassroots_sibling.pk),
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_CHANGED)
    assert str(grassroots_sibling.pk) in event.detail


# --- reading the log ---------------------------------------------------------------------


def test_administrator_reads_the_log_with_who_and_where(client_for, admin_user):
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, username="someone", ip_address="192.0.2.44"
    )
    response = client_for(admin_user).get(reverse("accounts:audit_list"))
    assert response.status_code == 200
    assert b"someone" in response.content
    assert b"192.0.2.44" in response.content


@pytest.mark.parametrize("persona", ["leader", "reviewer", "cadre_sub", "cadre_grass"])
def test_only_administrators_read_the_log(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("accounts:audit_list")).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in_for_the_log(client, db):
    response = client.get(reverse("accounts:audit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_log_filters_by_kind(client_for, admin_user):
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, username="in-user")
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN_FAILED, username="bad-user")
    response = client_for(admin_user).get(
        reverse("accounts:audit_list"), {"kind": AuditEvent.Kind.LOGIN_FAILED}
    )
    assert b"bad-user" in response.content
    assert b"in-user" not in response.content


def test_log_ignores_an_unknown_kind(client_for, admin_user):
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, username="in-user")
    response = client_for(admin_user).get(
        reverse("accounts:audit_list"), {"kind": "'; DROP TABLE x; --"}
    )
    assert response.status_code == 200
    assert b"in-user" in response.content


def test_log_shows_newest_first(client_for, admin_user):
    old = AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, username="older-one")
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, username="newer-one")
    content = client_for(admin_user).get(reverse("accounts:audit_list")).content
    # (Distinct names: the page's search box holds a "placeholder".)
    assert content.index(b"newer-one") < content.index(b"older-one")


def test_log_escapes_what_an_attacker_typed_as_a_user_name(
    client, client_for, admin_user
):
    client.post(
        reverse("login"),
        {"username": "<script>alert(1)</script>", "password": "x"},
    )
    content = client_for(admin_user).get(reverse("accounts:audit_list")).content
    assert b"<script>alert(1)</script>" not in content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_log_cannot_be_edited_in_the_django_admin(client, db):
    superuser = UserFactory(username="root_t", is_staff=True, is_superuser=True)
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, username="x")
    client.force_login(superuser, backend="accounts.backends.UnionModelBackend")
    with assert_unchanged():
        response = client.post(
            reverse("admin:accounts_auditevent_change", args=[event.pk]),
            {"kind": AuditEvent.Kind.LOGOUT, "username": "forged"},
        )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.username == "x"


def test_log_cannot_be_deleted_or_forged_in_the_django_admin(client, db):
    superuser = UserFactory(username="root_t", is_staff=True, is_superuser=True)
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, username="x")
    client.force_login(superuser, backend="accounts.backends.UnionModelBackend")
    with assert_unchanged():
        deleted = client.post(
            reverse("admin:accounts_auditevent_delete", args=[event.pk]),
            {"post": "yes"},
        )
        added = client.post(
            reverse("admin:accounts_auditevent_add"),
            {"kind": AuditEvent.Kind.LOGIN, "username": "forged"},
        )
    assert deleted.status_code == 403
    assert added.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert not AuditEvent.objects.filter(username="forged").exists()


# --- personal data and assessment periods --------------------------------------------------


def test_export_with_personal_data_is_recorded(client_for, admin_user):
    client_for(admin_user).get(
        reverse("unions:union_export"), {"personal": "1"}, REMOTE_ADDR=OFFICE_IP
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERSONAL_DATA_EXPORT)
    assert event.user == admin_user
    assert event.ip_address == OFFICE_IP


def test_export_without_personal_data_is_not_recorded(client_for, admin_user):
    response = client_for(admin_user).get(reverse("unions:union_export"))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PERSONAL_DATA_EXPORT
    ).exists()


def test_refused_personal_export_writes_no_file_and_no_event(client_for, leader):
    response = client_for(leader).get(reverse("unions:union_export"), {"personal": "1"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PERSONAL_DATA_EXPORT
    ).exists()


@pytest.fixture
def built_period(district, admin_user, grassroots, media_root):
    """A closed period of the district with its report and files built (as the
    worker builds them), ready to publish and then lock."""
    from assessments import services
    from tests.api.factories import open_period
    from tests.assessments.factories import build_report

    period, _indicator = open_period(district, by=admin_user)
    services.period_close(period=period, by=admin_user)
    report = build_report(period)
    assert report.files_ready
    return period


def _period_action(client, period, action):
    return client.post(
        reverse("assessments:period_action", args=[period.pk, action]),
        REMOTE_ADDR=OFFICE_IP,
    )


def test_publishing_a_period_is_recorded(client_for, admin_user, built_period):
    _period_action(client_for(admin_user), built_period, "publish")
    event = AuditEvent.objects.get(kind=PeriodAudit.PUBLISHED)
    assert event.user == admin_user
    assert event.ip_address == OFFICE_IP
    assert built_period.kind in event.detail


def test_locking_a_period_is_recorded(client_for, admin_user, built_period):
    client = client_for(admin_user)
    _period_action(client, built_period, "publish")
    _period_action(client, built_period, "lock")
    event = AuditEvent.objects.get(kind=PeriodAudit.LOCKED)
    assert event.user == admin_user
    assert event.ip_address == OFFICE_IP


def test_reopening_a_period_is_recorded_with_the_reason(
    client_for, admin_user, built_period
):
    client_for(admin_user).post(
        reverse("assessments:period_reopen", args=[built_period.pk]),
        {"reason": "Scores of Q1 were entered twice"},
        REMOTE_ADDR=OFFICE_IP,
    )
    event = AuditEvent.objects.get(kind=PeriodAudit.REOPENED)
    assert "entered twice" in event.detail
    assert event.ip_address == OFFICE_IP


def test_refused_publication_is_not_recorded(client_for, leader, built_period):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = _period_action(signed_in, built_period, "publish")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind=PeriodAudit.PUBLISHED).exists()


def test_audit_log_page_names_each_kind(client_for, admin_user, built_period):
    client = client_for(admin_user)
    _period_action(client, built_period, "publish")
    content = client.get(reverse("accounts:audit_list")).content.decode()
    assert "Period published" in content
    assert OFFICE_IP in content
