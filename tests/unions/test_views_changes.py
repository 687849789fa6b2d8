from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.snapshots import assert_unchanged
from tests.unions.factories import resident_id, term_factory
from unions.models import OfficeTerm, TermChange, TermChangeStep
from unions.workflow import term_change_advance, term_change_plan

State = TermChange.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def term(grassroots, today):
    return term_factory(grassroots, planned_end=today + timedelta(days=40))


@pytest.fixture
def change(term, admin_user, today):
    return term_change_plan(
        union=term.union, by=admin_user, day=today - timedelta(days=3)
    )


def _step_url(change, step):
    return reverse("unions:change_step", args=[change.pk, step])


def _step_data(step, today, **extra):
    data = {f"{step}-date": today.isoformat(), f"{step}-comment": "ok"}
    data.update(extra)
    return data


def _officer_rows(rows):
    data = {
        "officers-TOTAL_FORMS": str(len(rows) + 2),
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "60",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"officers-{index}-{key}"] = value
    return data


# --- planning -------------------------------------------------------------------------


def test_cadre_plans_a_change_for_their_own_union(client_for, cadre_grass, term, today):
    response = client_for(cadre_grass).post(
        reverse("unions:change_create"),
        {"union": term.union.pk, "date": today.isoformat(), "new_term_years": 5},
    )
    assert response.status_code == 302
    change = TermChange.objects.get(union=term.union)
    assert change.state == State.PLANNED
    assert change.steps.get().by == cadre_grass


def test_cadre_cannot_plan_for_a_sibling_union(
    client_for, cadre_grass, grassroots_sibling, today
):
    term_factory(grassroots_sibling)
    client = client_for(cadre_grass)
    response = client.get(
        reverse("unions:change_create"), {"union": grassroots_sibling.pk}
    )
    assert response.status_code == 404
    with assert_unchanged():
        response = client.post(
            reverse("unions:change_create"),
            {
                "union": grassroots_sibling.pk,
                "date": today.isoformat(),
                "new_term_years": 5,
            },
        )
    assert response.status_code == 200
    assert not TermChange.objects.exists()


def test_outsider_gets_404_planning_for_another_union(client_for, outsider, term):
    response = client_for(outsider).get(
        reverse("unions:change_create"), {"union": term.union.pk}
    )
    assert response.status_code == 404


def test_leader_gets_403_on_planning(client_for, leader, term, today):
    client = client_for(leader)
    assert client.get(reverse("unions:change_create")).status_code == 403
    with assert_unchanged():
        response = client.post(
            reverse("unions:change_create"),
            {"union": term.union.pk, "date": today.isoformat(), "new_term_years": 5},
        )
    assert response.status_code == 403
    assert not TermChange.objects.exists()


# --- steps: outsider 404, read-only 403, editor succeeds ----------------------------------


def test_admin_takes_the_next_step_with_a_document(
    client_for, admin_user, change, today, media_root
):
    data = _step_data(State.SUBMITTED, today)
    data[f"{State.SUBMITTED}-document"] = SimpleUploadedFile("request.pdf", PDF)
    response = client_for(admin_user).post(_step_url(change, State.SUBMITTED), data)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.SUBMITTED
    assert change.steps.get(step=State.SUBMITTED).document_name == "request.pdf"


def test_outsider_gets_404_on_a_step(client_for, outsider, change, today):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            _step_url(change, State.SUBMITTED), _step_data(State.SUBMITTED, today)
        )
    assert response.status_code == 404
    assert TermChange.objects.get(pk=change.pk).state == State.PLANNED


def test_leader_gets_403_on_a_step(client_for, leader, change, today):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            _step_url(change, State.SUBMITTED), _step_data(State.SUBMITTED, today)
        )
    assert response.status_code == 403
    assert TermChange.objects.get(pk=change.pk).state == State.PLANNED


def test_cadre_submits_the_request_of_their_union(
    client_for, cadre_grass, change, today
):
    response = client_for(cadre_grass).post(
        _step_url(change, State.SUBMITTED), _step_data(State.SUBMITTED, today)
    )
    assert response.status_code == 302
    assert TermChange.objects.get(pk=change.pk).state == State.SUBMITTED


