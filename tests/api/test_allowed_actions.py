"""``allowed_actions`` on the API's stateful resources: what each persona is
offered, that an offered action succeeds through the API, that one not offered is
refused with the row unchanged, and that a list asks once for its whole page."""

import pytest
from django.utils import timezone

from assessments.models import Period
from planning import rules
from planning.models import ProgressReport, WorkPlan
from planning.services import reports as report_services
from tests.api.factories import open_period, published_plan
from tests.snapshots import assert_unchanged
from tests.unions.factories import grassroots_factory

PLANS = "/api/v1/plans/"
PERIODS = "/api/v1/assessment-periods/"
REPORTS = "/api/v1/progress-reports/"
SCHEMES = "/api/v1/assessment-schemes/"
CHANGES = "/api/v1/term-changes/"


def _actions(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return response.json()["allowed_actions"]


# --- plans ----------------------------------------------------------------------------


def test_plan_actions_per_persona(
    api_for, admin_user, cadre_grass, reviewer, district, grassroots
):
    plan, _projects = published_plan(district, [grassroots])
    url = f"{PLANS}{plan.pk}/"
    assert _actions(api_for(admin_user), url) == ["close", "hand-out", "update"]
    assert _actions(api_for(cadre_grass), url) == []
    assert _actions(api_for(reviewer), url) == []


def test_offered_plan_action_succeeds_and_another_is_refused(
    api_for, admin_user, district, grassroots
):
    plan, _projects = published_plan(district, [grassroots])
    client = api_for(admin_user)
    assert "publish" not in _actions(client, f"{PLANS}{plan.pk}/")
    with assert_unchanged():
        assert client.post(f"{PLANS}{plan.pk}/publish/").status_code == 400
    response = client.post(f"{PLANS}{plan.pk}/close/")
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == []
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.CLOSED


# --- periods --------------------------------------------------------------------------


def test_period_actions_per_persona(api_for, admin_user, cadre_sub, reviewer, district):
    period, _indicator = open_period(district, by=admin_user)
    url = f"{PERIODS}{period.pk}/"
    assert _actions(api_for(admin_user), url) == ["close"]
    assert _actions(api_for(cadre_sub), url) == []
    assert _actions(api_for(reviewer), url) == []


def test_offered_period_action_succeeds_and_another_is_refused(
    api_for, admin_user, district
):
    period, _indicator = open_period(district, by=admin_user)
    client = api_for(admin_user)
    assert "lock" not in _actions(client, f"{PERIODS}{period.pk}/")
    with assert_unchanged():
        assert client.post(f"{PERIODS}{period.pk}/lock/").status_code in (400, 409)
    response = client.post(f"{PERIODS}{period.pk}/close/")
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == [
        "build-report",
        "publish",
        "reopen",
    ]
    period.refresh_from_db()
    assert period.status == Period.Status.CLOSED


# --- progress reports -----------------------------------------------------------------


def _draft(project, cadre):
    period = rules.period_for("monthly", timezone.localdate(), 5)
    # A month that has ended, so that the report can be submitted.
    period = rules.period_for("monthly", period.start - timezone.timedelta(days=1), 5)
    report = report_services.report_for_period(
        project=project, union_id=cadre.union_id, period=period
    )
    return report_services.report_save(
        report=report,
        data={"narrative": "Two classes held.", "achieved_value": 10},
        version=0,
        by=cadre,
    )


def test_report_actions_per_persona_through_its_workflow(
    api_for, admin_user, cadre_grass, reviewer, district, grassroots
):
    _plan, projects = published_plan(district, [grassroots])
    report = _draft(projects[grassroots.pk], cadre_grass)
    url = f"{REPORTS}{report.pk}/"
    cadre, review, admin = api_for(cadre_grass), api_for(reviewer), api_for(admin_user)
    assert _actions(cadre, url) == ["submit", "update"]
    assert _actions(review, url) == []
    assert _actions(admin, url) == []

    # Not offered to the reviewer while a draft: refused, nothing changes.
    with assert_unchanged():
        # The reviewer may review the report, but not while it is a draft.
        assert review.post(f"{url}approve/", {}, format="json").status_code == 400
    assert cadre.post(f"{url}submit/", {}, format="json").status_code == 200
    assert _actions(cadre, url) == []
    assert _actions(review, url) == ["approve", "return"]
    assert _actions(admin, url) == []

    # The cadre's update is no longer offered: refused, the row unchanged.
    etag = cadre.get(url).headers["ETag"]
    with assert_unchanged():
        response = cadre.patch(
            url, {"narrative": "Changed."}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 403
    response = review.post(f"{url}approve/", {"comment": "Good."}, format="json")
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == ["return"]
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.APPROVED


# --- one query for the page -----------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 10])
def test_report_list_asks_once_for_the_page(
    api_for, cadre_sub, district, subdistrict, extra, django_assert_num_queries
):
    from tests.accounts.factories import UserFactory

    units = [grassroots_factory(subdistrict) for _ in range(extra)]
    _plan, projects = published_plan(district, units)
    for union_id, project in projects.items():
        _draft(project, UserFactory(union_id=union_id, is_cadre=True))
    from django.core.cache import cache

    client = api_for(cadre_sub)  # a writer and a reviewer: both sets are asked
    client.get(REPORTS)
    cache.clear()
    # token, the data versions (plans, unions), rows, the page's writable and
    # reviewable reports
    with django_assert_num_queries(6):
        rows = client.get(REPORTS).json()["results"]
    assert len(rows) == extra
    assert all(row["allowed_actions"] == [] for row in rows)
    # Kept under those versions: token and versions only.
    with django_assert_num_queries(3):
        assert client.get(REPORTS).json()["results"] == rows


@pytest.mark.parametrize("extra", [1, 10])
def test_scheme_list_asks_once_for_the_page(
    api_for, admin_user, district, extra, django_assert_num_queries
):
    for n in range(extra):
        open_period(district, by=admin_user, year=2020 + n)
    client = api_for(admin_user)
    client.get(SCHEMES)
    with django_assert_num_queries(3):
        rows = client.get(SCHEMES).json()["results"]
    assert len(rows) == extra
    assert all(row["allowed_actions"] == ["open-period"] for row in rows)
