"""Reviewed scores from Excel: preview with per-row errors, then all rows or none."""

import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assessments import services
from assessments.models import Period, Score
from assessments.services import imports
from tests.accounts.factories import UserFactory
from tests.snapshots import assert_unchanged
from tests.unions.factories import district_factory

from .factories import IndicatorFactory, ScoreFactory, build_report, indicator


def workbook(
    rows, headers=("Unit code", "Indicator code", "Reviewed score", "Review comment")
):
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("scores.xlsx", buffer.getvalue())


@pytest.fixture
def self_scored(period, units):
    for unit in units:
        ScoreFactory(
            period=period,
            unit=unit,
            indicator=indicator(period.scheme, "B1"),
            self_score=D("50"),
        )
    return period


def test_a_clean_workbook_imports_every_row(self_scored, units, reviewer):
    rows = imports.score_import_parse(
        period=self_scored,
        file=workbook([("TD-N", "B1", 50, ""), ("TD-S", "B1", 40, "Thin evidence")]),
        by=reviewer,
    )
    assert [row.error for row in rows] == ["", ""]
    assert imports.score_import_apply(period=self_scored, rows=rows, by=reviewer) == 2
    reviewed = dict(Score.objects.values_list("unit__code", "reviewed_score"))
    assert reviewed == {"TD-N": D("50"), "TD-S": D("40")}


def test_chinese_headers_are_accepted(self_scored, units, reviewer):
    rows = imports.score_import_parse(
        period=self_scored,
        file=workbook(
            [("TD-N", "B1", 50, "")],
            headers=("单位代码", "指标代码", "审核得分", "审核意见"),
        ),
        by=reviewer,
    )
    assert rows[0].error == ""


def test_each_bad_row_gets_its_reason(self_scored, scheme, units, reviewer):
    IndicatorFactory(
        category=scheme.categories.get(), code="T", method="timeliness", kind="bonus"
    )
    rows = imports.score_import_parse(
        period=self_scored,
        file=workbook(
            [
                ("NOPE", "B1", 10, ""),
                ("TD-N", "ZZ", 10, ""),
                ("TD-N", "B1", 75, "too much"),
                ("TD-N", "B2", 10, ""),
                ("TD-N", "T", 1, "x"),
                ("TD-S", "B1", "lots", ""),
                ("TD-S", "B1", 50, ""),
                ("TD-S", "B1", 50, ""),
            ]
        ),
        by=reviewer,
    )
    errors = [row.error for row in rows]
    assert errors[0].startswith("No unit with the code NOPE")
    assert errors[1] == "The scheme has no indicator ZZ."
    assert errors[2] == "Enter a score between 0 and 60."
    assert errors[3] == "Explain why the reviewed score differs from the self score."
    assert errors[4].endswith("it cannot be imported.")
    assert errors[5] == "The score is not a number."
    assert errors[6] == ""
    assert errors[7] == "This unit and indicator appear twice."


def test_rows_with_errors_import_nothing(self_scored, units, reviewer):
    rows = imports.score_import_parse(
        period=self_scored,
        file=workbook([("TD-N", "B1", 50, ""), ("TD-S", "B1", 99, "")]),
        by=reviewer,
    )
    with pytest.raises(ValidationError):
        imports.score_import_apply(period=self_scored, rows=rows, by=reviewer)
    assert not Score.objects.filter(reviewed_score__isnull=False).exists()


def test_a_unit_the_reviewer_may_not_review_is_refused(
    grassroots_period, grassroots, other_grassroots, cadre_sub
):
    rows = imports.score_import_parse(
        period=grassroots_period,
        file=workbook(
            [(grassroots.code, "B1", 10, "x"), (other_grassroots.code, "B1", 10, "x")]
        ),
        by=cadre_sub,
    )
    assert rows[0].error == ""
    assert rows[1].error == "You cannot review this unit in this period."


def test_a_file_that_is_not_a_workbook_is_refused(period, reviewer):
    with pytest.raises(ValidationError):
        imports.score_import_parse(
            period=period,
            file=SimpleUploadedFile("scores.xlsx", b"not a zip"),
            by=reviewer,
        )


def test_a_workbook_without_the_headers_is_refused(period, reviewer):
    with pytest.raises(ValidationError, match="headers"):
        imports.score_import_parse(
            period=period, file=workbook([("a", "b")], headers=("x", "y")), by=reviewer
        )


def test_import_into_a_locked_period_is_refused(
    self_scored, units, reviewer, admin_user
):
    rows = imports.score_import_parse(
        period=self_scored, file=workbook([("TD-N", "B1", 50, "")]), by=reviewer
    )
    services.period_close(period=self_scored, by=admin_user)
    build_report(self_scored)
    services.period_publish(period=self_scored, by=admin_user)
    services.period_lock(period=self_scored, by=admin_user)
    self_scored.refresh_from_db()
    with pytest.raises(ValidationError, match="locked"):
        imports.score_import_apply(period=self_scored, rows=rows, by=reviewer)
    with pytest.raises(ValidationError, match="locked"):
        imports.score_import_parse(
            period=self_scored, file=workbook([("TD-N", "B1", 50, "")]), by=reviewer
        )
    assert not Score.objects.filter(reviewed_score__isnull=False).exists()


# --- the pages ------------------------------------------------------------------------