def test_cadre_gets_403_on_the_approval_step_of_their_own_union(
    client_for, cadre_grass, change, admin_user, today
):
    term_change_advance(change=change, step=State.SUBMITTED, by=admin_user, day=today)
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            _step_url(change, State.APPROVED), _step_data(State.APPROVED, today)
        )
    assert response.status_code == 403
    assert TermChange.objects.get(pk=change.pk).state == State.SUBMITTED


def test_an_administrator_does_not_approve_their_own_unions_request(
    client_for, subdistrict, admin_user, today
):
    from tests.accounts.factories import UserFactory

    sub_admin = UserFactory(union=subdistrict, is_union_admin=True)
    term_factory(subdistrict, planned_end=today + timedelta(days=40))
    own = term_change_plan(union=subdistrict, by=sub_admin, day=today)
    term_change_advance(change=own, step=State.SUBMITTED, by=sub_admin, day=today)
    signed_in = client_for(sub_admin)
    with assert_unchanged():
        response = signed_in.post(
            _step_url(own, State.APPROVED), _step_data(State.APPROVED, today)
        )
    assert response.status_code == 403
    assert TermChange.objects.get(pk=own.pk).state == State.SUBMITTED
    # The higher union approves it.
    response = client_for(admin_user).post(
        _step_url(own, State.APPROVED), _step_data(State.APPROVED, today)
    )
    assert response.status_code == 302
    assert TermChange.objects.get(pk=own.pk).state == State.APPROVED


def test_reviewer_of_the_subdistrict_gets_403_on_a_step(
    client_for, cadre_sub, change, today
):
    # cadre_sub sees the grassroots union but it is not their own union.
    signed_in = client_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(
            _step_url(change, State.SUBMITTED), _step_data(State.SUBMITTED, today)
        )
    assert response.status_code == 403


def test_step_out_of_order_answers_with_a_message_and_changes_nothing(
    client_for, admin_user, change, today
):
    response = client_for(admin_user).post(
        _step_url(change, State.ELECTION_HELD),
        _step_data(State.ELECTION_HELD, today),
        follow=True,
    )
    assert "cannot be done now" in response.content.decode()
    change.refresh_from_db()
    assert change.state == State.PLANNED
    assert change.steps.count() == 1


def test_unknown_step_answers_404(client_for, admin_user, change, today):
    signed_in = client_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(_step_url(change, "teleported"), {})
    assert response.status_code == 404


def test_unknown_change_answers_404(client_for, admin_user):
    assert (
        client_for(admin_user)
        .get(reverse("unions:change_detail", args=[99999]))
        .status_code
        == 404
    )


def test_step_without_a_date_shows_the_form_error(client_for, admin_user, change):
    signed_in = client_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(_step_url(change, State.SUBMITTED), {})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert TermChange.objects.get(pk=change.pk).state == State.PLANNED


def test_election_step_records_officers_from_the_table(
    client_for, admin_user, change, today
):
    for step in (State.SUBMITTED, State.APPROVED):
        term_change_advance(change=change, step=step, by=admin_user, day=today)
    data = _step_data(
        State.ELECTION_HELD, today, **{"election_held-new_term_years": "3"}
    )
    data.update(
        _officer_rows(
            [
                {
                    "name": "孙红梅",
                    "role": "chair",
                    "gender": "female",
                    "id_number": resident_id(),
                },
                {"name": "郭振华", "role": "vice_chair", "phone": "13600000000"},
            ]
        )
    )
    response = client_for(admin_user).post(_step_url(change, State.ELECTION_HELD), data)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.new_term_years == 3
    assert list(change.elected.values_list("name", flat=True)) == ["孙红梅", "郭振华"]


def test_election_step_with_a_bad_id_number_says_why(
    client_for, admin_user, change, today
):
    for step in (State.SUBMITTED, State.APPROVED):
        term_change_advance(change=change, step=step, by=admin_user, day=today)
    data = _step_data(
        State.ELECTION_HELD, today, **{"election_held-new_term_years": "5"}
    )
    data.update(
        _officer_rows([{"name": "孙红梅", "role": "chair", "id_number": "12345"}])
    )
    signed_in = client_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(_step_url(change, State.ELECTION_HELD), data)
    assert response.status_code == 400
    assert b"has 5" in response.content
    assert TermChange.objects.get(pk=change.pk).state == State.APPROVED


