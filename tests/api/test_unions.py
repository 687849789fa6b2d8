from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.snapshots import assert_unchanged
from tests.unions.factories import grassroots_factory
from unions import workflow
from unions.models import OfficeTerm, TermChange, Union
from unions.services import term_open

UNIONS = "/api/v1/unions/"
TERMS = "/api/v1/terms/"
CHANGES = "/api/v1/term-changes/"
State = TermChange.State


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def _new_union(parent) -> dict:
    return {
        "code": "TD-N-9",
        "name_zh": "新厂工会",
        "name_en": "New Mill Union",
        "kind": "enterprise",
        "parent": parent.pk,
        "member_count": 40,
    }


# --- unions: reading ---------------------------------------------------------------


def test_cadre_lists_only_their_subtree(
    api_for, cadre_sub, subdistrict, grassroots, grassroots_sibling, other_grassroots
):
    ids = _ids(api_for(cadre_sub).get(UNIONS))
    assert ids == {subdistrict.pk, grassroots.pk, grassroots_sibling.pk}


def test_grassroots_cadre_lists_only_their_union(
    api_for, cadre_grass, grassroots_sibling
):
    assert _ids(api_for(cadre_grass).get(UNIONS)) == {cadre_grass.union_id}


def test_leader_reads_the_whole_district(api_for, leader, grassroots, other_grassroots):
    ids = _ids(api_for(leader).get(UNIONS))
    assert {grassroots.pk, other_grassroots.pk, leader.union_id} <= ids


def test_outsider_gets_404_for_a_union_outside_their_scope(
    api_for, outsider, grassroots
):
    assert api_for(outsider).get(f"{UNIONS}{grassroots.pk}/").status_code == 404


def test_detail_shows_the_union(api_for, cadre_grass, grassroots):
    body = api_for(cadre_grass).get(f"{UNIONS}{grassroots.pk}/").json()
    assert body["code"] == "TD-N-1"
    assert body["parent"] == grassroots.parent_id
    assert body["name"] == "North Factory Union"


def test_tree_nests_unions_under_the_users_union(
    api_for, cadre_sub, subdistrict, grassroots, grassroots_sibling, other_grassroots
):
    tree = api_for(cadre_sub).get(f"{UNIONS}tree/").json()
    assert [node["id"] for node in tree] == [subdistrict.pk]
    children = {child["id"] for child in tree[0]["children"]}
    assert children == {grassroots.pk, grassroots_sibling.pk}


def test_search_filter_finds_by_code(api_for, leader, grassroots, grassroots_sibling):
    response = api_for(leader).get(UNIONS, {"q": "td-n-2"})
    assert _ids(response) == {grassroots_sibling.pk}


def test_within_filter_keeps_a_subtree(
    api_for, leader, subdistrict, grassroots, other_grassroots
):
    ids = _ids(api_for(leader).get(UNIONS, {"within": subdistrict.pk}))
    assert grassroots.pk in ids
    assert other_grassroots.pk not in ids


def test_within_an_unseen_union_finds_nothing(api_for, cadre_grass, other_grassroots):
    response = api_for(cadre_grass).get(UNIONS, {"within": other_grassroots.pk})
    assert response.json()["count"] == 0


# The token (with its user and union) and the page of rows: a list that fits on
# one page needs no count (unionportal/pagination.py).
LIST_QUERIES = 2


@pytest.mark.parametrize("extra", [1, 5])
def test_union_list_query_count_does_not_grow(
    api_for, admin_user, subdistrict, extra, django_assert_num_queries
):
    client = api_for(admin_user)
    client.get(UNIONS)  # records the token's first use
    for _ in range(extra):
        grassroots_factory(subdistrict)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(UNIONS).status_code == 200


# --- unions: writing -----------------------------------------------------------------


def test_admin_creates_a_union_through_the_service(api_for, admin_user, subdistrict):
    response = api_for(admin_user).post(UNIONS, _new_union(subdistrict), format="json")
    assert response.status_code == 201
    union = Union.objects.get(code="TD-N-9")
    assert union.path == f"{subdistrict.path}{union.pk}/"
    assert response["ETag"]


def test_cadre_gets_403_on_create(api_for, cadre_sub, subdistrict):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(UNIONS, _new_union(subdistrict), format="json")
    assert response.status_code == 403
    assert not Union.objects.filter(code="TD-N-9").exists()


def test_leader_gets_403_on_create(api_for, leader, subdistrict):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = signed_in.post(UNIONS, _new_union(subdistrict), format="json")
    assert response.status_code == 403


