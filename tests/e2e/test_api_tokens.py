"""A cadre creates an API token on the profile page, a program uses it, the cadre
revokes it; and the interactive API documentation works under the CSP."""

from accounts.models import ApiToken
from tests.api.factories import ApiTokenFactory


def _create_token(portal, name):
    portal.page.get_by_label("Token name").fill(name)
    portal.page.get_by_role("button", name="Create token").click()
    portal.page.get_by_test_id("new-token").wait_for()
    return portal.page.get_by_test_id("new-token-key").input_value()


def test_cadre_creates_uses_and_revokes_a_token(portal, cadre_grass, password):
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/profile/")
    assert portal.page.get_by_test_id("no-tokens").is_visible()

    key = _create_token(portal, "OA system sync")
    assert key.startswith("upt_")
    assert portal.page.get_by_role("cell", name="OA system sync").is_visible()
    portal.screenshot("api-tokens-created")

    program = portal.page.context.request
    answer = program.get(
        portal.url("/api/v1/unions/"), headers={"Authorization": f"Token {key}"}
    )
    assert answer.status == 200
    assert answer.json()["results"][0]["id"] == cadre_grass.union_id

    portal.page.once("dialog", lambda dialog: dialog.accept())
    portal.page.get_by_role("button", name="Revoke").click()
    portal.page.get_by_test_id("no-tokens").wait_for()
    assert not portal.page.get_by_test_id("new-token").count()
    refused = program.get(
        portal.url("/api/v1/unions/"), headers={"Authorization": f"Token {key}"}
    )
    assert refused.status == 401


def test_the_key_is_gone_after_reloading(portal, cadre_grass, password):
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/profile/")
    key = _create_token(portal, "Spreadsheet script")
    portal.page.reload()
    assert key not in portal.page.content()
    assert portal.page.get_by_role("cell", name="Spreadsheet script").is_visible()


def test_dismissing_the_confirmation_keeps_the_token(portal, cadre_grass, password):
    ApiTokenFactory(user=cadre_grass, name="Mobile app")
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/profile/")
    portal.page.once("dialog", lambda dialog: dialog.dismiss())
    portal.page.get_by_role("button", name="Revoke").click()
    portal.page.wait_for_timeout(500)
    assert ApiToken.objects.active().filter(user=cadre_grass).count() == 1
    assert portal.page.get_by_role("cell", name="Mobile app").is_visible()


def test_empty_name_shows_a_message(portal, cadre_grass, password):
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/profile/")
    portal.page.get_by_label("Token name").fill("   ")
    portal.page.get_by_role("button", name="Create token").click()
    portal.page.locator(".invalid-feedback").first.wait_for()
    assert not ApiToken.objects.exists()
    portal.screenshot("api-tokens-error")


def test_token_section_on_a_phone(portal, cadre_grass, password):
    ApiTokenFactory(user=cadre_grass, name="OA system sync")
    ApiTokenFactory(user=cadre_grass, name="Mobile app")
    portal.page.set_viewport_size({"width": 390, "height": 844})
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/profile/")
    _create_token(portal, "Spreadsheet script")
    portal.page.locator("#api-tokens").scroll_into_view_if_needed()
    portal.screenshot("api-tokens-mobile")
    width = portal.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_api_docs_render_under_the_csp(portal, cadre_grass, password):
    errors = []
    portal.page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    portal.sign_in(cadre_grass.username, password)
    portal.goto("/api/docs/")
    portal.page.locator(".opblock-tag").first.wait_for()
    assert portal.page.get_by_text("Union Work Portal API").first.is_visible()
    assert portal.page.locator(".opblock-tag", has_text="unions").count() >= 1
    assert not [e for e in errors if "Content Security Policy" in e]
    portal.screenshot("api-docs", full_page=False)
