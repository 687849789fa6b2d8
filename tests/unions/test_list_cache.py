"""The union list's content (header, filter bar, rows) is kept under the unions'
and terms' latest change: a change shows on the next request, and one reader's
page (their scope, their buttons) is never served to another."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.unions.factories import grassroots_factory
from unions.services import union_update

pytestmark = pytest.mark.django_db

URL = reverse("unions:union_list")


def _get(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def _bar(html):
    return html.split('data-testid="union-filter"')[1].split("</form>")[0]


def _rows(html):
    return html.split('id="union-rows"')[1]


def test_a_warm_page_reads_no_unions(client_for, admin_user, grassroots):
    client = client_for(admin_user)
    first = _get(client)
    with CaptureQueriesContext(connection) as warm:
        again = _get(client)
    sql = [q["sql"] for q in warm.captured_queries]
    # Neither the higher unions of the filter bar nor the rows and their count.
    assert not any(q.startswith('SELECT "unions_union"."id"') for q in sql)
    assert not any(q.startswith("SELECT COUNT(*)") for q in sql)
    for html in (first, again):
        assert "North Sub-district" in _bar(html)
        assert "North Factory Union" in _rows(html)


def test_a_renamed_union_shows_in_the_bar_and_the_rows_next_request(
    client_for, admin_user, subdistrict, grassroots
):
    client = client_for(admin_user)
    _get(client)
    union_update(union=subdistrict, name_en="Renamed Sub-district")
    html = _get(client)
    assert "Renamed Sub-district" in _bar(html)
    assert "Renamed Sub-district" in _rows(html)
    assert "North Sub-district" not in html


def test_a_new_union_shows_on_the_next_request(client_for, admin_user, subdistrict):
    client = client_for(admin_user)
    assert "Just Founded Union" not in _get(client)
    grassroots_factory(subdistrict, name_en="Just Founded Union", code="TD-N-9")
    assert "Just Founded Union" in _rows(_get(client))


def test_the_page_is_kept_per_reader(
    client_for, admin_user, cadre_sub, grassroots, other_grassroots
):
    new_union = reverse("unions:union_create")
    admin_page = _get(client_for(admin_user))
    assert new_union in admin_page
    assert "South" in _rows(admin_page)
    # A sub-district's cadre: no administrator's buttons, their own scope only.
    cadre_page = _get(client_for(cadre_sub))
    assert new_union not in cadre_page
    assert "North Factory Union" in _rows(cadre_page)
    assert "South" not in _rows(cadre_page)
    assert new_union in _get(client_for(admin_user))


def test_the_filter_bar_asks_for_the_rows_alone(client_for, admin_user, grassroots):
    client = client_for(admin_user)
    page = _get(client, "?q=North")
    rows = client.get(URL + "?q=North", headers={"HX-Request": "true"})
    assert rows.status_code == 200
    html = rows.content.decode()
    assert 'data-testid="union-filter"' not in html
    assert "<html" not in html
    assert "North Factory Union" in html
    assert html.strip() in page
