from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.snapshots import assert_unchanged
from tests.unions.factories import (
    grassroots_factory,
    officer_factory,
    resident_id,
    subdistrict_factory,
    term_factory,
)
from unions.models import OfficeTerm, Position
from unions.services import term_update


@pytest.fixture
def term(grassroots):
    return term_factory(
        grassroots, planned_end=timezone.localdate() + timedelta(days=60)
    )


@pytest.fixture
def other_term(other_grassroots):
    return term_factory(
        other_grassroots, planned_end=timezone.localdate() - timedelta(days=60)
    )


def test_leader_reads_the_terms_dashboard(client_for, leader, term, other_term):
    response = client_for(leader).get(reverse("unions:term_dashboard"))
    assert response.status_code == 200
    assert b'data-chart="chart-term-ends"' in response.content
    assert b'data-status="overdue">1<' in response.content
    assert b'data-status="due">1<' in response.content


def test_dashboard_lists_due_and_overdue_terms_by_subdistrict(
    client_for, admin_user, term, other_term, subdistrict, other_subdistrict
):
    content = client_for(admin_user).get(reverse("unions:term_dashboard")).content
    assert subdistrict.name_en.encode() in content
    assert other_subdistrict.name_en.encode() in content


def test_cadre_dashboard_shows_only_their_scope(
    client_for, cadre_grass, term, other_term
):
    content = client_for(cadre_grass).get(reverse("unions:term_dashboard")).content
    assert other_term.union.name_en.encode() not in content
    assert b'data-status="overdue">0<' in content


def test_cadre_gets_404_on_a_term_of_another_subdistrict(
    client_for, cadre_grass, other_term
):
    response = client_for(cadre_grass).get(other_term.get_absolute_url())
    assert response.status_code == 404


def test_cadre_reads_their_own_term(client_for, cadre_grass, term):
    response = client_for(cadre_grass).get(term.get_absolute_url())
    assert response.status_code == 200
    assert b'data-status="due"' in response.content


def test_unknown_term_answers_404(client_for, admin_user):
    response = client_for(admin_user).get(reverse("unions:term_detail", args=[424242]))
    assert response.status_code == 404


def test_term_list_filters_by_status_in_sql(client_for, admin_user, term, other_term):
    response = client_for(admin_user).get(
        reverse("unions:term_list"), {"status": "overdue"}
    )
    assert other_term.union.name_en.encode() in response.content
    assert term.union.name_en.encode() not in response.content


def test_term_list_filters_by_subdistrict(
    client_for, admin_user, term, other_term, subdistrict
):
    response = client_for(admin_user).get(
        reverse("unions:term_list"), {"area": subdistrict.pk}
    )
    assert term.union.name_en.encode() in response.content
    assert other_term.union.name_en.encode() not in response.content


def test_term_list_with_an_unknown_status_shows_a_form_error_not_500(
    client_for, admin_user, term
):
    response = client_for(admin_user).get(
        reverse("unions:term_list"), {"status": "nonsense"}
    )
    assert response.status_code == 200


# --- writes on terms: outsider 404, read-only 403, editor succeeds -----------------------


def _term_data(**changes):
    data = {"number": 3, "start": "2024-02-29", "length_years": 3}
    data.update(changes)
    return data


def test_admin_records_a_first_term(client_for, admin_user, grassroots):
    response = client_for(admin_user).post(
        reverse("unions:term_create", args=[grassroots.pk]), _term_data()
    )
    assert response.status_code == 302
    term = OfficeTerm.objects.get(union=grassroots)
    assert term.planned_end == date(2027, 2, 28)


def test_leader_gets_403_on_term_create(client_for, leader, grassroots):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:term_create", args=[grassroots.pk]), _term_data()
        )
    assert response.status_code == 403
    assert not OfficeTerm.objects.exists()


def test_cadre_gets_403_on_term_create(client_for, cadre_grass, grassroots):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:term_create", args=[grassroots.pk]), _term_data()
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_term_create(client_for, outsider, grassroots):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:term_create", args=[grassroots.pk]), _term_data()
        )
    assert response.status_code == 404


def test_second_open_term_is_refused_with_a_message(client_for, admin_user, term):
    response = client_for(admin_user).post(
        reverse("unions:term_create", args=[term.union.pk]), _term_data()
    )
    assert response.status_code == 200
    assert b"already has a current term" in response.content
    assert OfficeTerm.objects.filter(union=term.union).count() == 1