def test_election_step_without_a_chair_is_refused(
    client_for, admin_user, change, today
):
    for step in (State.SUBMITTED, State.APPROVED):
        term_change_advance(change=change, step=step, by=admin_user, day=today)
    data = _step_data(
        State.ELECTION_HELD, today, **{"election_held-new_term_years": "5"}
    )
    data.update(_officer_rows([{"name": "孙红梅", "role": "vice_chair"}]))
    client = client_for(admin_user)
    with assert_unchanged():
        response = client.post(_step_url(change, State.ELECTION_HELD), data)
    assert response.status_code == 400
    assert b"Exactly one chair" in response.content


def test_completing_through_the_page_opens_the_new_term(
    client_for, admin_user, change, today, term
):
    for step in (State.SUBMITTED, State.APPROVED):
        term_change_advance(change=change, step=step, by=admin_user, day=today)
    from unions.workflow import Officer

    term_change_advance(
        change=change,
        step=State.ELECTION_HELD,
        by=admin_user,
        day=today,
        officers=[Officer(name="孙红梅", role="chair")],
    )
    term_change_advance(
        change=change, step=State.RESULT_APPROVED, by=admin_user, day=today
    )
    response = client_for(admin_user).post(
        _step_url(change, State.COMPLETED), _step_data(State.COMPLETED, today)
    )
    assert response.status_code == 302
    assert OfficeTerm.objects.get(pk=term.pk).closed
    page = client_for(admin_user).get(term.union.get_absolute_url()).content.decode()
    assert "孙红梅" in page


# --- cancel, documents, list ---------------------------------------------------------------


def test_admin_cancels_with_a_reason(client_for, admin_user, change, today):
    response = client_for(admin_user).post(
        reverse("unions:change_cancel", args=[change.pk]),
        {"cancelled-date": today.isoformat(), "cancelled-comment": "单位注销"},
    )
    assert response.status_code == 302
    assert TermChange.objects.get(pk=change.pk).state == State.CANCELLED


def test_cancel_without_a_reason_is_refused(client_for, admin_user, change, today):
    signed_in = client_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:change_cancel", args=[change.pk]),
            {"cancelled-date": today.isoformat()},
        )
    assert response.status_code == 400
    assert TermChange.objects.get(pk=change.pk).state == State.PLANNED


def test_cadre_gets_403_on_cancel(client_for, cadre_grass, change, today):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:change_cancel", args=[change.pk]),
            {"cancelled-date": today.isoformat(), "cancelled-comment": "x"},
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_cancel(client_for, outsider, change, today):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:change_cancel", args=[change.pk]),
            {"cancelled-date": today.isoformat(), "cancelled-comment": "x"},
        )
    assert response.status_code == 404


@pytest.fixture
def step_with_document(change, admin_user, today, media_root):
    term_change_advance(
        change=change,
        step=State.SUBMITTED,
        by=admin_user,
        day=today,
        document=SimpleUploadedFile("请示.pdf", PDF),
    )
    return TermChangeStep.objects.get(change=change, step=State.SUBMITTED)


def test_document_is_served_to_those_who_see_the_change(
    client_for, cadre_grass, step_with_document
):
    response = client_for(cadre_grass).get(
        reverse("unions:step_document", args=[step_with_document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_document_answers_404_to_an_outsider(client_for, outsider, step_with_document):
    response = client_for(outsider).get(
        reverse("unions:step_document", args=[step_with_document.pk])
    )
    assert response.status_code == 404


def test_change_list_shows_changes_in_scope(client_for, cadre_sub, outsider, change):
    assert (
        change.union.name_en.encode()
        in client_for(cadre_sub).get(reverse("unions:change_list")).content
    )


def test_change_list_hides_changes_out_of_scope(client_for, outsider, change):
    assert (
        change.union.name_en.encode()
        not in client_for(outsider).get(reverse("unions:change_list")).content
    )


def test_detail_shows_the_next_step_form_to_the_cadre_of_the_union(
    client_for, cadre_grass, change
):
    response = client_for(cadre_grass).get(change.get_absolute_url())
    assert b'data-testid="next-step"' in response.content


def test_detail_tells_the_cadre_to_wait_for_the_higher_union(
    client_for, cadre_grass, change, admin_user, today
):
    term_change_advance(change=change, step=State.SUBMITTED, by=admin_user, day=today)
    response = client_for(cadre_grass).get(change.get_absolute_url())
    assert b'data-testid="next-step"' not in response.content
    assert b"Waiting for the higher union" in response.content
