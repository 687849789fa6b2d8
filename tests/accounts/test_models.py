import pytest

from accounts.models import User
from unionportal.roles import Role

pytestmark = pytest.mark.django_db


def test_roles_follow_the_flags(cadre_sub):
    assert cadre_sub.roles == [Role.CADRE, Role.REVIEWER]
    assert cadre_sub.has_role(Role.REVIEWER)
    assert not cadre_sub.has_role(Role.ADMIN, Role.LEADER)


def test_a_superuser_is_an_administrator(district):
    from tests.accounts.factories import UserFactory

    root = UserFactory(union=district, is_superuser=True)
    assert root.roles == [Role.ADMIN]


def test_a_leader_is_read_only_and_a_cadre_is_not(leader, cadre_grass):
    assert leader.is_read_only
    assert not cadre_grass.is_read_only


def test_a_leader_who_also_reviews_can_write(district):
    from tests.accounts.factories import UserFactory

    both = UserFactory(union=district, is_leader=True, is_reviewer=True)
    assert not both.is_read_only


def test_roles_display_names_every_role(cadre_sub):
    from django.utils import translation

    with translation.override("en"):
        assert cadre_sub.get_roles_display() == "Cadre, Reviewer"


def test_the_name_shown_is_the_full_name(cadre_grass):
    cadre_grass.first_name, cadre_grass.last_name = "丽", "张"
    assert str(cadre_grass) == cadre_grass.get_full_name()


def test_an_administrator_sees_the_users_of_their_subtree_only(
    admin_user, cadre_sub, cadre_grass, outsider
):
    seen = set(User.objects.visible_to(admin_user))
    assert {cadre_sub, cadre_grass, outsider} <= seen


def test_a_sub_district_administrator_sees_only_below(
    subdistrict, cadre_sub, cadre_grass, outsider
):
    from tests.accounts.factories import UserFactory

    sub_admin = UserFactory(union=subdistrict, is_union_admin=True)
    seen = set(User.objects.visible_to(sub_admin))
    assert cadre_grass in seen
    assert cadre_sub in seen
    assert outsider not in seen


def test_people_without_the_admin_role_see_no_users(leader, reviewer, cadre_sub):
    for person in (leader, reviewer, cadre_sub):
        assert not User.objects.visible_to(person).exists()
