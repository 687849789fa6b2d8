"""``__in_ids``: the same rows as ``__in``, with one parameter for the whole list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.unions.factories import UnionFactory
from unions.models import Union


@pytest.fixture
def unions(db):
    return [UnionFactory() for _n in range(5)]


def test_matches_the_same_rows_as_in(unions):
    wanted = [unions[0].pk, unions[3].pk, unions[4].pk]
    assert set(Union.objects.filter(pk__in_ids=wanted)) == set(
        Union.objects.filter(pk__in=wanted)
    )


def test_works_on_foreign_keys(unions):
    child = UnionFactory(parent=unions[1])
    UnionFactory(parent=unions[2])
    assert list(Union.objects.filter(parent_id__in_ids=[unions[1].pk])) == [child]
    assert list(Union.objects.filter(parent__in_ids=[unions[1].pk])) == [child]


def test_an_empty_list_matches_nothing(unions):
    assert not Union.objects.filter(pk__in_ids=[]).exists()


def test_sends_one_parameter_however_long_the_list(unions):
    ids = [u.pk for u in unions] + list(range(10_000_000, 10_005_000))
    with CaptureQueriesContext(connection) as queries:
        found = Union.objects.filter(pk__in_ids=ids).count()
    assert found == len(unions)
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert "json_each" in sql


def test_refuses_what_is_not_an_id(unions):
    with pytest.raises(ValueError, match="invalid literal for int"):
        list(Union.objects.filter(pk__in_ids=["1; DROP TABLE unions_union"]))
