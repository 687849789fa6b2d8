"""Pages: every data-changing view three ways (outsider 404, leader 403, editor
succeeds), unknown ids, what each role sees, and constant query counts."""

from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import (
    Indicator,
    IndicatorCategory,
    IndicatorExemption,
    Period,
    QuarterReport,
    Scheme,
    Score,
)
from tests.accounts.factories import UserFactory
from tests.snapshots import assert_unchanged
from tests.unions.factories import (
    district_factory,
    grassroots_factory,
    subdistrict_factory,
)

from .factories import (
    CategoryFactory,
    IndicatorFactory,
    PeriodFactory,
    SchemeFactory,
    ScoreFactory,
    build_report,
    indicator,
)


@pytest.fixture
def foreign_admin(db):
    """An administrator of another district: sees nothing of ours."""
    other = district_factory(code="XD", name_en="Other District")
    return UserFactory(username="foreign_admin", union=other, is_union_admin=True)


@pytest.fixture
def published(period, units, admin_user):
    """Q1 with scores, closed, built and published."""
    ScoreFactory(
        period=period,
        unit=units[0],
        indicator=indicator(period.scheme, "B1"),
        self_score=D("50"),
    )
    ScoreFactory(
        period=period,
        unit=units[1],
        indicator=indicator(period.scheme, "B1"),
        self_score=D("30"),
    )
    services.period_close(period=period, by=admin_user)
    build_report(period)
    services.period_publish(period=period, by=admin_user)
    period.refresh_from_db()
    return period


# --- schemes: three ways ---------------------------------------------------------------


def test_scheme_create_is_refused_to_a_cadre(client_for, cadre_grass):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(reverse("assessments:scheme_create"), {})
    assert response.status_code == 403


def test_scheme_create_is_refused_to_a_leader(client_for, leader):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("assessments:scheme_create"), {})
    assert response.status_code == 403


def test_admin_creates_a_draft_scheme(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("assessments:scheme_create"),
        {
            "year": "2027",
            "unit_level": "subdistrict",
            "name_zh": "2027年度考核",
            "name_en": "2027 assessment",
            "bonus_cap": "5",
            "annual_rule": "mean",
        },
    )
    scheme = Scheme.objects.get(year=2027)
    assert response.status_code == 302
    assert (scheme.owner, scheme.status) == (admin_user.union, Scheme.Status.DRAFT)


def test_scheme_create_with_bad_input_shows_errors_and_saves_nothing(
    client_for, admin_user
):
    response = client_for(admin_user).post(
        reverse("assessments:scheme_create"),
        {"year": "1850", "unit_level": "nonsense", "name_zh": "", "bonus_cap": "-1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"year", "unit_level", "name_zh"}
    assert not Scheme.objects.exists()


def test_scheme_edit_outsider_gets_404(client_for, scheme, foreign_admin):
    url = reverse("assessments:scheme_edit", args=[scheme.pk])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, {}).status_code == 404


def test_scheme_edit_leader_gets_403(client_for, scheme, leader):
    url = reverse("assessments:scheme_edit", args=[scheme.pk])
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, {}).status_code == 403


def test_scheme_edit_admin_saves(client_for, scheme, admin_user):
    url = reverse("assessments:scheme_edit", args=[scheme.pk])
    response = client_for(admin_user).post(
        url,
        {
            "name_zh": "新名称",
            "name_en": "New name",
            "bonus_cap": "4",
            "annual_rule": "mean",
        },
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.name_zh, scheme.bonus_cap, scheme.version) == ("新名称", D("4"), 2)


@pytest.fixture
def draft(district):
    scheme = SchemeFactory(owner=district, year=2027)
    IndicatorFactory(category=CategoryFactory(scheme=scheme), max_points=D("100"))
    return scheme


def test_scheme_activate_outsider_gets_404(client_for, draft, foreign_admin):
    url = reverse("assessments:scheme_action", args=[draft.pk, "activate"])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404


def test_scheme_activate_leader_gets_403(client_for, draft, leader):
    url = reverse("assessments:scheme_action", args=[draft.pk, "activate"])
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403


def test_scheme_activate_admin_succeeds(client_for, draft, admin_user):
    url = reverse("assessments:scheme_action", args=[draft.pk, "activate"])
    assert client_for(admin_user).post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.ACTIVE