def test_create_under_an_unseen_parent_is_refused(
    api_for, admin_user, other_subdistrict, subdistrict
):
    # A sub-district administrator cannot place a union in another sub-district.
    admin_user.union = subdistrict
    admin_user.save()
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(UNIONS, _new_union(other_subdistrict), format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]
    assert not Union.objects.filter(code="TD-N-9").exists()


def test_create_without_a_parent_is_refused(api_for, admin_user, subdistrict):
    data = _new_union(subdistrict)
    del data["parent"]
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(UNIONS, data, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]


def test_create_with_a_duplicate_code_is_refused(api_for, admin_user, grassroots):
    data = _new_union(grassroots.parent) | {"code": grassroots.code}
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(UNIONS, data, format="json")
    assert response.status_code == 400
    assert "code" in response.json()["error"]["fields"]


def _patch(client, union, data):
    etag = client.get(f"{UNIONS}{union.pk}/")["ETag"]
    return client.patch(
        f"{UNIONS}{union.pk}/", data, format="json", HTTP_IF_MATCH=etag or '"x"'
    )


def test_admin_updates_a_union(api_for, admin_user, grassroots):
    response = _patch(api_for(admin_user), grassroots, {"name_en": "Renamed"})
    assert response.status_code == 200
    grassroots.refresh_from_db()
    assert grassroots.name_en == "Renamed"


def test_outsider_gets_404_on_update(api_for, outsider, grassroots):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.patch(
            f"{UNIONS}{grassroots.pk}/",
            {"name_en": "X"},
            format="json",
            HTTP_IF_MATCH="*",
        )
    assert response.status_code == 404


def test_cadre_gets_403_on_update(api_for, cadre_grass, grassroots):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _patch(signed_in, grassroots, {"name_en": "X"})
    assert response.status_code == 403
    grassroots.refresh_from_db()
    assert grassroots.name_en == "North Factory Union"


def test_leader_gets_403_on_update(api_for, leader, grassroots):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _patch(signed_in, grassroots, {"name_en": "X"})
    assert response.status_code == 403


def test_moving_a_union_moves_its_subtree(
    api_for, admin_user, subdistrict, other_subdistrict, grassroots
):
    response = _patch(
        api_for(admin_user), subdistrict, {"parent": other_subdistrict.pk}
    )
    assert response.status_code == 200
    grassroots.refresh_from_db()
    assert grassroots.path.startswith(other_subdistrict.path)


def test_moving_a_union_under_itself_is_refused_by_the_service(
    api_for, admin_user, district, subdistrict
):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = _patch(signed_in, district, {"parent": subdistrict.pk})
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]


def test_put_replaces_the_union(api_for, admin_user, grassroots):
    client = api_for(admin_user)
    etag = client.get(f"{UNIONS}{grassroots.pk}/")["ETag"]
    data = _new_union(grassroots.parent) | {"code": "TD-N-1B"}
    response = client.put(
        f"{UNIONS}{grassroots.pk}/", data, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    grassroots.refresh_from_db()
    assert grassroots.code == "TD-N-1B"


def test_deactivate_refuses_a_union_with_active_sub_unions(
    api_for, admin_user, subdistrict, grassroots
):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(f"{UNIONS}{subdistrict.pk}/deactivate/")
    assert response.status_code == 400
    subdistrict.refresh_from_db()
    assert subdistrict.is_active


def test_admin_deactivates_and_activates_a_union(api_for, admin_user, grassroots):
    client = api_for(admin_user)
    off = client.post(f"{UNIONS}{grassroots.pk}/deactivate/")
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    on = client.post(f"{UNIONS}{grassroots.pk}/activate/")
    assert on.json()["is_active"] is True


def test_cadre_gets_403_on_deactivate(api_for, cadre_sub, grassroots):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(f"{UNIONS}{grassroots.pk}/deactivate/")
    assert response.status_code == 403


def test_outsider_gets_404_on_deactivate(api_for, outsider, grassroots):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.post(f"{UNIONS}{grassroots.pk}/deactivate/")
    assert response.status_code == 404


def test_stale_if_match_on_deactivate_answers_412(api_for, admin_user, grassroots):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            f"{UNIONS}{grassroots.pk}/deactivate/", HTTP_IF_MATCH='"stale"'
        )
    assert response.status_code == 412
    grassroots.refresh_from_db()
    assert grassroots.is_active


# --- office terms -----------------------------------------------------------------------


