"""Accessibility: axe-core on every main page, in English and in Chinese, finds no
serious or critical violation; the main forms work with the keyboard alone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.trust.world import World

BLOCKING = ("serious", "critical")


def _pages(world: World) -> dict[str, list[tuple[str, str]]]:
    """Persona → [(name, path)] covering each app's main pages."""
    grassroots = world.union("grassroots")
    return {
        "admin_user": [
            ("home", reverse("home")),
            ("profile", reverse("accounts:profile")),
            ("notifications", reverse("accounts:notification_list")),
            ("administration", reverse("accounts:admin_home")),
            ("users", reverse("accounts:user_list")),
            ("user-form", reverse("accounts:user_create")),
            ("audit", reverse("accounts:audit_list")),
            ("unions", reverse("unions:union_list")),
            ("union", reverse("unions:union_detail", args=[grassroots.pk])),
            ("union-form", reverse("unions:union_edit", args=[grassroots.pk])),
            ("terms", reverse("unions:term_dashboard")),
            ("term", reverse("unions:term_detail", args=[world.term.pk])),
            ("changes", reverse("unions:change_list")),
            ("change", reverse("unions:change_detail", args=[world.change.pk])),
            ("plans", reverse("planning:plan_list")),
            ("plan", reverse("planning:plan_detail", args=[world.plan.pk])),
            ("projects", reverse("planning:project_list")),
            ("project", reverse("planning:project_detail", args=[world.project.pk])),
            ("activities", reverse("planning:activity_home")),
            ("assessments", reverse("assessments:home")),
            ("schemes", reverse("assessments:scheme_list")),
            ("scheme", reverse("assessments:scheme_detail", args=[world.scheme.pk])),
            ("period", reverse("assessments:period_detail", args=[world.period.pk])),
            ("dashboard", reverse("assessments:dashboard")),
            ("reports", reverse("assessments:report_list")),
        ],
        "cadre_grass": [
            ("progress", reverse("planning:progress_home")),
            (
                "report-entry",
                reverse("planning:report_entry", args=[world.project.pk]),
            ),
            (
                "scoring",
                reverse(
                    "assessments:unit_scoring", args=[world.period.pk, grassroots.pk]
                ),
            ),
            ("scorecard", reverse("assessments:unit_scorecard", args=[grassroots.pk])),
            ("event-form", reverse("planning:event_create")),
        ],
        "cadre_sub": [("review-queue", reverse("planning:review_queue"))],
    }


def _violations(page) -> list[str]:
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(
            f"{violation['impact']} {violation['id']}: {violation['help']} "
            f"({'; '.join(targets)})"
        )
    return found


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_have_no_serious_accessibility_violation(
    portal, request, password, language
):
    world = World(request)
    world.report  # noqa: B018 - something to review
    world.event  # noqa: B018
    problems = []
    portal.goto(reverse("login"))
    problems += [f"login: {v}" for v in _violations(portal.page)]
    for fixture, pages in _pages(world).items():
        user = request.getfixturevalue(fixture)
        user.language = language
        user.save(update_fields=["language"])
        portal.sign_out()
        portal.sign_in(user.username, password)
        for name, path in pages:
            response = portal.goto(path)
            assert response.status == 200, f"{name}: {response.status}"
            problems += [f"{name}: {v}" for v in _violations(portal.page)]
    portal.screenshot(f"trust-a11y-{language}-last-page")
    assert not problems, "\n".join(problems)


# --- the keyboard alone ---------------------------------------------------------------


def _tab_to(page, selector: str, *, limit: int = 80):
    """Presses Tab until ``selector`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_sign_in_with_the_keyboard_alone(portal, cadre_grass, password):
    portal.goto(reverse("login"))
    _tab_to(portal.page, "input[name=username]")
    portal.page.keyboard.type(cadre_grass.username)
    _tab_to(portal.page, "input[name=password]")
    portal.page.keyboard.type(password)
    with portal.page.expect_navigation():
        portal.page.keyboard.press("Enter")
    portal.screenshot("trust-keyboard-sign-in")
    assert portal.page.url.endswith("/")
    assert portal.page.get_by_test_id("main-menu").count() == 1


def test_skip_link_is_the_first_stop_and_reaches_the_content(
    portal, cadre_grass, password
):
    portal.sign_in(cadre_grass.username, password)
    portal.page.keyboard.press("Tab")
    focused = portal.page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    portal.page.keyboard.press("Enter")
    assert portal.page.evaluate("document.activeElement.id") == "main"


def test_progress_report_is_saved_with_the_keyboard_alone(
    portal, request, cadre_grass, password
):
    world = World(request)
    portal.sign_in(cadre_grass.username, password)
    portal.goto(reverse("planning:report_entry", args=[world.project.pk]))
    _tab_to(portal.page, "input[name=achieved_value]")
    portal.page.keyboard.type("25")
    _tab_to(portal.page, "textarea[name=narrative]")
    portal.page.keyboard.type("Held two training courses for 25 cadres.")
    _tab_to(portal.page, "button[type=submit][value=save], button[type=submit]")
    portal.page.keyboard.press("Enter")
    # The draft is saved in place (htmx): wait for the page to say so.
    portal.page.get_by_text("saved", exact=False).first.wait_for()
    portal.screenshot("trust-keyboard-report-saved")
    from planning.models import ProgressReport

    report = ProgressReport.objects.get(project=world.project)
    assert report.narrative == "Held two training courses for 25 cadres."


def test_self_score_is_entered_with_the_keyboard_alone(
    portal, request, cadre_grass, password
):
    world = World(request)
    portal.sign_in(cadre_grass.username, password)
    portal.goto(
        reverse(
            "assessments:unit_scoring",
            args=[world.period.pk, world.union("grassroots").pk],
        )
    )
    field = f"input[name=self_score_{world.indicator.pk}]"
    _tab_to(portal.page, field)
    portal.page.keyboard.type("77")
    _tab_to(portal.page, "button[type=submit]")
    with portal.page.expect_navigation():
        portal.page.keyboard.press("Enter")
    portal.screenshot("trust-keyboard-self-score")
    from assessments.models import Score

    assert Score.objects.get(unit=world.union("grassroots")).self_score == 77
