"""Review scoring without false friction: "changed since the review" only when the
self score really changed, a partial save that keeps back only the rows that need a
reason, a cadre never held up by the reviewer's comment, API errors in API names."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Score
from assessments.services import ScoreEntry

from .factories import indicator


def save(period, unit, by, **parts):
    entries = [
        ScoreEntry(indicator=indicator(period.scheme, code), **values)
        for code, values in parts.items()
    ]
    return services.scores_save(period=period, unit=unit, entries=entries, by=by)


def scoring_url(period, unit):
    return reverse("assessments:unit_scoring", args=[period.pk, unit.pk])


def versions(period, unit):
    return {s.indicator.code: s.version for s in Score.objects.filter(unit=unit)}


# --- changed since the review ---------------------------------------------------------


def test_a_fresh_review_is_not_flagged_as_changed(
    grassroots_period, grassroots, cadre_grass, cadre_sub
):
    save(grassroots_period, grassroots, cadre_grass, B1={"self_score": D("50")})
    # A self score stamped in the future (as the old demo did) changes nothing.
    Score.objects.update(self_at=timezone.now() + timedelta(days=20))
    save(
        grassroots_period,
        grassroots,
        cadre_sub,
        B1={"reviewed_score": D("50"), "version": 1},
    )
    score = Score.objects.get()
    assert score.reviewed_self_score == D("50")
    assert not score.self_changed_since_review
    assert not score.needs_review


def test_a_self_score_changed_after_the_review_is_flagged(
    grassroots_period, grassroots, cadre_grass, cadre_sub
):
    save(grassroots_period, grassroots, cadre_grass, B1={"self_score": D("50")})
    save(
        grassroots_period,
        grassroots,
        cadre_sub,
        B1={"reviewed_score": D("50"), "version": 1},
    )
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("55"), "version": 2},
    )
    score = Score.objects.get()
    assert score.self_changed_since_review
    assert score.needs_review
    # Put back as it was: no longer changed.
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("50"), "version": 3},
    )
    assert not Score.objects.get().self_changed_since_review


def test_the_reviewer_page_marks_only_rows_really_changed(
    client_for, grassroots_period, grassroots, cadre_grass, cadre_sub
):
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("50")},
        B2={"self_score": D("30")},
    )
    save(
        grassroots_period,
        grassroots,
        cadre_sub,
        B1={"reviewed_score": D("50"), "version": 1},
        B2={"reviewed_score": D("30"), "version": 1},
    )
    page = client_for(cadre_sub).get(scoring_url(grassroots_period, grassroots))
    assert "changed after the last review" not in page.content.decode()
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("45"), "version": 2},
    )
    page = client_for(cadre_sub).get(scoring_url(grassroots_period, grassroots))
    assert page.content.decode().count("changed after the last review") == 1


def test_the_demo_dates_no_score_in_the_future(db):
    from accounts.demo import seed_demo_users
    from assessments import demo
    from unions.demo import seed_union_tree

    unions = seed_union_tree()
    demo.seed({"unions": unions, "users": seed_demo_users(unions)})
    now = timezone.now()
    assert not Score.objects.filter(self_at__gt=now).exists()
    assert not Score.objects.filter(reviewed_at__gt=now).exists()
    reviewed = Score.objects.filter(reviewed_at__isnull=False)
    assert reviewed.exists()
    assert not any(score.self_changed_since_review for score in reviewed)


# --- partial save ---------------------------------------------------------------------


def test_valid_rows_save_while_rows_needing_a_reason_are_shown_again(
    client_for, grassroots_period, grassroots, cadre_grass, cadre_sub
):
    b1 = indicator(grassroots_period.scheme, "B1")
    b2 = indicator(grassroots_period.scheme, "B2")
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("50")},
        B2={"self_score": D("30")},
    )
    response = client_for(cadre_sub).post(
        scoring_url(grassroots_period, grassroots),
        {
            f"reviewed_score_{b1.pk}": "50",
            f"review_comment_{b1.pk}": "",
            f"version_{b1.pk}": "1",
            f"reviewed_score_{b2.pk}": "20",
            f"review_comment_{b2.pk}": "",
            f"version_{b2.pk}": "1",
        },
    )
    assert response.status_code == 200
    first, second = Score.objects.get(indicator=b1), Score.objects.get(indicator=b2)
    assert (first.reviewed_score, first.version) == (D("50"), 2)
    assert (second.reviewed_score, second.version) == (None, 1)
    page = response.content.decode()
    assert "1 score was saved." in page
    assert "1 reviewed score differs from the self score and needs a reason" in page
    form = response.context["form"]
    assert f"review_comment_{b2.pk}" in form.errors
    # The saved row is drawn at its new version, so the next save is not refused.
    assert form[f"version_{b1.pk}"].value() == "2"
    assert form[f"reviewed_score_{b2.pk}"].value() == "20"
    again = client_for(cadre_sub).post(
        scoring_url(grassroots_period, grassroots),
        {
            f"reviewed_score_{b1.pk}": "50",
            f"version_{b1.pk}": "2",
            f"reviewed_score_{b2.pk}": "20",
            f"review_comment_{b2.pk}": "Fewer sessions than claimed",
            f"version_{b2.pk}": "1",
        },
    )
    assert again.status_code == 302
    assert Score.objects.get(indicator=b2).reviewed_score == D("20")


def test_a_refused_row_alone_saves_nothing_and_says_so(
    client_for, grassroots_period, grassroots, cadre_grass, cadre_sub
):
    b1 = indicator(grassroots_period.scheme, "B1")
    save(grassroots_period, grassroots, cadre_grass, B1={"self_score": D("50")})
    before = list(Score.objects.values())
    response = client_for(cadre_sub).post(
        scoring_url(grassroots_period, grassroots),
        {f"reviewed_score_{b1.pk}": "10", f"version_{b1.pk}": "1"},
    )
    assert response.status_code == 200
    assert "needs a reason" in response.content.decode()
    assert list(Score.objects.values()) == before


def test_the_service_keeps_back_only_the_rows_in_error(
    grassroots_period, grassroots, cadre_grass, cadre_sub
):
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("50")},
        B2={"self_score": D("30")},
    )
    result = services.scores_save_valid(
        period=grassroots_period,
        unit=grassroots,
        entries=[
            ScoreEntry(
                indicator=indicator(grassroots_period.scheme, "B1"),
                version=1,
                reviewed_score=D("40"),
            ),
            ScoreEntry(
                indicator=indicator(grassroots_period.scheme, "B2"),
                version=1,
                reviewed_score=D("30"),
            ),
        ],
        by=cadre_sub,
    )
    assert (len(result.saved), result.need_reason, result.refused) == (1, 1, 1)
    assert Score.objects.get(indicator__code="B2").reviewed_score == D("30")
    assert Score.objects.get(indicator__code="B1").reviewed_score is None


# --- the cadre is not held up by the review -------------------------------------------


def test_cadre_changes_the_self_score_after_a_review_without_comment(
    client_for, grassroots_period, grassroots, cadre_grass, cadre_sub
):
    b1 = indicator(grassroots_period.scheme, "B1")
    save(grassroots_period, grassroots, cadre_grass, B1={"self_score": D("50")})
    save(
        grassroots_period,
        grassroots,
        cadre_sub,
        B1={"reviewed_score": D("50"), "version": 1},
    )
    response = client_for(cadre_grass).post(
        scoring_url(grassroots_period, grassroots),
        {
            f"self_score_{b1.pk}": "58",
            f"self_comment_{b1.pk}": "Two more sessions",
            f"version_{b1.pk}": "2",
        },
    )
    assert response.status_code == 302
    score = Score.objects.get()
    assert (score.self_score, score.reviewed_score) == (D("58"), D("50"))
    assert score.self_changed_since_review


def test_the_reviewer_still_needs_a_reason_when_changing_the_review(
    grassroots_period, grassroots, cadre_grass, cadre_sub
):
    save(grassroots_period, grassroots, cadre_grass, B1={"self_score": D("50")})
    save(
        grassroots_period,
        grassroots,
        cadre_sub,
        B1={"reviewed_score": D("50"), "version": 1},
    )
    save(
        grassroots_period,
        grassroots,
        cadre_grass,
        B1={"self_score": D("58"), "version": 2},
    )
    with pytest.raises(ValidationError, match="Explain why"):
        save(
            grassroots_period,
            grassroots,
            cadre_sub,
            B1={"reviewed_score": D("52"), "version": 3},
        )
    assert Score.objects.get().reviewed_score == D("50")