@pytest.fixture
def overdue_term(grassroots):
    start = timezone.localdate() - timedelta(days=5 * 365 + 60)
    return term_open(union=grassroots, start=start, length_years=5)


@pytest.fixture
def other_term(other_grassroots):
    return term_open(union=other_grassroots, start=date(2024, 1, 1), length_years=5)


def test_terms_are_scoped(api_for, cadre_sub, overdue_term, other_term):
    ids = _ids(api_for(cadre_sub).get(TERMS))
    assert ids == {overdue_term.pk}


def test_term_shows_its_computed_status(api_for, cadre_grass, overdue_term):
    body = api_for(cadre_grass).get(f"{TERMS}{overdue_term.pk}/").json()
    assert body["status"] == "overdue"
    assert body["overdue_months"] >= 1
    assert body["officers"] == []


def test_term_status_filter(api_for, leader, overdue_term, other_term):
    response = api_for(leader).get(TERMS, {"status": "overdue"})
    assert _ids(response) == {overdue_term.pk}


def test_outsider_gets_404_for_a_term(api_for, outsider, overdue_term):
    assert api_for(outsider).get(f"{TERMS}{overdue_term.pk}/").status_code == 404


def test_terms_cannot_be_written(api_for, admin_user, overdue_term):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.delete(f"{TERMS}{overdue_term.pk}/")
    assert response.status_code == 405


@pytest.mark.parametrize("extra", [1, 5])
def test_term_list_query_count_does_not_grow(
    api_for, leader, subdistrict, extra, django_assert_num_queries
):
    client = api_for(leader)
    client.get(TERMS)
    for _ in range(extra):
        term_open(
            union=grassroots_factory(subdistrict),
            start=date(2023, 3, 1),
            length_years=5,
        )
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(TERMS).json()["count"] == extra


# --- changes of term --------------------------------------------------------------------


def _plan(client, union, **extra):
    return client.post(
        CHANGES,
        {"union": union.pk, "new_term_years": 5, "comment": "Plan"} | extra,
        format="json",
    )


def test_cadre_plans_a_change_for_their_own_union(api_for, cadre_grass, overdue_term):
    response = _plan(api_for(cadre_grass), cadre_grass.union)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "planned"
    assert body["old_term"] == overdue_term.pk
    assert body["allowed_steps"] == ["submitted"]
    assert [s["step"] for s in body["steps"]] == ["planned"]


def test_cadre_gets_403_when_planning_for_a_union_below(api_for, cadre_sub, grassroots):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _plan(signed_in, grassroots)
    assert response.status_code == 403
    assert not TermChange.objects.exists()


def test_outsider_cannot_name_an_unseen_union(api_for, outsider, grassroots):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = _plan(signed_in, grassroots)
    assert response.status_code == 400
    assert "union" in response.json()["error"]["fields"]


def test_leader_gets_403_when_planning(api_for, leader, grassroots):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _plan(signed_in, grassroots)
    assert response.status_code == 403


def test_a_second_active_change_is_refused_by_the_service(
    api_for, admin_user, grassroots
):
    client = api_for(admin_user)
    assert _plan(client, grassroots).status_code == 201
    with assert_unchanged():
        response = _plan(client, grassroots)
    assert response.status_code == 400
    assert "already under way" in response.json()["error"]["message"]


def test_future_step_date_is_refused(api_for, admin_user, grassroots):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = _plan(signed_in, grassroots, date=future)
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]


@pytest.fixture
def planned_change(grassroots, admin_user, overdue_term):
    return workflow.term_change_plan(
        union=grassroots, by=admin_user, day=timezone.localdate()
    )


def _advance(client, change, step, **extra):
    return client.post(
        f"{CHANGES}{change.pk}/advance/", {"step": step} | extra, format="json"
    )


def test_cadre_submits_the_request(api_for, cadre_grass, planned_change):
    response = _advance(api_for(cadre_grass), planned_change, "submitted")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


def test_cadre_gets_403_on_an_approval_step(api_for, cadre_grass, planned_change):
    client = api_for(cadre_grass)
    _advance(client, planned_change, "submitted")
    with assert_unchanged():
        response = _advance(client, planned_change, "approved")
    assert response.status_code == 403
    planned_change.refresh_from_db()
    assert planned_change.state == "submitted"


def test_outsider_gets_404_on_a_step(api_for, outsider, planned_change):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = _advance(signed_in, planned_change, "submitted")
    assert response.status_code == 404