def test_term_of_four_years_is_refused(client_for, admin_user, grassroots):
    response = client_for(admin_user).post(
        reverse("unions:term_create", args=[grassroots.pk]), _term_data(length_years=4)
    )
    assert response.status_code == 200
    assert not OfficeTerm.objects.exists()


def test_admin_corrects_a_term(client_for, admin_user, term):
    response = client_for(admin_user).post(
        reverse("unions:term_edit", args=[term.pk]),
        _term_data(number=2, version=term.version),
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.number, term.planned_end) == (2, date(2027, 2, 28))


def test_leader_gets_403_on_term_edit(client_for, leader, term):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:term_edit", args=[term.pk]), _term_data()
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_term_edit(client_for, outsider, term):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:term_edit", args=[term.pk]), _term_data()
        )
    assert response.status_code == 404


# --- officers --------------------------------------------------------------------------


def _officer_data(**changes):
    data = {
        "name": "赵丽华",
        "gender": "female",
        "phone": "13700001111",
        "id_number": resident_id(),
        "role": "chair",
        "start": timezone.localdate().isoformat(),
    }
    data.update(changes)
    return data


def test_admin_adds_an_officer(client_for, admin_user, term):
    response = client_for(admin_user).post(
        reverse("unions:position_add", args=[term.pk]), _officer_data()
    )
    assert response.status_code == 302
    assert term.positions.get().person.name == "赵丽华"


def test_officer_with_a_bad_id_number_is_refused_and_nothing_written(
    client_for, admin_user, term
):
    response = client_for(admin_user).post(
        reverse("unions:position_add", args=[term.pk]),
        _officer_data(id_number="110105194912310021"),
    )
    assert response.status_code == 200
    assert b"check digit" in response.content
    assert not term.positions.exists()


def test_cadre_gets_403_on_adding_an_officer(client_for, cadre_grass, term):
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:position_add", args=[term.pk]), _officer_data()
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_adding_an_officer(client_for, outsider, term):
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:position_add", args=[term.pk]), _officer_data()
        )
    assert response.status_code == 404


def test_leader_gets_403_on_adding_an_officer(client_for, leader, term):
    signed_in = client_for(leader)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:position_add", args=[term.pk]), _officer_data()
        )
    assert response.status_code == 403


