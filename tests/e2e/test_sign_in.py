import pytest

from tests.accounts.factories import UserFactory

ROLE_MENUS = {
    # role flags: (menu entries that must show, entries that must not)
    "admin": ({"is_union_admin": True}, ["Administration", "Unions"], []),
    "leader": ({"is_leader": True}, ["Unions"], ["Administration"]),
    "reviewer": ({"is_reviewer": True}, ["Unions"], ["Administration"]),
    "cadre": ({"is_cadre": True}, ["Unions"], ["Administration", "Dashboard"]),
}


@pytest.mark.parametrize("role", ROLE_MENUS)
def test_each_role_signs_in_and_sees_its_menu(portal, grassroots, password, role):
    flags, shown, hidden = ROLE_MENUS[role]
    union = grassroots if role == "cadre" else grassroots.parent.parent
    UserFactory(username=f"e2e_{role}", union=union, **flags)
    portal.sign_in(f"e2e_{role}", password)
    menu = portal.page.get_by_test_id("main-menu")
    for label in shown:
        assert menu.get_by_role("link", name=label).is_visible()
    for label in hidden:
        assert menu.get_by_role("link", name=label).count() == 0
    assert portal.page.get_by_role("heading", name="What needs you now").is_visible()
    portal.screenshot(f"home-{role}")


def test_language_switch_is_remembered(portal, cadre_grass, password):
    portal.sign_in(cadre_grass.username, password)
    with portal.page.expect_navigation():
        portal.page.locator("#topbar-language").select_option("zh-hans")
    assert portal.page.get_by_role("heading", name="需要您处理的事项").is_visible()
    portal.screenshot("home-cadre-zh")
    cadre_grass.refresh_from_db()
    assert cadre_grass.language == "zh-hans"


def test_narrow_screen_uses_the_menu_button(portal, cadre_grass, password):
    portal.page.set_viewport_size({"width": 390, "height": 844})
    portal.sign_in(cadre_grass.username, password)
    portal.page.get_by_role("button", name="Open the menu").click()
    portal.page.locator("#sidebar.show").wait_for()
    portal.page.wait_for_timeout(400)  # the slide-in transition
    assert (
        portal.page.get_by_test_id("main-menu")
        .get_by_role("link", name="Home")
        .is_visible()
    )
    portal.screenshot("home-mobile-menu", full_page=False)


def test_wrong_password_shows_a_message(portal, cadre_grass):
    portal.page.goto(portal.url("/accounts/login/"))
    portal.page.get_by_label("Username").fill(cadre_grass.username)
    portal.page.get_by_label("Password").fill("wrong")
    portal.page.get_by_role("button", name="Sign in").click()
    assert portal.page.get_by_text(
        "Please enter a correct username and password"
    ).is_visible()
    portal.screenshot("login-error")
