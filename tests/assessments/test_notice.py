"""The results notice (考核结果通报) of a published period, opened with python-docx."""

import io

import pytest
from django.urls import reverse
from docx import Document

from assessments import services

from .factories import build_report
from .test_reports import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_quarter(period, units, admin_user):
    score(period, units[0], "B1", "60")
    score(period, units[0], "B2", "35")
    score(period, units[1], "B1", "40")
    services.period_close(period=period, by=admin_user)
    build_report(period)
    services.period_publish(period=period, by=admin_user)
    period.refresh_from_db()
    return period


def _notice(client, period, language):
    response = client.get(
        reverse("assessments:report_notice", args=[period.report.pk]),
        {"lang": language},
    )
    assert response.status_code == 200
    return response, Document(io.BytesIO(response.content))


def test_the_chinese_notice_is_an_official_document(
    client_for, leader, published_quarter, units
):
    response, document = _notice(client_for(leader), published_quarter, "zh-hans")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37
    assert round(section.left_margin.mm) == 28
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于2026年第一季度" in text or "年第一季度" in text
    assert "考核结果的通报" in text
    assert "优秀" in text
    [table] = document.tables
    assert len(table.rows) == 1 + len(units)
    assert table.rows[1].cells[0].text == "1"
    assert table.rows[1].cells[1].text == units[0].name_zh
    assert table.rows[1].cells[2].text == "95.00"
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_an_english_reader_gets_it_in_english(client_for, leader, published_quarter):
    _response, document = _notice(client_for(leader), published_quarter, "en")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Notice on the results of the" in text
    assert not any(
        "\u4e00" <= ch <= "\u9fff"
        for ch in text.replace(published_quarter.scheme.owner.name_zh, "")
        if ch not in "〔〕、"
    )


def test_no_notice_before_publication(client_for, leader, period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    report = build_report(period)
    response = client_for(leader).get(
        reverse("assessments:report_notice", args=[report.pk])
    )
    assert response.status_code == 404


def test_a_cadre_cannot_read_the_whole_notice(
    client_for, cadre_grass, published_quarter
):
    response = client_for(cadre_grass).get(
        reverse("assessments:report_notice", args=[published_quarter.report.pk])
    )
    assert response.status_code == 404