def test_activating_a_scheme_short_of_100_shows_why(client_for, district, admin_user):
    scheme = SchemeFactory(owner=district)
    IndicatorFactory(category=CategoryFactory(scheme=scheme), max_points=D("95"))
    url = reverse("assessments:scheme_action", args=[scheme.pk, "activate"])
    response = client_for(admin_user).post(url, follow=True)
    assert "add up to 95 points" in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.status == Scheme.Status.DRAFT


def test_scheme_page_shows_the_base_total(client_for, district, admin_user):
    scheme = SchemeFactory(owner=district)
    IndicatorFactory(category=CategoryFactory(scheme=scheme), max_points=D("95"))
    response = client_for(admin_user).get(
        reverse("assessments:scheme_detail", args=[scheme.pk])
    )
    assert response.context["base_total"] == D("95")
    assert response.context["base_ok"] is False
    assert b'data-testid="base-total">95' in response.content


def test_scheme_list_adds_base_points_once_whatever_the_periods(
    client_for, scheme, admin_user
):
    PeriodFactory(scheme=scheme, kind="q1")
    PeriodFactory(scheme=scheme, kind="q2")
    response = client_for(admin_user).get(reverse("assessments:scheme_list"))
    listed = response.context["schemes"][0]
    assert (listed.base_total, listed.period_count, listed.indicator_count) == (
        D("100"),
        2,
        2,
    )


def test_unknown_scheme_action_is_404(client_for, draft, admin_user):
    url = reverse("assessments:scheme_action", args=[draft.pk, "explode"])
    signed_in = client_for(admin_user)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404


def test_scheme_copy_leader_gets_403(client_for, scheme, leader):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("assessments:scheme_copy"), {"source": scheme.pk, "year": 2027}
        )
    assert response.status_code == 403


def test_scheme_copy_cannot_use_a_foreign_scheme(client_for, scheme, foreign_admin):
    client_for(foreign_admin).post(
        reverse("assessments:scheme_copy"), {"source": scheme.pk, "year": 2027}
    )
    assert not Scheme.objects.filter(year=2027).exists()


def test_scheme_copy_admin_succeeds(client_for, scheme, admin_user):
    response = client_for(admin_user).post(
        reverse("assessments:scheme_copy"), {"source": scheme.pk, "year": 2027}
    )
    copy = Scheme.objects.get(year=2027)
    assert response.status_code == 302
    assert copy.copied_from == scheme
    assert copy.indicators.count() == 2


# --- categories and indicators -------------------------------------------------------


def test_category_create_outsider_404_leader_403_admin_ok(
    client_for, draft, foreign_admin, leader, admin_user
):
    url = reverse("assessments:category_create", args=[draft.pk])
    data = {"name_zh": "自身建设", "name_en": "Self", "order": "3"}
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 403
    assert client_for(admin_user).post(url, data).status_code == 302
    assert IndicatorCategory.objects.filter(scheme=draft, name_zh="自身建设").exists()


def indicator_data(category, **changes):
    data = {
        "category": category.pk,
        "code": "N1",
        "order": "5",
        "name_zh": "新指标",
        "name_en": "New",
        "description": "",
        "kind": "bonus",
        "method": "training",
        "max_points": "3",
        "target": "40",
    }
    data.update(changes)
    return data


def test_indicator_create_outsider_404_leader_403_admin_ok(
    client_for, draft, foreign_admin, leader, admin_user
):
    url = reverse("assessments:indicator_create", args=[draft.pk])
    data = indicator_data(draft.categories.get())
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 403
    assert client_for(admin_user).post(url, data).status_code == 302
    created = Indicator.objects.get(code="N1")
    assert (created.method, created.params) == ("training", {"target": 40})


def test_indicator_form_needs_the_rules_parameters(client_for, draft, admin_user):
    url = reverse("assessments:indicator_create", args=[draft.pk])
    data = indicator_data(draft.categories.get(), target="")
    response = client_for(admin_user).post(url, data)
    assert response.status_code == 200
    assert "target" in response.context["form"].errors
    assert not Indicator.objects.filter(code="N1").exists()


def test_indicator_edit_outsider_404_leader_403_admin_ok(
    client_for, draft, foreign_admin, leader, admin_user
):
    target = draft.indicators.get()
    url = reverse("assessments:indicator_edit", args=[target.pk])
    data = indicator_data(
        draft.categories.get(),
        code=target.code,
        kind="base",
        method="manual",
        max_points="100",
        name_zh="改名",
    )
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 403
    assert client_for(admin_user).post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.name_zh == "改名"


