import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent, User
from accounts.services import audit_record, user_save, user_set_language

pytestmark = pytest.mark.django_db


def test_saving_a_new_user_hashes_the_password(admin_user, grassroots):
    user = user_save(
        user=User(),
        data={"username": "li_na", "union": grassroots, "is_cadre": True},
        password="Plenty-of-Entropy-2026",
        by=admin_user,
    )
    user.refresh_from_db()
    assert user.check_password("Plenty-of-Entropy-2026")
    assert user.union == grassroots
    assert user.is_cadre


def test_a_weak_password_is_refused_and_nothing_is_saved(admin_user, grassroots):
    before = User.objects.count()
    with pytest.raises(ValidationError):
        user_save(
            user=User(),
            data={"username": "weak", "union": grassroots},
            password="123",
            by=admin_user,
        )
    assert User.objects.count() == before
    assert not User.objects.filter(username="weak").exists()


def test_a_change_of_roles_is_audited(admin_user, cadre_grass):
    user_save(user=cadre_grass, data={"is_reviewer": True}, by=admin_user)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_CHANGED)
    assert event.user == admin_user
    assert cadre_grass.username in event.detail
    cadre_grass.refresh_from_db()
    assert cadre_grass.is_reviewer


def test_a_change_of_name_alone_is_not_a_role_change(admin_user, cadre_grass):
    user_save(user=cadre_grass, data={"first_name": "小红"}, by=admin_user)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLE_CHANGED).exists()
    cadre_grass.refresh_from_db()
    assert cadre_grass.first_name == "小红"


def test_the_language_is_remembered(cadre_grass):
    user_set_language(user=cadre_grass, language="en")
    cadre_grass.refresh_from_db()
    assert cadre_grass.language == "en"


def test_an_audit_record_keeps_who_and_what(cadre_grass):
    event = audit_record(
        kind=AuditEvent.Kind.LOGOUT, user=cadre_grass, detail="x" * 600
    )
    assert event.username == cadre_grass.username
    assert len(event.detail) == 500
