"""Pages cost the same number of queries for 10 unions as for 200."""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.unions.factories import grassroots_factory, officer_factory, term_factory
from unions.models import Position
from unions.workflow import term_change_plan

MAX_QUERIES = 20


def _grow(subdistrict, admin_user, count):
    """``count`` grassroots unions with a term, officers, and some changes."""
    today = timezone.localdate()
    for index in range(count):
        union = grassroots_factory(subdistrict)
        term = term_factory(
            union, planned_end=today + timedelta(days=(index * 37) % 900 - 60)
        )
        if index < 30:
            officer_factory(term, role=Position.Role.CHAIR)
        if index % 5 == 0:
            term_change_plan(union=union, by=admin_user, day=today)


def _count(client, url, assert_max_queries=None):
    if assert_max_queries is None:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    else:
        with assert_max_queries(MAX_QUERIES) as queries:
            response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


PAGES = {
    "union_list": lambda sub: reverse("unions:union_list"),
    "union_list_filtered": lambda sub: (
        reverse("unions:union_list") + f"?parent={sub.pk}&sort=-members"
    ),
    "union_detail": lambda sub: reverse("unions:union_detail", args=[sub.pk]),
    "term_dashboard": lambda sub: reverse("unions:term_dashboard"),
    "term_list": lambda sub: reverse("unions:term_list") + "?status=due",
    "change_list": lambda sub: reverse("unions:change_list"),
}


def _counts(client, urls, assert_max_queries):
    """Each page's queries when it is computed (empty cache) and when its cached
    parts are served (a second request)."""
    cache.clear()
    cold = {page: _count(client, url, assert_max_queries) for page, url in urls.items()}
    warm = {page: _count(client, url, assert_max_queries) for page, url in urls.items()}
    return cold, warm


def test_pages_cost_the_same_queries_for_10_and_200_unions(
    client_for, admin_user, subdistrict, django_assert_max_num_queries
):
    # One tree for every page: building 200 unions is the slow part of this test.
    client = client_for(admin_user)
    urls = {page: url(subdistrict) for page, url in PAGES.items()}
    _grow(subdistrict, admin_user, 10)
    client.get(urls["union_list"])  # warm the session
    small_cold, small_warm = _counts(client, urls, django_assert_max_num_queries)
    _grow(subdistrict, admin_user, 190)
    large_cold, large_warm = _counts(client, urls, django_assert_max_num_queries)
    assert small_cold == large_cold
    assert small_warm == large_warm


def test_cached_lists_and_dashboard_cost_a_few_queries(
    client_for, admin_user, subdistrict
):
    client = client_for(admin_user)
    _grow(subdistrict, admin_user, 12)
    for name in ("union_list", "term_dashboard", "term_list"):
        url = PAGES[name](subdistrict)
        cold = _count(client, url)
        # Session, user, the data version and the filter's choices: the rows,
        # their count, the figures and the bell's count come from the cache.
        assert _count(client, url) <= 4 < cold


def test_union_detail_queries_do_not_grow_with_its_officers(
    client_for, admin_user, grassroots, django_assert_num_queries
):
    term = term_factory(grassroots)
    officer_factory(term, role=Position.Role.CHAIR)
    client = client_for(admin_user)
    url = grassroots.get_absolute_url()
    client.get(url)
    small = _count(client, url)
    for _ in range(12):
        officer_factory(term)
    with django_assert_num_queries(small):
        client.get(url)
