"""The report page kept rendered (``assessments.views.reports.report_detail``):
every write that changes it shows on the next request, and one reader's page is
never served to another (scope, role, language, CSRF token)."""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import QuarterReport, QuarterReportFile
from tests.accounts.factories import UserFactory
from tests.unions.factories import district_factory

from .factories import ScoreFactory, build_report, indicator


@pytest.fixture
def built(period, units, admin_user):
    """Q1 closed and built (version 1, with its files), not published yet."""
    for unit, points in zip(units, (D("50"), D("30")), strict=True):
        ScoreFactory(
            period=period,
            unit=unit,
            indicator=indicator(period.scheme, "B1"),
            self_score=points,
        )
    services.period_close(period=period, by=admin_user)
    return build_report(period)


def _page(client, report) -> str:
    response = client.get(reverse("assessments:report_detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _versions(html: str) -> str:
    return html.split('data-testid="report-versions"')[1]


def test_a_warm_report_page_reads_one_statement_of_the_assessment(
    client_for, leader, built
):
    client = client_for(leader)
    _page(client, built)
    with CaptureQueriesContext(connection) as queries:
        _page(client, built)
    read = [q["sql"] for q in queries.captured_queries if "assessments_" in q["sql"]]
    assert len(read) == 1  # the page's version, none of the ORM's four queries
    assert "quarterreportrow" not in read[0]


def test_each_write_shows_on_the_next_request(client_for, admin_user, built):
    client = client_for(admin_user)
    period = built.period
    html = _page(client, built)
    assert "not published" in html
    assert 'data-testid="file-xlsx-en"' in html

    services.period_publish(period=period, by=admin_user)
    assert "this is the published version" in _page(client, built)

    services.period_reopen(
        period=period, reason="A wrong file was found", by=admin_user
    )
    assert 'data-status="open"' in _page(client, built)

    services.period_close(period=period, by=admin_user)
    second = services.report_request(period=period, by=admin_user)
    versions = _versions(_page(client, built))
    assert 'data-version="2"' in versions
    assert 'data-status="pending"' in versions

    second = build_report(period)
    assert second.number == 2
    versions = _versions(_page(client, built))
    assert 'data-status="pending"' not in versions
    assert versions.count('data-testid="published-badge"') == 1  # still version 1

    # A failed files job written with .update(), as the job writes it.
    QuarterReport.objects.filter(pk=second.pk).update(
        files_status=QuarterReport.FilesStatus.FAILED, files_error="The disk is full"
    )
    QuarterReportFile.objects.filter(report=second).delete()
    html = _page(client, second)
    assert "The disk is full" in html
    assert 'data-testid="prepare-files"' in html
    assert "file-xlsx-en" not in html

    period.scheme.name_en = "The renamed scheme"
    period.scheme.save()
    assert "The renamed scheme" in _page(client, second)

    admin_user.first_name, admin_user.last_name = "Mei", "Lin"
    admin_user.save()
    assert "Mei Lin" in _versions(_page(client, built))


def test_a_deleted_version_leaves_the_list(client_for, admin_user, built):
    client = client_for(admin_user)
    period = built.period
    services.report_request(period=period, by=admin_user)
    second = build_report(period)
    assert 'data-version="2"' in _versions(_page(client, built))
    second.delete()  # the admin may delete a version of an unlocked period
    assert 'data-version="2"' not in _versions(_page(client, built))


def test_the_files_button_is_for_the_administrator_only(
    client_for, admin_user, leader, built
):
    QuarterReport.objects.filter(pk=built.pk).update(
        files_status=QuarterReport.FilesStatus.FAILED
    )
    assert 'data-testid="prepare-files"' in _page(client_for(admin_user), built)
    assert 'data-testid="prepare-files"' not in _page(client_for(leader), built)


def test_a_reader_out_of_scope_is_never_served_the_kept_page(
    client_for, admin_user, leader, built
):
    _page(client_for(admin_user), built)
    _page(client_for(leader), built)
    other = district_factory(code="XD", name_en="Other District")
    for stranger in (
        UserFactory(username="x_admin", union=other, is_union_admin=True),
        UserFactory(username="x_leader", union=other, is_leader=True),
    ):
        url = reverse("assessments:report_detail", args=[built.pk])
        assert client_for(stranger).get(url).status_code == 404
    # And the other way round: a 404 kept for no one.
    assert client_for(leader).get(url).status_code == 200


def test_the_page_is_kept_per_language(client_for, leader, built):
    client = client_for(leader)
    assert "Versions of this report" in _page(client, built)
    leader.language = "zh-hans"
    leader.save()
    chinese = Client()
    chinese.force_login(leader, backend="accounts.backends.UnionModelBackend")
    html = _page(chinese, built)
    assert "Versions of this report" not in html
    assert "本报告的各个版本" in html


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_each_reader_posts_the_kept_form_with_their_own_token(built, admin_user):
    QuarterReport.objects.filter(pk=built.pk).update(
        files_status=QuarterReport.FilesStatus.FAILED
    )
    twin = UserFactory(
        username="admin_twin", union=admin_user.union, is_union_admin=True
    )
    tokens = []
    for user in (admin_user, twin):
        client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
        client.force_login(user, backend="accounts.backends.UnionModelBackend")
        _page(client, built)
        html = _page(client, built)  # the second one from the cache
        tokens.append(_token(html))
        url = reverse("assessments:report_files_build", args=[built.period_id])
        response = client.post(
            url, {"csrfmiddlewaretoken": tokens[-1], "next": "report"}
        )
        assert response.status_code == 302
        QuarterReport.objects.filter(pk=built.pk).update(
            files_status=QuarterReport.FilesStatus.FAILED
        )
    assert tokens[0] != tokens[1]