def test_import_outsider_404_leader_403_reviewer_succeeds(
    self_scored, units, client_for, leader, reviewer
):
    foreign = UserFactory(
        username="foreign_reviewer", union=district_factory(code="XR"), is_reviewer=True
    )
    url = reverse("assessments:score_import", args=[self_scored.pk])
    data = {"file": workbook([("TD-N", "B1", 45, "Missing sheets")])}
    signed_in = client_for(foreign)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 404
    data = {"file": workbook([("TD-N", "B1", 45, "Missing sheets")])}
    signed_in = client_for(leader)
    with assert_unchanged():
        assert signed_in.post(url, data).status_code == 403
    client = client_for(reviewer)
    preview = client.post(
        url, {"file": workbook([("TD-N", "B1", 45, "Missing sheets")])}
    )
    assert preview.status_code == 200
    assert b'data-testid="import-confirm"' in preview.content
    assert not Score.objects.filter(reviewed_score__isnull=False).exists()
    response = client.post(
        reverse("assessments:score_import_confirm", args=[self_scored.pk]),
        {"token": preview.context["token"]},
    )
    assert response.status_code == 302
    assert Score.objects.get(unit__code="TD-N").reviewed_score == D("45")


def test_import_preview_with_errors_offers_no_confirmation(
    self_scored, units, client_for, reviewer
):
    url = reverse("assessments:score_import", args=[self_scored.pk])
    response = client_for(reviewer).post(
        url, {"file": workbook([("TD-N", "B1", 99, "")])}
    )
    assert b'data-testid="import-errors"' in response.content
    assert b'data-testid="import-confirm"' not in response.content
    confirm = client_for(reviewer).post(
        reverse("assessments:score_import_confirm", args=[self_scored.pk]), follow=True
    )
    assert b"no longer waiting for confirmation" in confirm.content
    assert not Score.objects.filter(reviewed_score__isnull=False).exists()


def test_import_page_of_a_locked_period_is_403(scheme, client_for, reviewer):
    from .factories import PeriodFactory

    locked = PeriodFactory(scheme=scheme, status=Period.Status.LOCKED)
    url = reverse("assessments:score_import", args=[locked.pk])
    assert client_for(reviewer).get(url).status_code == 403


def test_import_template_lists_the_units_and_indicators(
    self_scored, client_for, reviewer
):
    response = client_for(reviewer).get(
        reverse("assessments:score_import_template", args=[self_scored.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == [
        "Unit code",
        "Indicator code",
        "Reviewed score",
        "Review comment",
    ]
    # Names beside the codes, for the reviewer filling the sheet in offline.
    assert rows[0][4:9] == ["Unit", "Indicator", "Kind", "Max points", "Self score"]
    [row] = [r for r in rows if r[:2] == ["TD-N", "B1"]]
    assert row[4] == "North Sub-district"
    # The drop-down of the reviewed score keeps it between 0 and the max points.
    assert sheet.data_validations.dataValidation[0].sqref is not None


def test_a_reviewer_with_no_unit_of_the_scheme_below_them_gets_403(
    period, units, client_for, cadre_sub
):
    # The sub-district scheme: cadre_sub reviews grassroots unions, not sub-districts.
    url = reverse("assessments:score_import", args=[period.pk])
    assert client_for(cadre_sub).get(url).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_template_imports_unchanged_in_either_language(
    self_scored, units, client_for, reviewer, language
):
    client = client_for(reviewer)
    headers = {"accept-language": language}
    template = client.get(
        reverse("assessments:score_import_template", args=[self_scored.pk]),
        headers=headers,
    )
    assert template.status_code == 200
    upload = io.BytesIO(template.content)
    upload.name = "template.xlsx"
    preview = client.post(
        reverse("assessments:score_import", args=[self_scored.pk]),
        {"file": upload},
        headers=headers,
    )
    assert preview.status_code == 200
    assert b'data-testid="import-errors"' not in preview.content
    assert b'data-testid="import-confirm"' in preview.content
    assert not Score.objects.filter(reviewed_score__isnull=False).exists()
    confirm = client.post(
        reverse("assessments:score_import_confirm", args=[self_scored.pk]),
        {"token": preview.context["token"]},
        headers=headers,
    )
    assert confirm.status_code == 302
    # Unchanged, the sheet confirms each unit's self score as its reviewed score.
    reviewed = dict(
        Score.objects.filter(period=self_scored).values_list(
            "unit__code", "reviewed_score"
        )
    )
    assert reviewed == {"TD-N": D("50"), "TD-S": D("50")}


def test_headers_are_read_whatever_the_brackets_spaces_and_case(
    self_scored, units, reviewer
):
    rows = imports.score_import_parse(
        period=self_scored,
        file=workbook(
            [("TD-N", "B1", 50, "")],
            headers=(" UNIT code ", "Indicator  Code", "审核得分", "审核意见"),
        ),
        by=reviewer,
    )
    assert rows[0].error == ""


def test_a_score_with_seven_decimals_is_refused_in_the_preview(
    self_scored, units, reviewer
):
    rows = imports.score_import_parse(
        period=self_scored,
        file=workbook([("TD-N", "B1", "45.1234567", "close enough")]),
        by=reviewer,
    )
    assert rows[0].error == "A score has at most two decimal places."


def test_an_unchanged_review_needs_no_new_reason_after_the_self_score_moved(
    self_scored, units, reviewer
):
    """As on the page: a reason is due from a reviewer who changes the review."""
    Score.objects.filter(unit__code="TD-N").update(
        reviewed_score=D("50"), reviewed_at="2026-01-10T10:00Z", self_score=D("55")
    )
    rows = imports.score_import_parse(
        period=self_scored, file=workbook([("TD-N", "B1", 50, "")]), by=reviewer
    )
    assert rows[0].error == ""
    changed = imports.score_import_parse(
        period=self_scored, file=workbook([("TD-N", "B1", 45, "")]), by=reviewer
    )
    assert "Explain why" in changed[0].error
    assert Score.objects.get(unit__code="TD-N").reviewed_score == D("50")