def test_leader_gets_403_on_a_step(api_for, leader, planned_change):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _advance(signed_in, planned_change, "submitted")
    assert response.status_code == 403


def test_out_of_order_step_is_refused_and_changes_nothing(
    api_for, admin_user, planned_change
):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = _advance(signed_in, planned_change, "election_held")
    assert response.status_code == 400
    assert "cannot be done now" in response.json()["error"]["message"]
    planned_change.refresh_from_db()
    assert planned_change.state == "planned"


def test_unknown_step_is_refused(api_for, admin_user, planned_change):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = _advance(signed_in, planned_change, "teleported")
    assert response.status_code == 400
    assert "step" in response.json()["error"]["fields"]


def test_invalid_officer_id_number_is_reported_per_officer(
    api_for, admin_user, planned_change
):
    client = api_for(admin_user)
    for step in ("submitted", "approved"):
        _advance(client, planned_change, step)
    with assert_unchanged():
        response = _advance(
            client,
            planned_change,
            "election_held",
            officers=[{"name": "Li Hua", "role": "chair", "id_number": "123"}],
        )
    assert response.status_code == 400
    assert "officers" in response.json()["error"]["fields"]


def test_full_workflow_opens_the_new_term(api_for, admin_user, planned_change):
    client = api_for(admin_user)
    for step in ("submitted", "approved"):
        assert _advance(client, planned_change, step).status_code == 200
    elected = _advance(
        client,
        planned_change,
        "election_held",
        officers=[
            {"name": "Li Hua", "role": "chair"},
            {"name": "Wang Fang", "role": "vice_chair", "phone": "138 0000 1234"},
        ],
    )
    assert elected.status_code == 200, elected.json()
    for step in ("result_approved", "completed"):
        assert _advance(client, planned_change, step).status_code == 200
    planned_change.refresh_from_db()
    new_term = planned_change.new_term
    assert new_term is not None
    assert not new_term.closed
    assert OfficeTerm.objects.get(pk=planned_change.old_term_id).closed
    officers = client.get(f"{TERMS}{new_term.pk}/").json()["officers"]
    assert {o["person_name"] for o in officers} == {"Li Hua", "Wang Fang"}


def test_elected_phone_is_masked_for_a_cadre(
    api_for, admin_user, cadre_grass, planned_change
):
    admin = api_for(admin_user)
    for step in ("submitted", "approved"):
        _advance(admin, planned_change, step)
    _advance(
        admin,
        planned_change,
        "election_held",
        officers=[{"name": "Li Hua", "role": "chair", "phone": "13800001234"}],
    )
    as_cadre = api_for(cadre_grass).get(f"{CHANGES}{planned_change.pk}/").json()
    as_admin = admin.get(f"{CHANGES}{planned_change.pk}/").json()
    assert as_cadre["elected"][0]["phone"] == "138****1234"
    assert as_admin["elected"][0]["phone"] == "13800001234"


def test_cancel_needs_a_comment(api_for, admin_user, planned_change):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            f"{CHANGES}{planned_change.pk}/cancel/", {}, format="json"
        )
    assert response.status_code == 400
    assert "comment" in response.json()["error"]["fields"]


def test_admin_cancels_a_change(api_for, admin_user, planned_change):
    response = api_for(admin_user).post(
        f"{CHANGES}{planned_change.pk}/cancel/", {"comment": "Merged"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.json()["allowed_steps"] == []


def test_cadre_gets_403_on_cancel(api_for, cadre_grass, planned_change):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            f"{CHANGES}{planned_change.pk}/cancel/", {"comment": "No"}, format="json"
        )
    assert response.status_code == 403


def test_changes_are_scoped(api_for, outsider, planned_change):
    assert api_for(outsider).get(CHANGES).json()["count"] == 0


def test_active_filter(api_for, admin_user, planned_change):
    client = api_for(admin_user)
    assert _ids(client.get(CHANGES, {"active": "true"})) == {planned_change.pk}
    assert _ids(client.get(CHANGES, {"active": "false"})) == set()


@pytest.mark.parametrize("extra", [1, 5])
def test_change_list_query_count_does_not_grow(
    api_for, admin_user, subdistrict, extra, django_assert_num_queries
):
    client = api_for(admin_user)
    client.get(CHANGES)
    for _ in range(extra):
        workflow.term_change_plan(
            union=grassroots_factory(subdistrict),
            by=admin_user,
            day=timezone.localdate(),
        )
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(CHANGES).json()["count"] == extra
