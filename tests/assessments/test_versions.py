"""Report versions (issue 14): every build keeps its snapshot, publishing pins a
version, a reopened and rebuilt period keeps its published version readable and
downloadable, and a once-published period is rebuilt with its stored rules."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Indicator, Period, QuarterReport, Scheme, Score

from .factories import ScoreFactory, build_report, indicator


def _score(period, unit, code, value):
    return ScoreFactory(
        period=period,
        unit=unit,
        indicator=indicator(period.scheme, code),
        self_score=D(value),
    )


def _totals(report) -> dict:
    return dict(report.rows.values_list("unit_id", "total"))


@pytest.fixture
def published(period, units, admin_user):
    """Q1 scored, closed, built and published: version 1, pinned."""
    north, south = units
    _score(period, north, "B1", "50")
    _score(period, north, "B2", "30")
    _score(period, south, "B1", "40")
    services.period_close(period=period, by=admin_user)
    first = build_report(period)
    services.period_publish(period=period, by=admin_user)
    first.refresh_from_db()
    return first


def _reopen_and_rebuild(period, admin_user, *, change=None):
    period.refresh_from_db()
    services.period_reopen(
        period=period, reason="A score was entered wrong", by=admin_user
    )
    if change is not None:
        change()
    period.refresh_from_db()
    services.period_close(period=period, by=admin_user)
    return build_report(period)


def test_publishing_pins_the_current_version(published, period):
    assert (published.number, published.is_current, published.is_published) == (
        1,
        True,
        True,
    )
    assert published.published_at is not None
    assert period.published_report == published


def test_a_rebuild_after_a_scheme_change_uses_the_rules_stored_with_the_period(
    published, period, units, admin_user
):
    before = _totals(published)
    version = published.scheme_version

    def change_the_scheme():
        # The office edits this year's scheme after Q1 was published: B1 now
        # weighs 120 and the bonus cap is raised, in a new scheme version.
        Indicator.objects.filter(scheme=period.scheme, code="B1").update(
            max_points=D("120")
        )
        Scheme.objects.filter(pk=period.scheme_id).update(
            bonus_cap=D("10"), version=version + 4
        )

    second = _reopen_and_rebuild(period, admin_user, change=change_the_scheme)
    assert second.number == 2
    assert _totals(second) == before
    assert second.scheme_version == version
    assert second.rules["indicators"] == published.rules["indicators"]
    # The published version is untouched and still pinned.
    published.refresh_from_db()
    assert published.is_published
    assert not published.is_current
    assert _totals(published) == before


def test_a_rebuild_before_any_publication_uses_the_scheme_as_it_is(
    period, units, admin_user
):
    _score(period, units[0], "B1", "30")
    services.period_close(period=period, by=admin_user)
    first = build_report(period)
    Indicator.objects.filter(scheme=period.scheme, code="B1").update(
        max_points=D("120")
    )
    second = build_report(period)
    assert second.rules["indicators"] != first.rules["indicators"]


def test_the_published_version_stays_readable_and_downloadable_after_a_rebuild(
    published, period, units, admin_user, leader, cadre_sub, client_for
):
    north = units[0]

    def correct_a_score():
        Score.objects.filter(period=period, unit=north, indicator__code="B2").update(
            self_score=D("10")
        )

    second = _reopen_and_rebuild(period, admin_user, change=correct_a_score)
    assert _totals(second)[north.pk] != _totals(published)[north.pk]
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED
    # Leaders' dashboard and the unit's own scorecard read the pinned version.
    shown = selectors.dashboard_periods(leader)
    assert [p.shown_report for p in shown] == [published]
    rows = selectors.scorecard_rows(north, cadre_sub)
    assert [r.report_id for r in rows] == [published.pk]
    # The administrator checks the new version before publishing it.
    assert [p.shown_report for p in selectors.dashboard_periods(admin_user)] == [second]
    # The published version's files are kept and served.
    client = client_for(leader)
    for kind in ("xlsx", "pdf"):
        response = client.get(
            reverse("assessments:report_download", args=[published.pk, kind])
        )
        assert response.status_code == 200
    # Its page, and the new version's, say which version is published.
    page = client_for(admin_user).get(
        reverse("assessments:report_detail", args=[second.pk])
    )
    html = page.content.decode()
    assert 'data-testid="report-versions"' in html
    assert "The published version is version 1" in html
    assert html.count('data-testid="published-badge"') == 1
    assert 'data-version="1"' in html
    assert 'data-version="2"' in html
    # Publishing the new version moves the pin; the old one keeps its rows.
    services.period_publish(period=period, by=admin_user)
    published.refresh_from_db()
    second.refresh_from_db()
    assert (published.is_published, second.is_published) == (False, True)
    assert [p.shown_report for p in selectors.dashboard_periods(leader)] == [second]
    assert published.rows.count() == 2
    assert published.files.count() == 4


def test_a_failed_rebuild_reuses_its_version_number(
    published, period, admin_user, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("worker lost")

    period.refresh_from_db()
    services.period_reopen(
        period=period, reason="A score was entered wrong", by=admin_user
    )
    period.refresh_from_db()
    services.period_close(period=period, by=admin_user)
    monkeypatch.setattr("assessments.engine.compute_quarter", broken)
    with pytest.raises(RuntimeError):
        build_report(period)
    monkeypatch.undo()
    again = build_report(period)
    assert list(
        QuarterReport.objects.filter(period=period).values_list("number", flat=True)
    ) == [2, 1]
    assert again.number == 2
    assert again.is_done


def test_the_api_names_the_version_and_the_published_one(
    published, period, admin_user, client_for
):
    client = client_for(admin_user)
    body = client.get(f"/api/v1/assessment-periods/{period.pk}/").json()
    assert body["published_report"] == published.pk
    assert (body["report"]["number"], body["report"]["is_published"]) == (1, True)
    report = client.get(f"/api/v1/quarter-reports/{published.pk}/").json()
    assert (report["number"], report["is_published"], report["is_current"]) == (
        1,
        True,
        True,
    )
