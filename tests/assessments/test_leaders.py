"""Issue 16: every period reachable, one order for periods, truthful 403 pages."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.audit import PeriodAudit
from assessments.models import Period, QuarterReport, UnitLevel
from assessments.selectors import report_list
from tests.snapshots import assert_unchanged

from .factories import PeriodFactory, active_scheme, build_report


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request in Chinese leaves the thread's language active: reset it, so
    that later tests in the same worker read English."""
    yield
    translation.activate("en")


QUARTERS = (Period.Kind.Q1, Period.Kind.Q2, Period.Kind.Q3, Period.Kind.Q4)


@pytest.fixture
def many_periods(district, units, admin_user):
    """Two years × two levels × four quarters and the year: 20 periods, all
    closed with a report, more than the 12 the home page used to show."""
    periods = []
    for year in (2025, 2026):
        for level in (UnitLevel.GRASSROOTS, UnitLevel.SUBDISTRICT):
            scheme = active_scheme(district, level=level, year=year)
            for kind in (*QUARTERS, Period.Kind.YEAR):
                periods.append(
                    PeriodFactory(scheme=scheme, kind=kind, status=Period.Status.CLOSED)
                )
    return periods


def test_assessment_home_lists_every_period_grouped_by_year(
    client_for, admin_user, many_periods
):
    response = client_for(admin_user).get(reverse("assessments:home"))
    overview = response.context["overview"]
    assert [year for year, _ in overview] == [2026, 2025]
    shown = [p for _, periods in overview for p in periods]
    assert len(shown) == len(many_periods) == 20
    first_2025 = next(p for p in many_periods if p.scheme.year == 2025)
    assert (
        reverse("assessments:period_detail", args=[first_2025.pk])
        in response.content.decode()
    )
    # Newest first, the year after its Q4, sub-district before grassroots.
    labels = [(p.scheme.year, p.kind, p.scheme.unit_level) for p in overview[0][1]]
    assert labels[:4] == [
        (2026, "year", "subdistrict"),
        (2026, "year", "grassroots"),
        (2026, "q4", "subdistrict"),
        (2026, "q4", "grassroots"),
    ]
    assert labels[-1] == (2026, "q1", "grassroots")