def test_admin_ends_an_office(client_for, admin_user, term):
    position = officer_factory(term, role=Position.Role.CHAIR)
    response = client_for(admin_user).post(
        reverse("unions:position_end", args=[position.pk]),
        {"end": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.is_current is False


def test_cadre_gets_403_on_ending_an_office(client_for, cadre_grass, term):
    position = officer_factory(term)
    signed_in = client_for(cadre_grass)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:position_end", args=[position.pk]),
            {"end": timezone.localdate().isoformat()},
        )
    assert response.status_code == 403
    assert Position.objects.get(pk=position.pk).is_current


def test_outsider_gets_404_on_ending_an_office(client_for, outsider, term):
    position = officer_factory(term)
    signed_in = client_for(outsider)
    with assert_unchanged():
        response = signed_in.post(
            reverse("unions:position_end", args=[position.pk]),
            {"end": timezone.localdate().isoformat()},
        )
    assert response.status_code == 404


def test_term_page_shows_officer_history(client_for, admin_user, term):
    position = officer_factory(term, role=Position.Role.CHAIR, name="钱进")
    client_for(admin_user).post(
        reverse("unions:position_end", args=[position.pk]),
        {"end": timezone.localdate().isoformat()},
    )
    content = client_for(admin_user).get(term.get_absolute_url()).content.decode()
    assert "钱进" in content
    assert 'data-testid="history"' in content


# --- the dashboard at scale: a page of sub-districts, the most urgent few each ------------


def _due_terms(parent, count, *, days=30):
    today = timezone.localdate()
    return [
        term_factory(
            grassroots_factory(parent, name_en=f"Due {parent.code} {n:02d}"),
            planned_end=today + timedelta(days=days + n),
        )
        for n in range(count)
    ]


def test_dashboard_shows_the_five_most_urgent_and_links_to_the_rest(
    client_for, admin_user, subdistrict
):
    terms = _due_terms(subdistrict, 7)
    content = client_for(admin_user).get(reverse("unions:term_dashboard")).content
    content = content.decode()
    for term in terms[:5]:
        assert term.union.name_en in content
    for term in terms[5:]:
        assert term.union.name_en not in content
    more = f"?area={subdistrict.pk}&amp;status=attention"
    assert f"{reverse('unions:term_list')}{more}" in content
    assert "2 more" in content


def test_dashboard_pages_the_sub_districts_most_overdue_first(
    client_for, admin_user, district
):
    subs = [subdistrict_factory(district, code=f"PS{n:02d}") for n in range(11)]
    for sub in subs[1:]:
        _due_terms(sub, 1)
    _due_terms(subs[0], 1, days=-10)  # overdue: comes first
    client = client_for(admin_user)
    first = client.get(reverse("unions:term_dashboard"))
    groups = first.content.decode().count('data-testid="attention-group"')
    assert groups == 10
    assert first.content.decode().index(subs[0].name_en) < first.content.decode().index(
        subs[1].name_en
    )
    second = client.get(reverse("unions:term_dashboard"), {"page": 2})
    assert second.content.decode().count('data-testid="attention-group"') == 1


def test_term_list_keeps_a_sub_districts_due_and_overdue_terms(
    client_for, admin_user, subdistrict, other_subdistrict
):
    today = timezone.localdate()
    due, overdue, current = (
        term_factory(
            grassroots_factory(subdistrict, name_en=name), planned_end=today + days
        )
        for name, days in (
            ("Due one", timedelta(days=40)),
            ("Late one", timedelta(days=-40)),
            ("Fine one", timedelta(days=900)),
        )
    )
    elsewhere = _due_terms(other_subdistrict, 1)[0]
    response = client_for(admin_user).get(
        reverse("unions:term_list"), {"area": subdistrict.pk, "status": "attention"}
    )
    content = response.content.decode()
    assert due.union.name_en in content
    assert overdue.union.name_en in content
    assert current.union.name_en not in content
    assert elsewhere.union.name_en not in content


def test_term_list_keeps_the_district_level(
    client_for, admin_user, district, grassroots
):
    today = timezone.localdate()
    term_factory(district, planned_end=today + timedelta(days=40))
    term_factory(grassroots, planned_end=today + timedelta(days=40))
    response = client_for(admin_user).get(
        reverse("unions:term_list"), {"area": "district", "status": "attention"}
    )
    content = response.content.decode()
    assert district.name_en in content
    assert grassroots.name_en not in content


def test_dashboard_figures_follow_a_saved_term_at_once(client_for, admin_user, term):
    client = client_for(admin_user)
    assert (
        b'data-status="due">1<' in client.get(reverse("unions:term_dashboard")).content
    )
    term_update(
        term=term, start=timezone.localdate(), length_years=5, number=term.number
    )
    content = client.get(reverse("unions:term_dashboard")).content
    assert b'data-status="due">0<' in content
    assert b'data-status="current">1<' in content


def test_term_list_follows_a_saved_term_at_once(client_for, admin_user, term):
    client = client_for(admin_user)
    url = reverse("unions:term_list")
    assert term.union.name_en.encode() in client.get(url, {"status": "due"}).content
    term_update(
        term=term, start=timezone.localdate(), length_years=5, number=term.number
    )
    assert term.union.name_en.encode() not in client.get(url, {"status": "due"}).content


def test_a_stale_term_form_is_refused_and_nothing_changes(client_for, admin_user, term):
    # Two administrators open the edit form; the first saves, then the second.
    drawn_from = term.version
    first = client_for(admin_user).post(
        reverse("unions:term_edit", args=[term.pk]),
        _term_data(number=2, version=drawn_from),
    )
    assert first.status_code == 302
    term.refresh_from_db()
    saved = (term.number, term.start, term.length_years, term.version)
    assert saved[0] == 2
    assert term.version == drawn_from + 1
    second = client_for(admin_user).post(
        reverse("unions:term_edit", args=[term.pk]),
        _term_data(number=4, length_years=5, version=drawn_from),
    )
    assert second.status_code == 200
    assert b"Someone else saved this term" in second.content
    term.refresh_from_db()
    assert (term.number, term.start, term.length_years, term.version) == saved


def test_a_term_form_without_its_version_is_refused(client_for, admin_user, term):
    before = (term.number, term.version)
    response = client_for(admin_user).post(
        reverse("unions:term_edit", args=[term.pk]), _term_data(number=2)
    )
    assert response.status_code == 200
    assert b"Someone else saved this term" in response.content
    term.refresh_from_db()
    assert (term.number, term.version) == before


def test_the_term_form_carries_the_terms_version(client_for, admin_user, term):
    response = client_for(admin_user).get(reverse("unions:term_edit", args=[term.pk]))
    assert f'name="version" value="{term.version}"' in response.content.decode()