def test_indicator_delete_outsider_404_leader_403_admin_ok(
    client_for, draft, foreign_admin, leader, admin_user
):
    target = draft.indicators.get()
    url = reverse("assessments:indicator_delete", args=[target.pk])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    assert client_for(admin_user).post(url).status_code == 302
    assert not Indicator.objects.filter(pk=target.pk).exists()


def test_category_delete_outsider_404_leader_403_admin_ok(
    client_for, draft, foreign_admin, leader, admin_user
):
    category = draft.categories.get()
    url = reverse("assessments:category_delete", args=[category.pk])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    assert client_for(admin_user).post(url).status_code == 302
    assert not IndicatorCategory.objects.filter(pk=category.pk).exists()


def test_exemption_create_outsider_404_leader_403_admin_ok(
    client_for, scheme, subdistrict, foreign_admin, leader, admin_user
):
    url = reverse("assessments:exemption_create", args=[indicator(scheme, "B2").pk])
    data = {"unit": subdistrict.pk, "reason": "No such work in this sub-district"}
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 403
    assert client_for(admin_user).post(url, data).status_code == 302
    assert IndicatorExemption.objects.get().unit == subdistrict


def test_exemption_without_reason_is_refused(
    client_for, scheme, subdistrict, admin_user
):
    url = reverse("assessments:exemption_create", args=[indicator(scheme, "B2").pk])
    response = client_for(admin_user).post(url, {"unit": subdistrict.pk, "reason": ""})
    assert response.status_code == 200
    assert not IndicatorExemption.objects.exists()


def test_exemption_delete_outsider_404_leader_403_admin_ok(
    client_for, scheme, subdistrict, foreign_admin, leader, admin_user
):
    exemption = services.exemption_create(
        indicator=indicator(scheme, "B2"),
        unit=subdistrict,
        reason="x y z",
        by=admin_user,
    )
    url = reverse("assessments:exemption_delete", args=[exemption.pk])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    assert client_for(admin_user).post(url).status_code == 302
    assert not IndicatorExemption.objects.exists()


# --- periods -----------------------------------------------------------------------------


def test_period_create_outsider_404_leader_403_admin_ok(
    client_for, scheme, foreign_admin, leader, admin_user
):
    url = reverse("assessments:period_create", args=[scheme.pk])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, {"kind": "q2"}).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, {"kind": "q2"}).status_code == 403
    assert client_for(admin_user).post(url, {"kind": "q2"}).status_code == 302
    assert Period.objects.get(scheme=scheme).kind == "q2"


def test_period_close_outsider_404_leader_403_admin_ok(
    client_for, period, foreign_admin, leader, admin_user
):
    url = reverse("assessments:period_action", args=[period.pk, "close"])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    assert client_for(admin_user).post(url).status_code == 302
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED


def test_period_close_by_a_reviewer_is_refused(client_for, period, reviewer):
    url = reverse("assessments:period_action", args=[period.pk, "close"])
    signed_in = client_for(reviewer)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403


def test_publish_without_a_report_shows_why(client_for, period, admin_user):
    services.period_close(period=period, by=admin_user)
    url = reverse("assessments:period_action", args=[period.pk, "publish"])
    response = client_for(admin_user).post(url, follow=True)
    assert "Build the period&#x27;s report" in response.content.decode()
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED


def test_period_lock_outsider_404_leader_403_admin_ok(
    client_for, published, foreign_admin, leader, admin_user
):
    url = reverse("assessments:period_action", args=[published.pk, "lock"])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    assert client_for(admin_user).post(url).status_code == 302
    published.refresh_from_db()
    assert published.status == Period.Status.LOCKED


def test_period_reopen_outsider_404_leader_403_admin_ok(
    client_for, published, foreign_admin, leader, admin_user
):
    url = reverse("assessments:period_reopen", args=[published.pk])
    data = {"reason": "A wrong evidence file was found"}
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 403
    assert client_for(admin_user).post(url, data).status_code == 302
    published.refresh_from_db()
    assert published.status == Period.Status.OPEN


