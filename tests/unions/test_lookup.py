"""The union type-ahead: any union in the reader's scope by name or code, at most
LOOKUP_LIMIT, in two queries; every union picker carries it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.unions.factories import grassroots_factory, term_factory
from unionportal.search import LOOKUP_LIMIT
from unions.workflow import term_change_plan

LOOKUP = reverse("unions:union_lookup")


def _found(client, **params):
    response = client.get(LOOKUP, params)
    assert response.status_code == 200
    return response.json()["results"]


def test_finds_a_union_by_name_or_code_with_its_code_in_the_label(
    client_for, reviewer, grassroots
):
    client = client_for(reviewer)
    by_name = _found(client, q="factory")
    assert by_name == [{"id": grassroots.pk, "label": "North Factory Union (TD-N-1)"}]
    assert _found(client, q="td-n-1") == by_name
    assert _found(client, q=grassroots.name_zh) == by_name


def test_only_unions_in_scope(client_for, outsider, grassroots, other_grassroots):
    client = client_for(outsider)
    assert _found(client, q="North") == []
    assert [r["id"] for r in _found(client, q="")] == [other_grassroots.pk]


@pytest.mark.parametrize("size", [3, LOOKUP_LIMIT + 5])
def test_at_most_the_limit_and_constant_queries(
    client_for, admin_user, subdistrict, django_assert_num_queries, size
):
    for i in range(size):
        grassroots_factory(subdistrict, name_en=f"Many {i}", code=f"M-{i:03d}")
    client = client_for(admin_user)
    client.get(LOOKUP)
    with django_assert_num_queries(2):  # the session's user, the unions
        results = _found(client, q="many")
    assert len(results) == min(size, LOOKUP_LIMIT)


def test_the_change_of_term_picker_offers_only_unions_without_a_change(
    client_for, admin_user, grassroots, grassroots_sibling
):
    term_factory(grassroots)
    term_change_plan(union=grassroots, by=admin_user, day=timezone.localdate())
    found = {
        r["id"] for r in _found(client_for(admin_user), q="North", **{"for": "change"})
    }
    assert grassroots.pk not in found
    assert grassroots_sibling.pk in found


def test_a_cadre_changes_only_their_own_union(client_for, cadre_sub, subdistrict):
    found = _found(client_for(cadre_sub), **{"for": "change"})
    assert [r["id"] for r in found] == [subdistrict.pk]


def test_unknown_purpose_is_refused_and_sign_in_needed(client, client_for, reviewer):
    assert client.get(LOOKUP).status_code == 302
    response = client_for(reviewer).get(LOOKUP, {"for": "password"})
    assert response.status_code == 400
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    ("url", "marker"),
    [
        (
            reverse("unions:change_create"),
            'data-union-search="/unions/lookup/?for=change"',
        ),
        (reverse("unions:change_list"), 'data-union-search="/unions/lookup/"'),
        (
            reverse("unions:union_list"),
            'data-union-search="/unions/lookup/?for=higher"',
        ),
        (reverse("planning:project_list"), 'data-union-search="/unions/lookup/"'),
        (
            reverse("unions:union_create"),
            'data-union-search="/unions/lookup/?for=parent"',
        ),
        (
            reverse("planning:event_create"),
            'data-union-search="/unions/lookup/?for=active"',
        ),
        (
            reverse("accounts:user_create"),
            'data-union-search="/unions/lookup/?for=active"',
        ),
    ],
)
def test_every_union_picker_is_a_type_ahead(
    client_for, admin_user, grassroots, url, marker
):
    term_factory(grassroots)
    html = client_for(admin_user).get(url).content.decode()
    assert marker in html
    assert 'data-union-search-placeholder="' in html


def test_the_change_of_term_picker_shows_name_and_code(
    client_for, admin_user, grassroots
):
    html = client_for(admin_user).get(reverse("unions:change_create")).content.decode()
    assert "North Factory Union (TD-N-1)" in html
