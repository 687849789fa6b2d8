"""The capped paginator: pages read before counting, counts that stop at the cap."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.unions.factories import grassroots_factory
from unionportal.pagination import CappedPaginator, CountAtLeast, capped_count
from unions.models import Union


@pytest.fixture
def unions(subdistrict):
    """The district, the sub-district and 10 grassroots unions: 12 rows."""
    for n in range(10):
        grassroots_factory(subdistrict, code=f"TD-N-{n:02d}")
    return Union.objects.order_by("code", "pk")


def _queries(action):
    with CaptureQueriesContext(connection) as ctx:
        result = action()
    return result, len(ctx)


def test_a_list_that_fits_on_its_first_page_is_not_counted(unions):
    paginator = CappedPaginator(unions, 25, cap=5)
    page, queries = _queries(lambda: paginator.get_page(1))
    assert queries == 1
    assert (paginator.count, paginator.count_is_capped) == (12, False)
    assert (page.start_index(), page.end_index(), page.has_next()) == (1, 12, False)


def test_past_the_cap_the_count_says_more(unions):
    paginator = CappedPaginator(unions, 4, cap=5)
    page = paginator.get_page(1)
    (count, capped), queries = _queries(
        lambda: (paginator.count, paginator.count_is_capped)
    )
    assert (count, capped, queries) == (5, True, 1)
    assert page.has_next()
    assert list(page.object_list) == list(unions[:4])


def test_below_the_cap_the_count_is_exact(unions):
    paginator = CappedPaginator(unions, 4, cap=50)
    paginator.get_page(1)
    assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (
        12,
        False,
        3,
    )


def test_pages_past_the_cap_are_read_one_after_the_other(unions):
    paginator = CappedPaginator(unions, 4, cap=5)
    third = paginator.page(3)
    assert list(third.object_list) == list(unions[8:12])
    assert (third.has_next(), third.has_previous()) == (False, True)
    assert (third.start_index(), third.end_index()) == (9, 12)
    # Reading the last page showed where the list ends: the count is exact.
    assert (paginator.count, paginator.count_is_capped) == (12, False)


def test_a_page_past_the_end_is_empty_and_get_page_falls_back(unions):
    paginator = CappedPaginator(unions, 4, cap=5)
    with pytest.raises(EmptyPage):
        paginator.page(9)
    page = CappedPaginator(unions, 4, cap=5).get_page(9)
    assert page.number == 2
    assert list(page.object_list) == list(unions[4:8])


def test_bad_page_numbers_fall_back_to_the_first_page(unions):
    paginator = CappedPaginator(unions, 4, cap=5)
    assert paginator.get_page("x").number == 1
    assert paginator.get_page("0").number == 2  # Django: below 1 means the last


def test_an_empty_list_has_one_empty_page(db):
    page = CappedPaginator(Union.objects.order_by("pk"), 4).get_page(1)
    assert (page.paginator.count, page.start_index(), page.end_index()) == (0, 0, 0)
    assert not page.has_other_pages()


def test_capped_count_reads_200_plus(unions):
    assert capped_count(unions, cap=50) == 12
    past = capped_count(unions, cap=5)
    assert isinstance(past, CountAtLeast)
    assert (past, str(past)) == (5, "5+")


@pytest.mark.parametrize("url", ["/projects/", "/activities/", "/progress/review/"])
def test_a_huge_page_number_shows_the_last_page(client_for, reviewer, url):
    response = client_for(reviewer).get(url, {"page": "9223372036854775807"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/unions/",
        "/api/v1/projects/",
        "/api/v1/progress-reports/",
        "/api/v1/activity-events/",
        "/api/v1/scores/",
    ],
)
def test_a_huge_page_number_in_the_api_is_a_json_404(client_for, admin_user, url):
    response = client_for(admin_user).get(url, {"page": "9223372036854775807"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
