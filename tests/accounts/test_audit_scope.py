"""Who reads which audit events, and the account events that are recorded."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken, AuditEvent
from accounts.services import PASSWORD_CHECK_LIMIT, audit_record
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub_admin(subdistrict):
    return UserFactory(username="sub_admin_t", union=subdistrict, is_union_admin=True)


@pytest.fixture
def events(cadre_grass, outsider):
    return {
        "own": audit_record(kind=AuditEvent.Kind.LOGIN, user=cadre_grass),
        "other": audit_record(kind=AuditEvent.Kind.LOGIN, user=outsider),
        "stranger": audit_record(
            kind=AuditEvent.Kind.LOGIN_FAILED, username="guess-who"
        ),
    }


def _listed(client, **params):
    response = client.get(reverse("accounts:audit_list"), params)
    assert response.status_code == 200
    return {event.pk for event in response.context["page"].object_list}


def test_a_sub_district_admin_reads_only_their_subtree(client_for, sub_admin, events):
    seen = _listed(client_for(sub_admin))
    assert events["own"].pk in seen
    assert events["other"].pk not in seen
    assert events["stranger"].pk not in seen


def test_the_district_admin_reads_everything(client_for, admin_user, events):
    seen = _listed(client_for(admin_user))
    assert {e.pk for e in events.values()} <= seen


def test_an_event_about_a_person_shows_to_the_admins_above_them(
    client_for, sub_admin, admin_user, cadre_grass
):
    event = audit_record(
        kind=AuditEvent.Kind.PASSWORD_SET, user=admin_user, target=cadre_grass
    )
    assert event.pk in _listed(client_for(sub_admin))


def test_the_audit_list_does_not_count_its_whole_table(
    client_for, admin_user, cadre_grass
):
    for _ in range(3):
        audit_record(kind=AuditEvent.Kind.LOGIN, user=cadre_grass)
    client = client_for(admin_user)
    client.get(reverse("home"))
    response = client.get(reverse("accounts:audit_list"))
    assert response.context["page"].paginator.count >= 3


def _edit(client, user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "union": user.union_id,
        "is_cadre": "on" if user.is_cadre else "",
        "is_active": "on" if user.is_active else "",
        **changes,
    }
    return client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {k: v for k, v in data.items() if v != ""},
    )


def test_setting_a_password_is_audited_and_ends_the_api_tokens(
    client_for, admin_user, cadre_grass
):
    from accounts.tokens import api_token_create

    api_token_create(user=cadre_grass, name="OA")
    response = _edit(client_for(admin_user), cadre_grass, password="New-Pass-2026-x")
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_SET)
    assert (event.user, event.target_user) == (admin_user, cadre_grass)
    assert not ApiToken.objects.active().filter(user=cadre_grass).exists()


def test_deactivating_and_reactivating_are_audited(client_for, admin_user, cadre_grass):
    client = client_for(admin_user)
    _edit(client, cadre_grass, is_active="")
    cadre_grass.refresh_from_db()
    assert not cadre_grass.is_active
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.USER_DEACTIVATED, target_user=cadre_grass
    ).exists()
    _edit(client, cadre_grass, is_active="on")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.USER_REACTIVATED, target_user=cadre_grass
    ).exists()


def _change_password(client, old, new="Brand-New-Pass-2026"):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_changing_ones_password_is_audited_and_ends_the_api_tokens(
    client_for, cadre_grass
):
    from accounts.tokens import api_token_create

    api_token_create(user=cadre_grass, name="OA")
    response = _change_password(client_for(cadre_grass), PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PASSWORD_CHANGED, user=cadre_grass
    ).exists()
    assert not ApiToken.objects.active().filter(user=cadre_grass).exists()


def test_wrong_current_passwords_are_audited_then_limited(client_for, cadre_grass):
    client = client_for(cadre_grass)
    for _ in range(PASSWORD_CHECK_LIMIT):
        assert _change_password(client, "wrong-guess").status_code == 200
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGE_FAILED).count()
        == PASSWORD_CHECK_LIMIT
    )
    # Now even the right password is not checked: the password stays as it was.
    response = _change_password(client, PASSWORD)
    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    cadre_grass.refresh_from_db()
    assert cadre_grass.check_password(PASSWORD)


def test_each_app_registers_its_own_audit_kinds():
    from accounts.audit import audit_kind_choices
    from accounts.models import AuditEvent
    from assessments.audit import PeriodAudit

    codes = dict(audit_kind_choices())
    assert "period_published" not in AuditEvent.Kind.values  # not accounts' own
    assert codes["period_published"] == PeriodAudit.PUBLISHED.label
    assert codes["login"] == AuditEvent.Kind.LOGIN.label
    assert (
        AuditEvent(kind=PeriodAudit.PUBLISHED).get_kind_display() == "Period published"
    )


def test_a_kind_cannot_be_registered_twice_with_another_meaning():
    from django.db import models

    from accounts.audit import register_audit_kinds

    class Clash(models.TextChoices):
        LOGIN = "login", "Something else"

    with pytest.raises(ValueError, match="registered twice"):
        register_audit_kinds(Clash)
