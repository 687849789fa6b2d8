from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Period, Score
from assessments.services import ScoreEntry

from .factories import IndicatorFactory, indicator

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def save(period, unit, by, **parts):
    entries = []
    for code, values in parts.items():
        entries.append(ScoreEntry(indicator=indicator(period.scheme, code), **values))
    return services.scores_save(period=period, unit=unit, entries=entries, by=by)


def test_cadre_enters_self_scores_with_comment(period, subdistrict, cadre_sub):
    save(
        period,
        subdistrict,
        cadre_sub,
        B1={"self_score": D("50"), "self_comment": "done"},
    )
    score = Score.objects.get()
    assert (score.self_score, score.self_comment, score.self_by) == (
        D("50"),
        "done",
        cadre_sub,
    )


def test_a_self_score_above_max_is_refused_with_a_message(
    period, subdistrict, cadre_sub
):
    with pytest.raises(ValidationError) as caught:
        save(period, subdistrict, cadre_sub, B1={"self_score": D("61")})
    key = f"self_score_{indicator(period.scheme, 'B1').pk}"
    assert caught.value.message_dict[key] == ["Enter a score between 0 and 60."]
    assert not Score.objects.exists()


def test_a_negative_score_is_refused(period, subdistrict, cadre_sub):
    with pytest.raises(ValidationError):
        save(period, subdistrict, cadre_sub, B1={"self_score": D("-1")})
    assert not Score.objects.exists()


def test_one_bad_score_saves_none_of_the_others(period, subdistrict, cadre_sub):
    with pytest.raises(ValidationError):
        save(
            period,
            subdistrict,
            cadre_sub,
            B1={"self_score": D("30")},
            B2={"self_score": D("99")},
        )
    assert not Score.objects.exists()


def test_a_veto_is_entered_as_zero_or_one(scheme, period, subdistrict, reviewer):
    IndicatorFactory(
        category=scheme.categories.get(), code="V", kind="veto", max_points=D("0")
    )
    with pytest.raises(ValidationError):
        save(
            period,
            subdistrict,
            reviewer,
            V={"reviewed_score": D("0.5"), "review_comment": "x"},
        )


def test_reviewer_enters_a_reviewed_score(period, subdistrict, cadre_sub, reviewer):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    save(
        period,
        subdistrict,
        reviewer,
        B1={"reviewed_score": D("50"), "review_comment": "", "version": 1},
    )
    score = Score.objects.get()
    assert (score.self_score, score.reviewed_score, score.reviewed_by) == (
        D("50"),
        D("50"),
        reviewer,
    )


def test_a_reviewed_score_that_differs_needs_a_comment(
    period, subdistrict, cadre_sub, reviewer
):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    with pytest.raises(ValidationError) as caught:
        save(
            period, subdistrict, reviewer, B1={"reviewed_score": D("45"), "version": 1}
        )
    key = f"review_comment_{indicator(period.scheme, 'B1').pk}"
    assert key in caught.value.message_dict
    assert Score.objects.get().reviewed_score is None


def test_both_scores_are_kept_with_their_difference(
    period, subdistrict, cadre_sub, reviewer
):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    save(
        period,
        subdistrict,
        reviewer,
        B1={"reviewed_score": D("45"), "review_comment": "Evidence thin", "version": 1},
    )
    score = Score.objects.get()
    assert (score.self_score, score.reviewed_score, score.difference) == (
        D("50"),
        D("45"),
        D("-5"),
    )


def test_a_stale_form_does_not_overwrite_a_newer_change(period, subdistrict, cadre_sub):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    save(period, subdistrict, cadre_sub, B1={"self_score": D("55"), "version": 1})
    with pytest.raises(ValidationError, match="changed by someone else"):
        save(period, subdistrict, cadre_sub, B1={"self_score": D("20"), "version": 1})
    assert Score.objects.get().self_score == D("55")


def test_a_cadre_cannot_review_their_own_union(period, subdistrict, cadre_sub):
    with pytest.raises(PermissionDenied):
        save(
            period,
            subdistrict,
            cadre_sub,
            B1={"reviewed_score": D("1"), "review_comment": "x"},
        )


def test_a_reviewer_cannot_self_score_a_unit(period, subdistrict, reviewer):
    with pytest.raises(PermissionDenied):
        save(period, subdistrict, reviewer, B1={"self_score": D("1")})


def test_a_cadre_cannot_self_score_another_union(period, other_subdistrict, cadre_sub):
    with pytest.raises(PermissionDenied):
        save(period, other_subdistrict, cadre_sub, B1={"self_score": D("1")})


def test_self_scores_stop_when_the_period_closes(
    period, subdistrict, cadre_sub, admin_user
):
    services.period_close(period=period, by=admin_user)
    with pytest.raises(PermissionDenied):
        save(period, subdistrict, cadre_sub, B1={"self_score": D("1")})


def test_reviews_continue_while_the_period_is_closed(
    period, subdistrict, cadre_sub, reviewer, admin_user
):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    services.period_close(period=period, by=admin_user)
    save(period, subdistrict, reviewer, B1={"reviewed_score": D("50"), "version": 1})
    assert Score.objects.get().reviewed_score == D("50")


def test_evidence_is_checked_by_content(period, subdistrict, cadre_sub, media_root):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as caught:
        save(
            period, subdistrict, cadre_sub, B1={"self_score": D("5"), "evidence": fake}
        )
    assert "not an allowed type" in str(caught.value)
    assert not Score.objects.exists()


def test_evidence_is_stored_with_its_name(period, subdistrict, cadre_sub, media_root):
    upload = SimpleUploadedFile("证明材料.pdf", PDF)
    save(period, subdistrict, cadre_sub, B1={"self_score": D("5"), "evidence": upload})
    score = Score.objects.get()
    assert score.evidence_name == "证明材料.pdf"
    assert score.evidence.read() == PDF


def test_every_change_of_a_score_is_kept(period, subdistrict, cadre_sub):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    save(period, subdistrict, cadre_sub, B1={"self_score": D("40"), "version": 1})
    score = Score.objects.get()
    assert [h.self_score for h in score.history.order_by("history_date")] == [
        D("50"),
        D("40"),
    ]
    assert score.history.first().history_user == cadre_sub


def test_saving_unchanged_values_writes_nothing(period, subdistrict, cadre_sub):
    save(period, subdistrict, cadre_sub, B1={"self_score": D("50")})
    assert (
        save(period, subdistrict, cadre_sub, B1={"self_score": D("50"), "version": 1})
        == []
    )
    assert Score.objects.get().version == 1


def test_automatic_indicators_are_not_scored_by_hand(
    scheme, period, subdistrict, cadre_sub
):
    IndicatorFactory(
        category=scheme.categories.get(), code="K", method="timeliness", kind="bonus"
    )
    with pytest.raises(ValidationError, match="not scored by hand"):
        save(period, subdistrict, cadre_sub, K={"self_score": D("1")})


def test_period_status_choices_are_the_four_of_the_design():
    assert Period.Status.values == ["open", "closed", "published", "locked"]
