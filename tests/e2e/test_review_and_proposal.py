"""The review scoring page and a self-chosen project's proposal, in Chinese at 1366
and 390 px: screenshots to look at, no sideways scroll on a phone, and the flows
(partial save; propose → approve) working in the browser."""

import pytest

from accounts.demo import DEMO_PASSWORD

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def demo(transactional_db):
    from unionportal.demo import seed_demo

    return seed_demo()


def _chinese(portal):
    portal.page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": portal.base_url}]
    )


def _no_sideways_scroll(page) -> bool:
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll <= width + 1


def _shots(portal, path, name):
    page = portal.page
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        portal.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        if label == "phone":
            assert _no_sideways_scroll(page), f"{path} scrolls sideways"
        portal.screenshot(f"{name}-{label}")


def test_the_reviewer_scores_and_sees_only_rows_needing_a_reason(portal, demo):
    from assessments.models import Period, Score

    period = Period.objects.get(
        status="open", scheme__unit_level="grassroots", scheme__status="active"
    )
    # A grassroots union of the demo reviewer's sub-district that has entered its
    # self scores and has been reviewed.
    below = [u for code, u in demo["unions"].items() if code.startswith("JB-S01-G")]
    unit = max(
        below,
        key=lambda u: Score.objects.filter(
            period=period, unit=u, reviewed_at__isnull=False
        ).count(),
    )
    path = f"/assessments/periods/{period.pk}/units/{unit.pk}/"
    portal.sign_in("cadre_sub", DEMO_PASSWORD)
    _chinese(portal)
    page = portal.page
    page.set_viewport_size({"width": 1366, "height": 900})
    portal.goto(path)
    # The demo's reviews are in the past and match the self scores: nothing is
    # flagged as changed since the review.
    assert page.get_by_text("上次审核后自评分有变动").count() == 0
    _shots(portal, path, "review-scoring")

    # Two rows changed: one in agreement, one differing without a reason.
    page.set_viewport_size({"width": 1366, "height": 900})
    portal.goto(path)
    scores = list(
        Score.objects.filter(period=period, unit=unit)
        .exclude(self_score=None)
        .select_related("indicator")
        .filter(indicator__kind="base")
        .order_by("indicator__code")
    )
    # The second row must be lowered to a score it does not hold already (a
    # self-score of 0 cannot be lowered): otherwise a refused save and a saved
    # one would look the same.
    first = scores[0]
    second = next(s for s in scores[1:] if s.self_score >= 1)
    page.locator(f"#id_reviewed_score_{first.indicator_id}").fill(str(first.self_score))
    page.locator(f"#id_review_comment_{first.indicator_id}").fill("核实无误")
    lower = max(0, second.self_score - 1)
    page.locator(f"#id_reviewed_score_{second.indicator_id}").fill(str(lower))
    page.locator(f"#id_review_comment_{second.indicator_id}").fill("")
    page.locator("[data-testid=save-scores]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("需要填写审核意见").first.is_visible()
    portal.screenshot("review-scoring-partial-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _no_sideways_scroll(page)
    portal.screenshot("review-scoring-partial-phone")
    second.refresh_from_db()
    assert second.reviewed_score != lower


def test_a_union_proposes_a_project_and_the_reviewer_approves(portal, demo):
    from planning.models import KeyWorkProject

    portal.sign_in("cadre_grass", DEMO_PASSWORD)
    _chinese(portal)
    page = portal.page
    page.set_viewport_size({"width": 1366, "height": 900})
    portal.goto("/projects/")
    page.get_by_test_id("propose-project").click()
    page.wait_for_load_state("networkidle")
    _shots(portal, "/projects/propose/", "proposal-form")

    page.set_viewport_size({"width": 1366, "height": 900})
    portal.goto("/projects/propose/")
    page.locator("#id_plan").select_option(index=1)
    page.locator("#id_title").fill("职工书屋阅读分享会")
    page.locator("#id_category").select_option(index=1)
    page.locator("#id_responsible_person").fill("张丽")
    page.locator("#id_target_value").fill("12")
    page.locator("#id_target_unit").fill("场")
    page.locator("#id_start_date").fill(f"{_year()}-01-01")
    page.locator("#id_due_date").fill(f"{_year()}-12-31")
    page.get_by_test_id("proposal-submit").click()
    page.wait_for_load_state("networkidle")
    project = KeyWorkProject.objects.get(title="职工书屋阅读分享会")
    assert project.proposal_status == "proposed"
    _shots(portal, f"/projects/{project.pk}/", "proposal-proposed")
    portal.sign_out()

    portal.sign_in("reviewer", DEMO_PASSWORD)
    _chinese(portal)
    _shots(portal, f"/projects/{project.pk}/", "proposal-to-decide")
    page.set_viewport_size({"width": 1366, "height": 900})
    portal.goto(f"/projects/{project.pk}/")
    page.get_by_test_id("approve-proposal").click()
    page.wait_for_load_state("networkidle")
    project.refresh_from_db()
    assert project.proposal_status == "approved"
    portal.screenshot("proposal-approved-desktop")


def _year():
    from django.utils import timezone

    return timezone.localdate().year
