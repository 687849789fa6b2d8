from datetime import date, timedelta

import pytest
from django.utils import timezone

from planning.models import (
    ActivityEvent,
    Campaign,
    CampaignItem,
    KeyWorkProject,
    ProgressReport,
    WorkPlan,
)
from tests.api.factories import published_plan
from tests.snapshots import assert_unchanged
from tests.unions.factories import grassroots_factory

PLANS = "/api/v1/plans/"
ITEMS = "/api/v1/plan-items/"
PROJECTS = "/api/v1/projects/"
REPORTS = "/api/v1/progress-reports/"
EVENTS = "/api/v1/activity-events/"
CAMPAIGNS = "/api/v1/campaigns/"
# The token (with its user and union) and the page of rows: a list that fits on
# one page needs no count (unionportal/pagination.py).
LIST_QUERIES = 2


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def _this_month() -> str:
    return timezone.localdate().replace(day=1).isoformat()


def _last_month() -> str:
    """A month that has ended: its report can be submitted."""
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1).isoformat()


@pytest.fixture
def plan_and_projects(district, grassroots, other_grassroots):
    return published_plan(district, [grassroots, other_grassroots])


@pytest.fixture
def plan(plan_and_projects):
    return plan_and_projects[0]


@pytest.fixture
def project(plan_and_projects, grassroots):
    return plan_and_projects[1][grassroots.pk]


@pytest.fixture
def other_project(plan_and_projects, other_grassroots):
    return plan_and_projects[1][other_grassroots.pk]


def _with_etag(client, url, method, data):
    etag = client.get(url)["ETag"]
    return getattr(client, method)(url, data, format="json", HTTP_IF_MATCH=etag)


# --- plans ------------------------------------------------------------------------


def test_cadre_sees_the_published_plan(api_for, cadre_grass, plan):
    assert _ids(api_for(cadre_grass).get(PLANS)) == {plan.pk}


def test_draft_plan_is_404_for_a_cadre(api_for, cadre_grass, district):
    from planning.services import plans

    draft = plans.plan_create(owner=district, data={"title": "Draft", "year": 2031})
    assert api_for(cadre_grass).get(f"{PLANS}{draft.pk}/").status_code == 404


def test_plan_detail_lists_its_items(api_for, cadre_grass, plan):
    body = api_for(cadre_grass).get(f"{PLANS}{plan.pk}/").json()
    assert [i["title"] for i in body["items"]] == ["Train cadres"]


def test_admin_creates_a_draft_plan(api_for, admin_user, district):
    response = api_for(admin_user).post(
        PLANS, {"title": "Key work 2031", "year": 2031}, format="json"
    )
    assert response.status_code == 201
    plan = WorkPlan.objects.get(year=2031)
    assert plan.owner == district
    assert plan.status == "draft"


def test_second_plan_for_a_year_is_refused_by_the_service(api_for, admin_user, plan):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            PLANS, {"title": "Again", "year": plan.year}, format="json"
        )
    assert response.status_code == 400
    assert "year" in response.json()["error"]["fields"]


def test_cadre_gets_403_on_plan_create(api_for, cadre_sub):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(PLANS, {"title": "Mine", "year": 2031}, format="json")
    assert response.status_code == 403