def test_period_reopen_without_reason_keeps_it_published(
    client_for, published, admin_user
):
    url = reverse("assessments:period_reopen", args=[published.pk])
    response = client_for(admin_user).post(url, {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    published.refresh_from_db()
    assert published.status == Period.Status.PUBLISHED


def test_report_build_outsider_404_leader_403_admin_ok(
    client_for,
    period,
    units,
    foreign_admin,
    leader,
    admin_user,
    django_capture_on_commit_callbacks,
):
    services.period_close(period=period, by=admin_user)
    url = reverse("assessments:report_build", args=[period.pk])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(admin_user).post(url).status_code == 302
    assert QuarterReport.objects.get(period=period).status == QuarterReport.Status.DONE


def test_report_status_is_polled_while_building(client_for, period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    QuarterReport.objects.create(period=period, status="running", progress=40)
    response = client_for(admin_user).get(
        reverse("assessments:report_status", args=[period.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "40%" in body
    assert "<html" not in body


def test_a_failed_report_shows_its_reason_and_a_retry(
    client_for, period, units, admin_user
):
    services.period_close(period=period, by=admin_user)
    QuarterReport.objects.create(period=period, status="failed", error="Broken disk")
    response = client_for(admin_user).get(
        reverse("assessments:period_detail", args=[period.pk])
    )
    body = response.content.decode()
    assert "Broken disk" in body
    assert "Try again" in body
    assert 'hx-trigger="every 2s"' not in body


def test_period_history_shows_the_reopen_reason(client_for, published, admin_user):
    services.period_reopen(
        period=published, reason="Correct Q1 evidence", by=admin_user
    )
    response = client_for(admin_user).get(
        reverse("assessments:period_detail", args=[published.pk])
    )
    assert "Correct Q1 evidence" in response.content.decode()


# --- scoring ------------------------------------------------------------------------------


def scoring_url(period, unit):
    return reverse("assessments:unit_scoring", args=[period.pk, unit.pk])


def test_scoring_outsider_gets_404(client_for, grassroots_period, grassroots, outsider):
    b1 = indicator(grassroots_period.scheme, "B1")
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            scoring_url(grassroots_period, grassroots), {f"self_score_{b1.pk}": "5"}
        )
    assert response.status_code == 404


def test_scoring_leader_gets_403(client_for, grassroots_period, grassroots, leader):
    b1 = indicator(grassroots_period.scheme, "B1")
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            scoring_url(grassroots_period, grassroots), {f"self_score_{b1.pk}": "5"}
        )
    assert response.status_code == 403


def test_scoring_cadre_saves_self_scores(
    client_for, grassroots_period, grassroots, cadre_grass
):
    b1 = indicator(grassroots_period.scheme, "B1")
    response = client_for(cadre_grass).post(
        scoring_url(grassroots_period, grassroots),
        {
            f"self_score_{b1.pk}": "55",
            f"self_comment_{b1.pk}": "Done",
            f"version_{b1.pk}": "0",
        },
    )
    assert response.status_code == 302
    score = Score.objects.get()
    assert (score.self_score, score.self_comment, score.self_by) == (
        D("55"),
        "Done",
        cadre_grass,
    )


def test_scoring_out_of_range_is_refused_with_a_message(
    client_for, grassroots_period, grassroots, cadre_grass
):
    b1 = indicator(grassroots_period.scheme, "B1")
    response = client_for(cadre_grass).post(
        scoring_url(grassroots_period, grassroots),
        {f"self_score_{b1.pk}": "61", f"version_{b1.pk}": "0"},
    )
    assert response.status_code == 200
    assert "Enter a score between 0 and 60." in response.content.decode()
    assert not Score.objects.exists()


def test_scoring_text_instead_of_a_number_is_refused(
    client_for, grassroots_period, grassroots, cadre_grass
):
    b1 = indicator(grassroots_period.scheme, "B1")
    response = client_for(cadre_grass).post(
        scoring_url(grassroots_period, grassroots),
        {f"self_score_{b1.pk}": "lots", f"version_{b1.pk}": "0"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Score.objects.exists()


def test_sub_district_cadre_reviews_a_grassroots_union(
    client_for, grassroots_period, grassroots, cadre_sub
):
    b1 = indicator(grassroots_period.scheme, "B1")
    ScoreFactory(
        period=grassroots_period, indicator=b1, unit=grassroots, self_score=D("50")
    )
    url = scoring_url(grassroots_period, grassroots)
    form = client_for(cadre_sub).get(url).context["form"]
    assert form.fields[f"reviewed_score_{b1.pk}"].initial == D("50")
    response = client_for(cadre_sub).post(
        url,
        {
            f"reviewed_score_{b1.pk}": "40",
            f"review_comment_{b1.pk}": "Missing sign-in sheets",
            f"version_{b1.pk}": "1",
        },
    )
    assert response.status_code == 302
    score = Score.objects.get()
    assert (score.self_score, score.reviewed_score, score.reviewed_by) == (
        D("50"),
        D("40"),
        cadre_sub,
    )


def test_review_that_differs_without_comment_is_refused(
    client_for, grassroots_period, grassroots, cadre_sub
):
    b1 = indicator(grassroots_period.scheme, "B1")
    ScoreFactory(
        period=grassroots_period, indicator=b1, unit=grassroots, self_score=D("50")
    )
    response = client_for(cadre_sub).post(
        scoring_url(grassroots_period, grassroots),
        {f"reviewed_score_{b1.pk}": "40", f"version_{b1.pk}": "1"},
    )
    assert response.status_code == 200
    assert "Explain why the reviewed score differs" in response.content.decode()
    assert Score.objects.get().reviewed_score is None


def test_running_totals_follow_typed_values(
    client_for, grassroots_period, grassroots, cadre_grass
):
    b1 = indicator(grassroots_period.scheme, "B1")
    b2 = indicator(grassroots_period.scheme, "B2")
    response = client_for(cadre_grass).get(
        reverse(
            "assessments:unit_scoring_totals",
            args=[grassroots_period.pk, grassroots.pk],
        ),
        {f"self_score_{b1.pk}": "50", f"self_score_{b2.pk}": "35"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["totals"]["self"].total == D("85.00")
    assert b'data-testid="self-total">85.00' in response.content


def test_running_totals_flag_values_out_of_range(
    client_for, grassroots_period, grassroots, cadre_grass
):
    b1 = indicator(grassroots_period.scheme, "B1")
    response = client_for(cadre_grass).get(
        reverse(
            "assessments:unit_scoring_totals",
            args=[grassroots_period.pk, grassroots.pk],
        ),
        {f"self_score_{b1.pk}": "75"},
    )
    assert response.context["totals"]["out_of_range"] == ["B1"]


def test_running_totals_write_nothing(
    client_for, grassroots_period, grassroots, cadre_grass
):
    b1 = indicator(grassroots_period.scheme, "B1")
    client_for(cadre_grass).get(
        reverse(
            "assessments:unit_scoring_totals",
            args=[grassroots_period.pk, grassroots.pk],
        ),
        {f"self_score_{b1.pk}": "50"},
    )
    assert not Score.objects.exists()


def test_scoring_a_union_the_scheme_does_not_assess_is_404(
    client_for, grassroots_period, subdistrict, admin_user
):
    response = client_for(admin_user).get(scoring_url(grassroots_period, subdistrict))
    assert response.status_code == 404


def test_evidence_is_served_to_those_who_see_the_score(
    client_for, grassroots_period, grassroots, cadre_grass, outsider, leader
):
    from django.core.files.base import ContentFile

    score = ScoreFactory(
        period=grassroots_period,
        indicator=indicator(grassroots_period.scheme, "B1"),
        unit=grassroots,
        evidence_name="sign-in.pdf",
    )
    score.evidence.save("x.pdf", ContentFile(b"%PDF-1.4 test"))
    url = reverse("assessments:score_evidence", args=[score.pk])
    assert client_for(outsider).get(url).status_code == 404
    response = client_for(leader).get(url)
    assert response.status_code == 200
    assert "sign-in.pdf" in response["Content-Disposition"]


# --- reports, dashboard, scorecard ---------------------------------------------------------


def test_report_download_gives_the_readers_language(client_for, published, leader):
    report = published.report
    response = client_for(leader).get(
        reverse("assessments:report_download", args=[report.pk, "xlsx"])
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''2026%20Q1%20results%20of%20Sub-district" in disposition
    assert disposition.endswith(".xlsx")
    response = client_for(leader).get(
        reverse("assessments:report_download", args=[report.pk, "pdf"]),
        {"lang": "zh-hans"},
    )
    disposition = response["Content-Disposition"]
    # 2026年第一季度街道总工会考核结果.pdf, with an ASCII name for old clients.
    assert quote("年第一季度街道总工会考核结果.pdf") in disposition
    assert 'filename="assessment-' in disposition


def test_report_download_is_404_for_a_cadre(client_for, published, cadre_sub):
    url = reverse("assessments:report_download", args=[published.report.pk, "xlsx"])
    assert client_for(cadre_sub).get(url).status_code == 404


@pytest.mark.parametrize("query", [{"lang": "fr"}, {"lang": "../../etc"}])
def test_report_download_refuses_unknown_languages(
    client_for, published, leader, query
):
    url = reverse("assessments:report_download", args=[published.report.pk, "pdf"])
    assert client_for(leader).get(url, query).status_code == 404


def test_report_download_refuses_unknown_kinds(client_for, published, leader):
    url = reverse("assessments:report_download", args=[published.report.pk, "docx"])
    assert client_for(leader).get(url).status_code == 404


def test_dashboard_is_for_leaders_and_admins(
    client_for, published, cadre_sub, reviewer
):
    assert (
        client_for(cadre_sub).get(reverse("assessments:dashboard")).status_code == 403
    )
    assert client_for(reviewer).get(reverse("assessments:dashboard")).status_code == 403


def test_dashboard_shows_the_ranking(client_for, published, leader, units):
    response = client_for(leader).get(reverse("assessments:dashboard"))
    assert response.status_code == 200
    assert [row.unit for row in response.context["ranking"]] == units
    assert response.context["summary"]["grades"]["unqualified"] == 2
    assert b"provisional" not in response.content


def test_dashboard_marks_unpublished_results_provisional_for_those_who_publish(
    client_for, period, units, leader, admin_user
):
    services.period_close(period=period, by=admin_user)
    services.report_build(period_id=period.pk)
    response = client_for(admin_user).get(reverse("assessments:dashboard"))
    assert response.context["chosen"] == period
    assert response.context["provisional"] is True
    assert b'data-testid="provisional"' in response.content
    assert b'data-testid="provisional-note"' in response.content
    # Every panel is marked: the body sits in the provisional wrapper.
    assert b'data-testid="provisional-panels"' in response.content


def test_dashboard_hides_provisional_results_from_leaders(
    client_for, period, units, leader, admin_user
):
    services.period_close(period=period, by=admin_user)
    services.report_build(period_id=period.pk)
    response = client_for(leader).get(reverse("assessments:dashboard"))
    assert response.context["chosen"] is None
    assert period not in response.context["periods"]
    assert (
        client_for(leader)
        .get(reverse("assessments:dashboard"), {"period": period.pk})
        .status_code
        == 404
    )


def test_dashboard_opens_on_the_latest_published_period(
    client_for, published, units, admin_user, leader
):
    later = PeriodFactory(scheme=published.scheme, kind=Period.Kind.Q2)
    services.period_close(period=later, by=admin_user)
    build_report(later)
    response = client_for(admin_user).get(reverse("assessments:dashboard"))
    assert later in response.context["periods"]
    assert response.context["chosen"].pk == published.pk
    assert response.context["provisional"] is False
    assert b'data-testid="provisional-panels"' not in response.content


def test_dashboard_unknown_period_is_404(client_for, published, leader):
    response = client_for(leader).get(
        reverse("assessments:dashboard"), {"period": 999999}
    )
    assert response.status_code == 404


def test_dashboard_without_reports_shows_an_empty_state(client_for, leader):
    response = client_for(leader).get(reverse("assessments:dashboard"))
    assert response.status_code == 200
    assert b"No results yet" in response.content


def test_dashboard_never_recomputes_scores(client_for, published, leader, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the dashboard must read snapshots only")

    monkeypatch.setattr("assessments.engine.compute_lines", forbidden)
    monkeypatch.setattr("assessments.scoring.unit_totals", forbidden)
    assert client_for(leader).get(reverse("assessments:dashboard")).status_code == 200


def test_cadre_sees_their_unions_published_scorecard_with_peer_average(
    client_for, published, cadre_sub, subdistrict
):
    response = client_for(cadre_sub).get(
        reverse("assessments:unit_scorecard", args=[subdistrict.pk])
    )
    assert response.status_code == 200
    assert response.context["row"].total == D("50.00")
    assert response.context["peer"]["average"] == "40.00"


def test_cadre_cannot_open_another_unions_scorecard(
    client_for, published, cadre_sub, other_subdistrict
):
    response = client_for(cadre_sub).get(
        reverse("assessments:unit_scorecard", args=[other_subdistrict.pk])
    )
    assert response.status_code == 404


def test_cadre_does_not_see_unpublished_results(
    client_for, period, units, cadre_sub, subdistrict, admin_user
):
    services.period_close(period=period, by=admin_user)
    services.report_build(period_id=period.pk)
    response = client_for(cadre_sub).get(
        reverse("assessments:unit_scorecard", args=[subdistrict.pk])
    )
    assert response.context["row"] is None
    assert b"No published results yet" in response.content


def test_leader_sees_unpublished_results_marked_provisional(
    client_for, period, units, leader, subdistrict, admin_user
):
    services.period_close(period=period, by=admin_user)
    services.report_build(period_id=period.pk)
    response = client_for(leader).get(
        reverse("assessments:unit_scorecard", args=[subdistrict.pk])
    )
    assert response.context["provisional"] is True


def test_scorecard_unknown_period_is_404(client_for, published, leader, subdistrict):
    response = client_for(leader).get(
        reverse("assessments:unit_scorecard", args=[subdistrict.pk]),
        {"period": "999999"},
    )
    assert response.status_code == 404


def test_reports_list_is_empty_for_a_cadre(client_for, published, cadre_grass):
    response = client_for(cadre_grass).get(reverse("assessments:report_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("assessments:scheme_detail", [999999]),
        ("assessments:scheme_edit", [999999]),
        ("assessments:period_detail", [999999]),
        ("assessments:report_status", [999999]),
        ("assessments:period_reopen", [999999]),
        ("assessments:unit_scoring", [999999, 999999]),
        ("assessments:unit_scoring_totals", [999999, 999999]),
        ("assessments:score_evidence", [999999]),
        ("assessments:unit_scorecard", [999999]),
        ("assessments:report_detail", [999999]),
        ("assessments:report_download", [999999, "pdf"]),
        ("assessments:indicator_edit", [999999]),
        ("assessments:category_edit", [999999]),
        ("assessments:exemption_create", [999999]),
    ],
)
def test_unknown_ids_answer_404(client_for, admin_user, name, args):
    assert client_for(admin_user).get(reverse(name, args=args)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "assessments:home",
        "assessments:scheme_list",
        "assessments:report_list",
    ],
)
@pytest.mark.parametrize(
    "persona", ["admin_user", "leader", "reviewer", "cadre_sub", "cadre_grass"]
)
def test_pages_open_for_every_role(client_for, published, request, name, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name)).status_code == 200


# --- query counts at two sizes ------------------------------------------------------------


def _grow(district, scheme_period, count, tag):
    """Adds sub-district unions (with grassroots below) and scores for them."""
    for n in range(count):
        sub = subdistrict_factory(district, code=f"V{tag}{n}")
        grassroots_factory(sub, code=f"V{tag}{n}G")
        ScoreFactory(
            period=scheme_period,
            unit=sub,
            indicator=indicator(scheme_period.scheme, "B1"),
            self_score=D(10 + n),
        )


def _rebuild(period):
    from django.test import TestCase

    # As in production: the report's files are built by the task enqueued on commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.report_build(period_id=period.pk)


def _count(client, url, django_assert_num_queries, expected=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _cold_and_warm(client, url, django_assert_num_queries):
    """Queries of a page computed afresh (empty cache) and served again."""
    from django.core.cache import cache

    cache.clear()
    cold = _count(client, url, django_assert_num_queries)
    return cold, _count(client, url, django_assert_num_queries)


@pytest.mark.parametrize(
    "url_name",
    ["dashboard", "scorecard", "report_list", "report_detail", "period", "schemes"],
)
def test_pages_run_a_fixed_number_of_queries(
    client_for, published, district, leader, units, url_name, django_assert_num_queries
):
    # A second published quarter gives the trend and history something to draw.
    q2 = PeriodFactory(scheme=published.scheme, kind="q2")
    urls = {
        "dashboard": reverse("assessments:dashboard"),
        "scorecard": reverse("assessments:unit_scorecard", args=[units[0].pk]),
        "report_list": reverse("assessments:report_list"),
        "report_detail": reverse(
            "assessments:report_detail", args=[published.report.pk]
        ),
        "period": reverse("assessments:period_detail", args=[published.pk]),
        "schemes": reverse("assessments:scheme_list"),
    }
    client = client_for(leader)
    services.period_close(period=q2, by=leader)
    _rebuild(q2)
    client.get(reverse("home"))  # the session's first write is not the page's
    small = _cold_and_warm(client, urls[url_name], django_assert_num_queries)
    # A published result changes only through a reopen, as in the office.
    services.period_reopen(period=published, reason="five more unions", by=leader)
    _grow(district, published, 5, "a")
    _grow(district, q2, 0, "b")
    services.period_close(period=published, by=leader)
    _rebuild(published)
    services.period_publish(period=published, by=leader)
    _rebuild(q2)
    large = _cold_and_warm(client, urls[url_name], django_assert_num_queries)
    assert small == large


def test_a_sub_district_admin_sees_no_district_wide_ranking(
    client_for, published, subdistrict
):
    sub_admin = UserFactory(
        username="sub_admin", union=subdistrict, is_union_admin=True
    )
    response = client_for(sub_admin).get(reverse("assessments:dashboard"))
    assert response.context["chosen"] is None


# --- a report's files ------------------------------------------------------------------


@pytest.fixture
def snapshot_without_files(
    period, units, admin_user, django_capture_on_commit_callbacks
):
    """A built report whose files job has not run yet."""
    services.period_close(period=period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_build(period_id=period.pk)
    return report


def test_report_page_shows_files_being_prepared_and_polls(
    client_for, snapshot_without_files, leader
):
    report = snapshot_without_files
    response = client_for(leader).get(
        reverse("assessments:report_detail", args=[report.pk])
    )
    content = response.content.decode()
    assert 'data-files-status="pending"' in content
    assert reverse("assessments:report_files", args=[report.pk]) in content
    assert 'data-testid="download-xlsx"' not in content
    fragment = client_for(leader).get(
        reverse("assessments:report_files", args=[report.pk]), HTTP_HX_REQUEST="true"
    )
    assert b"being prepared" in fragment.content


def test_failed_files_show_the_reason_and_a_retry_for_the_admin(
    client_for, snapshot_without_files, admin_user, leader, foreign_admin
):
    report = snapshot_without_files
    QuarterReport.objects.filter(pk=report.pk).update(
        files_status="failed", files_error="The files could not be made: disk full"
    )
    detail = reverse("assessments:report_detail", args=[report.pk])
    page = client_for(admin_user).get(detail).content.decode()
    assert "disk full" in page
    assert 'data-testid="prepare-files"' in page
    assert b'data-testid="prepare-files"' not in client_for(leader).get(detail).content
    url = reverse("assessments:report_files_build", args=[report.period_id])
    signed_in = client_for(foreign_admin)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 404
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url).status_code == 403
    response = client_for(admin_user).post(url, {"next": "report"})
    assert response.status_code == 302
    assert response["Location"] == detail
    report.refresh_from_db()
    assert (report.files_status, report.files_error) == ("pending", "")


def test_period_page_shows_the_files_once_ready(client_for, published, admin_user):
    content = client_for(admin_user).get(published.get_absolute_url()).content.decode()
    assert 'data-files-status="done"' in content
    assert 'data-testid="file-xlsx-en"' in content
    assert 'data-testid="file-pdf-zh-hans"' in content


def test_the_dashboard_opens_on_the_latest_published_period(
    client_for, published, leader, admin_user
):
    closed = PeriodFactory(scheme=published.scheme, kind="q2")
    services.period_close(period=closed, by=admin_user)
    _rebuild(closed)
    response = client_for(leader).get(reverse("assessments:dashboard"))
    assert response.context["chosen"] == published
    # A leader is not offered the provisional quarter at all.
    assert closed not in response.context["periods"]
    assert (
        client_for(leader)
        .get(reverse("assessments:dashboard"), {"period": closed.pk})
        .status_code
        == 404
    )
    # The administrator, who publishes, may look at it, marked provisional.
    admin_view = client_for(admin_user).get(
        reverse("assessments:dashboard"), {"period": closed.pk}
    )
    assert admin_view.context["chosen"] == closed
    assert b'data-testid="provisional"' in admin_view.content
    assert (
        client_for(admin_user).get(reverse("assessments:dashboard")).context["chosen"]
        == published
    )
