"""One set of date bounds for forms, imports and the API (unionportal/dates.py):
never a server error, the same refusal everywhere, and nothing written."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from planning.models import ActivityEvent
from tests.unions.test_import import parse, workbook_bytes
from unionportal import dates
from unions import services as union_services
from unions.models import OfficeTerm


def test_bounds_refuse_before_1949_and_beyond_ten_years():
    dates.any_date(date(1949, 1, 1))
    dates.any_date(timezone.localdate() + timedelta(days=365 * 9))
    with pytest.raises(ValidationError, match="on or after"):
        dates.any_date(date(1, 1, 1))
    with pytest.raises(ValidationError, match="no later than"):
        dates.any_date(date(9999, 12, 31))


def test_a_term_start_is_not_in_the_future():
    dates.past_date(timezone.localdate())
    with pytest.raises(ValidationError, match="cannot be in the future"):
        dates.past_date(timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="on or after"):
        dates.past_date(date(1850, 1, 1))


# --- forms ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["9999-12-31", "1850-01-01", "2035-01-01"])
def test_term_form_refuses_a_start_out_of_bounds_without_500(
    client_for, admin_user, grassroots, start
):
    response = client_for(admin_user).post(
        reverse("unions:term_create", args=[grassroots.pk]),
        {"number": 1, "start": start, "length_years": 5},
    )
    assert response.status_code == 200
    assert "start" in response.context["form"].errors
    assert not OfficeTerm.objects.filter(union=grassroots).exists()


def test_term_form_accepts_a_start_in_bounds(client_for, admin_user, grassroots):
    response = client_for(admin_user).post(
        reverse("unions:term_create", args=[grassroots.pk]),
        {"number": 1, "start": "2023-03-01", "length_years": 5},
    )
    assert response.status_code == 302
    assert OfficeTerm.objects.get(union=grassroots).start == date(2023, 3, 1)


def test_the_term_service_refuses_9999_with_a_message(grassroots):
    with pytest.raises(ValidationError) as caught:
        union_services.term_open(
            union=grassroots, start=date(9999, 12, 31), length_years=5
        )
    assert "start" in caught.value.message_dict
    assert not OfficeTerm.objects.filter(union=grassroots).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_event_form_refuses_dates_out_of_bounds(
    client_for, cadre_grass, grassroots, day
):
    response = client_for(cadre_grass).post(
        reverse("planning:event_create"),
        {
            "kind": "activity",
            "union": grassroots.pk,
            "date": day,
            "title": "Skills contest",
            "participants": "40",
            "trainees": "0",
        },
    )
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert not ActivityEvent.objects.exists()


# --- import ---------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["1850-01-01", "2035-01-01"])
def test_union_import_refuses_a_term_start_out_of_bounds(
    admin_user, subdistrict, start
):
    content = workbook_bytes(
        [["IM-1", "好工会", "", "enterprise", subdistrict.code, 10, 1, start, 5]]
    )
    preview = parse(content, admin_user)
    errors = " ".join(e for row in preview.error_rows for e in row.errors)
    assert "Term start" in errors