def test_admin_updates_a_plan(api_for, admin_user, plan):
    response = _with_etag(
        api_for(admin_user), f"{PLANS}{plan.pk}/", "patch", {"title": "Renamed"}
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.title == "Renamed"


def test_cadre_gets_403_on_plan_update(api_for, cadre_grass, plan):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _with_etag(signed_in, f"{PLANS}{plan.pk}/", "patch", {"title": "X"})
    assert response.status_code == 403


def test_leader_gets_403_on_plan_update(api_for, leader, plan):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _with_etag(signed_in, f"{PLANS}{plan.pk}/", "patch", {"title": "X"})
    assert response.status_code == 403


def test_outsider_gets_404_on_a_draft_of_another_sub_district(
    api_for, outsider, other_subdistrict
):
    from planning.services import plans

    draft = plans.plan_create(
        owner=other_subdistrict, data={"title": "D", "year": 2031}
    )
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.post(f"{PLANS}{draft.pk}/publish/")
    assert response.status_code == 404


def test_publishing_a_plan_without_items_is_refused(api_for, admin_user, district):
    from planning.services import plans

    draft = plans.plan_create(owner=district, data={"title": "Empty", "year": 2031})
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(f"{PLANS}{draft.pk}/publish/")
    assert response.status_code == 400
    assert "at least one item" in response.json()["error"]["message"]


def test_admin_closes_a_plan(api_for, admin_user, plan):
    response = api_for(admin_user).post(f"{PLANS}{plan.pk}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_closed_plan_cannot_be_changed(api_for, admin_user, plan):
    client = api_for(admin_user)
    client.post(f"{PLANS}{plan.pk}/close/")
    with assert_unchanged():
        response = _with_etag(client, f"{PLANS}{plan.pk}/", "patch", {"title": "X"})
    assert response.status_code == 400
    assert "closed plan" in response.json()["error"]["message"]


# --- plan items and handing out ---------------------------------------------------------


def _item_data(plan, **extra):
    return {
        "plan": plan.pk,
        "category": "service",
        "title": "Visit workers in need",
        "target_value": "50",
        "target_unit": "visits",
        "weight": "1",
        "due_date": f"{plan.year}-12-31",
    } | extra


def test_admin_adds_an_item(api_for, admin_user, plan):
    response = api_for(admin_user).post(ITEMS, _item_data(plan), format="json")
    assert response.status_code == 201
    assert plan.items.count() == 2


def test_cadre_gets_403_on_item_create(api_for, cadre_sub, plan):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(ITEMS, _item_data(plan), format="json")
    assert response.status_code == 403


def test_admin_of_a_lower_union_gets_403_on_item_create(api_for, outsider, plan):
    outsider.is_union_admin = True
    outsider.save()
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.post(ITEMS, _item_data(plan), format="json")
    assert response.status_code == 403


def test_hand_out_creates_one_project_per_union(
    api_for, admin_user, plan, grassroots_sibling
):
    item = plan.items.get()
    response = api_for(admin_user).post(
        f"{ITEMS}{item.pk}/hand-out/",
        {"unions": [grassroots_sibling.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["skipped"] == 0
    assert KeyWorkProject.objects.filter(item=item, owner=grassroots_sibling).exists()


def test_hand_out_to_the_plan_owner_itself_is_refused(api_for, admin_user, plan):
    item = plan.items.get()
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            f"{ITEMS}{item.pk}/hand-out/", {"unions": [plan.owner_id]}, format="json"
        )
    assert response.status_code == 400
    assert "unions" in response.json()["error"]["fields"]


# --- projects ---------------------------------------------------------------------


def test_cadre_lists_only_their_projects(api_for, cadre_grass, project, other_project):
    assert _ids(api_for(cadre_grass).get(PROJECTS)) == {project.pk}


def test_outsider_gets_404_for_a_project(api_for, outsider, project):
    assert api_for(outsider).get(f"{PROJECTS}{project.pk}/").status_code == 404


def test_project_shows_derived_status(api_for, cadre_grass, project):
    body = api_for(cadre_grass).get(f"{PROJECTS}{project.pk}/").json()
    assert body["status"] in dict(KeyWorkProject.Status.choices)
    assert body["milestones"] == []


def test_mine_filter(api_for, cadre_sub, project, grassroots_sibling, plan):
    client = api_for(cadre_sub)
    assert _ids(client.get(PROJECTS, {"mine": "true"})) == set()
    assert _ids(client.get(PROJECTS, {"mine": "false"})) == {project.pk}


def test_admin_updates_a_project_with_participants(
    api_for, admin_user, project, grassroots_sibling
):
    response = _with_etag(
        api_for(admin_user),
        f"{PROJECTS}{project.pk}/",
        "patch",
        {"target_value": "300", "participants": [grassroots_sibling.pk]},
    )
    assert response.status_code == 200
    assert response.json()["participants"] == [grassroots_sibling.pk]
    project.refresh_from_db()
    assert project.target_value == 300


def test_project_status_cannot_be_typed(api_for, admin_user, project):
    response = _with_etag(
        api_for(admin_user),
        f"{PROJECTS}{project.pk}/",
        "patch",
        {"status": "completed"},
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.status != "completed"


def test_cadre_gets_403_on_project_update(api_for, cadre_grass, project):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _with_etag(
            signed_in, f"{PROJECTS}{project.pk}/", "patch", {"title": "X"}
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_project_update(api_for, outsider, project):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.patch(
            f"{PROJECTS}{project.pk}/", {"title": "X"}, format="json", HTTP_IF_MATCH="*"
        )
    assert response.status_code == 404


def test_project_due_before_start_is_refused(api_for, admin_user, project):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = _with_etag(
            signed_in,
            f"{PROJECTS}{project.pk}/",
            "patch",
            {"due_date": f"{project.start_date.year - 1}-06-30"},
        )
    assert response.status_code == 400


@pytest.mark.parametrize("extra", [1, 5])
def test_project_list_query_count_does_not_grow(
    api_for, admin_user, district, subdistrict, extra, django_assert_num_queries
):
    units = [grassroots_factory(subdistrict) for _ in range(extra)]
    published_plan(district, units)
    client = api_for(admin_user)
    client.get(PROJECTS)
    # count, rows, participants
    with django_assert_num_queries(LIST_QUERIES + 1):
        assert client.get(PROJECTS).json()["count"] == extra


# --- progress reports --------------------------------------------------------------------


def _draft(client, project, **extra):
    return client.post(
        REPORTS,
        {"project": project.pk, "period": _this_month(), "achieved_value": "20"}
        | extra,
        format="json",
    )


@pytest.fixture
def draft(api_for, cadre_grass, project):
    response = _draft(
        api_for(cadre_grass),
        project,
        narrative="Two classes held",
        period=_last_month(),
    )
    assert response.status_code == 201, response.json()
    return ProgressReport.objects.get(pk=response.json()["id"])


def test_cadre_starts_a_draft_for_their_project(api_for, cadre_grass, project):
    response = _draft(api_for(cadre_grass), project)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["union"] == cadre_grass.union_id
    assert body["can_edit"] is True


def test_second_draft_for_the_same_period_answers_409(api_for, cadre_grass, draft):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _draft(signed_in, draft.project, period=_last_month())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "report_exists"


def test_draft_for_an_unseen_project_is_refused(api_for, cadre_grass, other_project):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _draft(signed_in, other_project)
    assert response.status_code == 400
    assert "project" in response.json()["error"]["fields"]


def test_cadre_of_a_higher_union_gets_403_on_draft(api_for, cadre_sub, project):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _draft(signed_in, project)
    assert response.status_code == 403


def test_leader_gets_403_on_draft(api_for, leader, project):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _draft(signed_in, project)
    assert response.status_code == 403


def test_draft_outside_the_reporting_periods_is_refused(api_for, cadre_grass, project):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _draft(signed_in, project, period="1999-01-01")
    assert response.status_code == 400
    assert "period" in response.json()["error"]["fields"]


def test_negative_achieved_value_is_refused(api_for, cadre_grass, project):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _draft(signed_in, project, achieved_value="-5")
    assert response.status_code == 400
    assert "achieved_value" in response.json()["error"]["fields"]


def test_cadre_updates_their_draft(api_for, cadre_grass, draft):
    response = _with_etag(
        api_for(cadre_grass), f"{REPORTS}{draft.pk}/", "patch", {"achieved_value": "40"}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.achieved_value == 40
    assert draft.version == 2


def test_update_without_if_match_answers_428(api_for, cadre_grass, draft):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.patch(
            f"{REPORTS}{draft.pk}/", {"achieved_value": "40"}, format="json"
        )
    assert response.status_code == 428


def test_second_client_with_a_stale_report_gets_412(api_for, cadre_grass, draft):
    office, phone = api_for(cadre_grass), api_for(cadre_grass)
    etag = office.get(f"{REPORTS}{draft.pk}/")["ETag"]
    first = office.patch(
        f"{REPORTS}{draft.pk}/",
        {"narrative": "Office"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    with assert_unchanged():
        second = phone.patch(
            f"{REPORTS}{draft.pk}/",
            {"narrative": "Phone"},
            format="json",
            HTTP_IF_MATCH=etag,
        )
    assert first.status_code == 200
    assert second.status_code == 412
    draft.refresh_from_db()
    assert draft.narrative == "Office"


def test_outsider_gets_404_on_report_update(api_for, outsider, draft):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.patch(
            f"{REPORTS}{draft.pk}/",
            {"narrative": "X"},
            format="json",
            HTTP_IF_MATCH="*",
        )
    assert response.status_code == 404


def test_reviewer_gets_403_on_report_update(api_for, cadre_sub, draft):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _with_etag(
            signed_in, f"{REPORTS}{draft.pk}/", "patch", {"narrative": "X"}
        )
    assert response.status_code == 403


def test_leader_gets_403_on_report_update(api_for, leader, draft):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _with_etag(
            signed_in, f"{REPORTS}{draft.pk}/", "patch", {"narrative": "X"}
        )
    assert response.status_code == 403


def test_submit_without_a_narrative_is_refused(api_for, cadre_grass, project):
    report = _draft(api_for(cadre_grass), project).json()
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(f"{REPORTS}{report['id']}/submit/")
    assert response.status_code == 400
    assert "narrative" in response.json()["error"]["fields"]
    assert ProgressReport.objects.get(pk=report["id"]).status == "draft"


def test_cadre_submits_their_report(api_for, cadre_grass, draft):
    response = api_for(cadre_grass).post(f"{REPORTS}{draft.pk}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["can_edit"] is False


def test_submitted_report_cannot_be_changed(api_for, cadre_grass, draft):
    client = api_for(cadre_grass)
    client.post(f"{REPORTS}{draft.pk}/submit/")
    with assert_unchanged():
        response = _with_etag(
            client, f"{REPORTS}{draft.pk}/", "patch", {"narrative": "X"}
        )
    assert response.status_code == 403


def test_reviewer_above_approves_and_the_project_follows(
    api_for, cadre_grass, cadre_sub, draft
):
    api_for(cadre_grass).post(f"{REPORTS}{draft.pk}/submit/")
    response = api_for(cadre_sub).post(f"{REPORTS}{draft.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    project = KeyWorkProject.objects.get(pk=draft.project_id)
    assert project.achieved_value == 20


def test_cadre_gets_403_approving_their_own_report(api_for, cadre_grass, draft):
    client = api_for(cadre_grass)
    client.post(f"{REPORTS}{draft.pk}/submit/")
    with assert_unchanged():
        assert client.post(f"{REPORTS}{draft.pk}/approve/").status_code == 403


def test_outsider_gets_404_on_approve(api_for, outsider, draft):
    signed_in = api_for(outsider)
    with assert_unchanged():
        assert signed_in.post(f"{REPORTS}{draft.pk}/approve/").status_code == 404


def test_leader_gets_403_on_approve(api_for, leader, draft):
    signed_in = api_for(leader)
    with assert_unchanged():
        assert signed_in.post(f"{REPORTS}{draft.pk}/approve/").status_code == 403


def test_approving_a_draft_is_refused(api_for, cadre_sub, draft):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(f"{REPORTS}{draft.pk}/approve/")
    assert response.status_code == 400
    assert ProgressReport.objects.get(pk=draft.pk).status == "draft"


def test_return_needs_a_comment(api_for, cadre_grass, cadre_sub, draft):
    api_for(cadre_grass).post(f"{REPORTS}{draft.pk}/submit/")
    reviewer = api_for(cadre_sub)
    with assert_unchanged():
        response = reviewer.post(f"{REPORTS}{draft.pk}/return/", {}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()["error"]["fields"]


def test_returned_report_is_corrected_and_submitted_again(
    api_for, cadre_grass, cadre_sub, draft
):
    unit, reviewer = api_for(cadre_grass), api_for(cadre_sub)
    unit.post(f"{REPORTS}{draft.pk}/submit/")
    returned = reviewer.post(
        f"{REPORTS}{draft.pk}/return/", {"comment": "Add photos"}, format="json"
    )
    assert returned.json()["status"] == "returned"
    fixed = _with_etag(unit, f"{REPORTS}{draft.pk}/", "patch", {"achieved_value": "25"})
    assert fixed.status_code == 200
    assert unit.post(f"{REPORTS}{draft.pk}/submit/").json()["status"] == "submitted"


def test_reports_are_scoped(api_for, outsider, cadre_sub, draft):
    assert api_for(outsider).get(REPORTS).json()["count"] == 0
    assert _ids(api_for(cadre_sub).get(REPORTS)) == {draft.pk}


def test_to_review_filter(api_for, cadre_grass, cadre_sub, draft):
    api_for(cadre_grass).post(f"{REPORTS}{draft.pk}/submit/")
    assert _ids(api_for(cadre_sub).get(REPORTS, {"to_review": "true"})) == {draft.pk}
    assert _ids(api_for(cadre_grass).get(REPORTS, {"to_review": "true"})) == set()


@pytest.mark.parametrize("extra", [1, 5])
def test_report_list_query_count_does_not_grow(
    api_for, admin_user, district, subdistrict, extra, django_assert_num_queries
):
    from planning import rules
    from planning.services import reports as report_services
    from tests.accounts.factories import UserFactory

    units = [grassroots_factory(subdistrict) for _ in range(extra)]
    _plan, projects = published_plan(district, units)
    for union_id, project in projects.items():
        cadre = UserFactory(union_id=union_id, is_cadre=True)
        period = rules.period_for("monthly", timezone.localdate(), 5)
        report = report_services.report_for_period(
            project=project, union_id=union_id, period=period
        )
        report_services.report_save(
            report=report, data={"narrative": "x"}, version=0, by=cadre
        )
    from django.core.cache import cache

    client = api_for(admin_user)
    client.get(REPORTS)
    cache.clear()
    # The list is kept under the data versions (plans, unions): two more
    # queries when computed, and only those (with the token) when kept.
    with django_assert_num_queries(LIST_QUERIES + 2):
        assert client.get(REPORTS).json()["count"] == extra
    with django_assert_num_queries(3):
        assert client.get(REPORTS).json()["count"] == extra


# --- campaigns and events -------------------------------------------------------------


@pytest.fixture
def campaign_item(district):
    campaign = Campaign.objects.create(
        owner=district, title="Four qualities", year=timezone.localdate().year
    )
    return CampaignItem.objects.create(campaign=campaign, title="Skills contest")


def _event(union, **extra):
    return {
        "kind": "activity",
        "union": union.pk,
        "date": date.today().isoformat(),
        "title": "Skills contest heat",
        "participants": 30,
    } | extra


def test_cadre_sees_the_districts_campaigns(api_for, cadre_grass, campaign_item):
    body = api_for(cadre_grass).get(CAMPAIGNS).json()
    assert body["results"][0]["items"][0]["id"] == campaign_item.pk


def test_cadre_records_an_event_for_their_union(
    api_for, cadre_grass, grassroots, campaign_item
):
    response = api_for(cadre_grass).post(
        EVENTS, _event(grassroots, item=campaign_item.pk), format="json"
    )
    assert response.status_code == 201
    assert response.json()["campaign"] == campaign_item.campaign_id
    assert ActivityEvent.objects.get().created_by == cadre_grass


def test_cadre_cannot_record_for_another_union(
    api_for, cadre_grass, grassroots_sibling
):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(EVENTS, _event(grassroots_sibling), format="json")
    assert response.status_code == 400
    assert "union" in response.json()["error"]["fields"]


def test_publicity_without_a_media_level_is_refused(api_for, cadre_grass, grassroots):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            EVENTS, _event(grassroots, kind="publicity"), format="json"
        )
    assert response.status_code == 400
    assert "media_level" in response.json()["error"]["fields"]
    assert not ActivityEvent.objects.exists()


def test_leader_gets_403_on_event_create(api_for, leader, grassroots):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = signed_in.post(EVENTS, _event(grassroots), format="json")
    assert response.status_code == 403


@pytest.fixture
def event(api_for, cadre_grass, grassroots):
    response = api_for(cadre_grass).post(EVENTS, _event(grassroots), format="json")
    return ActivityEvent.objects.get(pk=response.json()["id"])


def test_cadre_changes_their_event(api_for, cadre_grass, event):
    response = _with_etag(
        api_for(cadre_grass), f"{EVENTS}{event.pk}/", "patch", {"participants": 45}
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.participants == 45


def test_cadre_of_a_higher_union_gets_403_on_event_update(api_for, cadre_sub, event):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _with_etag(
            signed_in, f"{EVENTS}{event.pk}/", "patch", {"participants": 1}
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_event_update(api_for, outsider, event):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.patch(
            f"{EVENTS}{event.pk}/",
            {"participants": 1},
            format="json",
            HTTP_IF_MATCH="*",
        )
    assert response.status_code == 404


def test_admin_changes_an_event_in_scope(api_for, admin_user, event):
    response = _with_etag(
        api_for(admin_user), f"{EVENTS}{event.pk}/", "patch", {"title": "Final"}
    )
    assert response.status_code == 200


def test_events_filter_by_kind(api_for, leader, event):
    client = api_for(leader)
    assert _ids(client.get(EVENTS, {"kind": "activity"})) == {event.pk}
    assert _ids(client.get(EVENTS, {"kind": "training"})) == set()


@pytest.mark.parametrize("extra", [1, 5])
def test_event_list_query_count_does_not_grow(
    api_for, admin_user, grassroots, campaign_item, extra, django_assert_num_queries
):
    from planning.services import activities

    for n in range(extra):
        activities.event_save(
            event=ActivityEvent(),
            data={
                "union": grassroots,
                "item": campaign_item,
                "kind": "activity",
                "date": date(2025, 5, n + 1),
                "title": f"Event {n}",
            },
            by=admin_user,
        )
    client = api_for(admin_user)
    client.get(EVENTS)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(EVENTS).json()["count"] == extra


@pytest.mark.parametrize("extra", [1, 5])
def test_plan_list_query_count_does_not_grow(
    api_for, admin_user, district, grassroots, extra, django_assert_num_queries
):
    for n in range(extra):
        published_plan(district, [grassroots], year=2030 + n)
    client = api_for(admin_user)
    client.get(PLANS)
    # + the page's plans the admin may change (allowed_actions)
    with django_assert_num_queries(LIST_QUERIES + 1):
        assert client.get(PLANS).json()["count"] == extra


@pytest.mark.parametrize("extra", [1, 5])
def test_campaign_list_query_count_does_not_grow(
    api_for, cadre_grass, district, extra, django_assert_num_queries
):
    for n in range(extra):
        campaign = Campaign.objects.create(owner=district, title=f"C{n}", year=2026)
        CampaignItem.objects.create(campaign=campaign, title="Item")
    client = api_for(cadre_grass)
    client.get(CAMPAIGNS)
    # count, rows, their items
    with django_assert_num_queries(LIST_QUERIES + 1):
        assert client.get(CAMPAIGNS).json()["count"] == extra
