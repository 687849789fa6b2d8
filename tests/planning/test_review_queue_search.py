"""The review queue finds reports by the reporting union's name and sorts by its
columns."""

import pytest
from django.urls import reverse

from tests.planning.factories import PlanItemFactory, ProjectFactory, ReportFactory
from tests.unions.factories import grassroots_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(district, subdistrict, grassroots, cadre_sub):
    grassroots.name_zh = "湖光纺织厂工会"
    grassroots.save()
    other = grassroots_factory(subdistrict, code="TD-N-9", name_zh="东湖社区工会")
    item = PlanItemFactory(plan__owner=district)
    reports = {}
    for union, title in ((grassroots, "职工培训"), (other, "普惠服务")):
        project = ProjectFactory(item=item, owner=union, title=title)
        reports[union.code] = ReportFactory(
            project=project, union=union, status="submitted"
        )
    return reports


def _codes(response):
    return [r.union.code for r in response.context["page"].object_list]


def test_searching_by_union_name_finds_its_reports(client_for, cadre_sub, queue):
    response = client_for(cadre_sub).get(
        reverse("planning:review_queue"), {"q": "湖光"}
    )
    assert response.status_code == 200
    assert _codes(response) == ["TD-N-1"]


def test_searching_by_code_still_works(client_for, cadre_sub, queue):
    response = client_for(cadre_sub).get(
        reverse("planning:review_queue"), {"q": "td-n-9"}
    )
    assert _codes(response) == ["TD-N-9"]


@pytest.mark.parametrize(("sort", "first"), [("unit", "TD-N-1"), ("-unit", "TD-N-9")])
def test_the_queue_sorts_by_unit(client_for, cadre_sub, queue, sort, first):
    response = client_for(cadre_sub).get(
        reverse("planning:review_queue"), {"sort": sort}
    )
    assert _codes(response)[0] == first
    assert 'data-sort="' in response.content.decode()


def test_an_unknown_sort_is_ignored(client_for, cadre_sub, queue):
    response = client_for(cadre_sub).get(
        reverse("planning:review_queue"), {"sort": "password"}
    )
    assert response.status_code == 200
    assert len(_codes(response)) == 2