def test_reports_list_uses_the_same_order(admin_user, many_periods):
    for period in many_periods:
        QuarterReport.objects.create(period=period)
    order = [
        (r.period.scheme.year, r.period.kind, r.period.scheme.unit_level)
        for r in report_list(admin_user)
    ]
    assert len(order) == 20
    assert order[:3] == [
        (2026, "year", "subdistrict"),
        (2026, "year", "grassroots"),
        (2026, "q4", "subdistrict"),
    ]
    # 2025 Q1 of the sub-districts comes right before 2025 Q1 of the grassroots,
    # and both after the 2025 annual reports.
    assert order[-2:] == [(2025, "q1", "subdistrict"), (2025, "q1", "grassroots")]
    assert order.index((2025, "year", "grassroots")) < order.index(
        (2025, "q1", "subdistrict")
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_page_the_role_may_not_see_says_so(client_for, admin_user, period, language):
    """A district administrator is not a reviewer: the score import is closed to
    them, and the page must not claim they may view it."""
    client = client_for(admin_user)
    client.cookies["django_language"] = language
    before = period.scores.count()
    response = client.get(
        reverse("assessments:score_import", args=[period.pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 403
    text = response.content.decode()
    with translation.override(language):
        assert (
            translation.gettext(
                "Your role does not give access to this page or action. Ask the "
                "district union office if you need this permission."
            )
            in text
        )
    assert "see this page but not change it" not in text
    assert "可以查看此页面" not in text
    assert period.scores.count() == before


def test_a_built_report_of_every_period_is_on_the_dashboard_list(
    client_for, admin_user, period, units
):
    from assessments import services

    services.period_close(period=period, by=admin_user)
    build_report(period)
    response = client_for(admin_user).get(reverse("assessments:dashboard"))
    assert [p.pk for p in response.context["periods"]] == [period.pk]


# --- a period closes on a checklist ----------------------------------------------------


def test_period_page_lists_what_is_missing_before_closing(
    client_for, admin_user, period, units
):
    from assessments.models import Score

    from .factories import ScoreFactory, indicator

    ScoreFactory(
        period=period,
        unit=units[0],
        indicator=indicator(period.scheme, "B1"),
        self_score=50,
    )
    response = client_for(admin_user).get(
        reverse("assessments:period_detail", args=[period.pk])
    )
    checklist = response.context["checklist"]
    assert checklist.without_self_scores == [units[1]]
    assert checklist.units_with_unreviewed == [units[0]]
    assert checklist.unreviewed == 1
    text = response.content.decode()
    assert 'data-testid="close-checklist"' in text
    assert reverse("assessments:unit_scoring", args=[period.pk, units[1].pk]) in text
    # The confirmation on the closing page names the counts.
    close = client_for(admin_user).get(
        reverse("assessments:period_close", args=[period.pk])
    )
    assert (
        "1 units have not self-scored, 1 scores are not reviewed"
        in close.content.decode()
    )
    assert Score.objects.filter(period=period).count() == 1


def test_closing_keeps_the_missing_counts_in_the_audit(
    client_for, admin_user, period, units
):
    from accounts.models import AuditEvent

    response = client_for(admin_user).post(
        reverse("assessments:period_close", args=[period.pk])
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED
    event = AuditEvent.objects.get(kind=PeriodAudit.CLOSED)
    assert "without_self_scores=2" in event.detail
    assert "unreviewed=0" in event.detail
    assert event.user == admin_user


def test_a_leader_cannot_close_and_nothing_is_audited(
    client_for, leader, period, units
):
    from accounts.models import AuditEvent

    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(reverse("assessments:period_close", args=[period.pk]))
    assert response.status_code == 403
    period.refresh_from_db()
    assert period.status == Period.Status.OPEN
    assert not AuditEvent.objects.filter(kind=PeriodAudit.CLOSED).exists()


# --- every number is a door ------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_dashboard_count_opens_a_list_of_that_many_rows(
    client_for, admin_user, period, units, language
):
    """Walks the units and grade counts on the dashboard: each link opens the
    report's rows filtered to exactly that many units."""
    import re

    from .factories import ScoreFactory, indicator

    ScoreFactory(
        period=period,
        unit=units[0],
        indicator=indicator(period.scheme, "B1"),
        self_score=60,
    )
    from assessments import services

    services.period_close(period=period, by=admin_user)
    build_report(period)
    client = client_for(admin_user)
    client.cookies["django_language"] = language
    html = client.get(reverse("assessments:dashboard")).content.decode()
    doors = re.findall(
        r'data-testid="(?:grade-count|units-count)" data-count="(\d+)" href="([^"]+)"',
        html,
    )
    assert len(doors) == 1 + 4  # units assessed + one per grade
    assert sum(int(c) for c, _ in doors[1:]) == int(doors[0][0]) == len(units)
    for count, href in doors:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200
        part = response.context["report_rows"]
        body = part.split("<tbody>", 1)[1] if "<tbody>" in part else ""
        assert body.count("<tr") == int(count), href


# --- the leader's home -----------------------------------------------------------------


def test_leader_home_points_at_the_latest_published_results(
    client_for, admin_user, leader, period, units
):
    from assessments import services
    from assessments.home import home_tasks
    from assessments.models import QuarterReportRow

    services.period_close(period=period, by=admin_user)
    build_report(period)
    titles = [t.title for t in home_tasks(leader)]
    assert "Published results to look at" not in titles  # not published yet
    services.period_publish(period=period, by=admin_user)
    QuarterReportRow.objects.filter(unit=units[1]).update(overdue_months=3)
    QuarterReportRow.objects.filter(unit=units[0]).update(change=-5)
    task = home_tasks(leader)[0]
    assert task.title == "Published results to look at"
    assert task.count == 1
    assert task.items == [
        (
            f"{units[0].name} -5.00",
            reverse("assessments:unit_scorecard", args=[units[0].pk])
            + f"?period={period.pk}",
        )
    ]
    assert task.url == reverse("assessments:dashboard") + f"?period={period.pk}"
    assert "Units that fell since the previous period: 1;" in task.detail
    assert "units with an overdue office term: 1." in task.detail
    response = client_for(leader).get(reverse("home"))
    assert task.url in response.content.decode()
