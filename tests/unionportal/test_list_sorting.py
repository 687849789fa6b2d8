"""Every list sorts by its columns (a whitelist, in a constant number of queries)
and searches by union name or code; the sort survives paging and filtering."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.planning.factories import PlanItemFactory, ProjectFactory, WorkPlanFactory
from tests.unions.factories import grassroots_factory, term_factory
from unions.models import TermChange
from unions.workflow import term_change_plan

PROJECTS = reverse("planning:project_list")
CHANGES = reverse("unions:change_list")
USERS = reverse("accounts:user_list")
AUDIT = reverse("accounts:audit_list")
REPORTS = reverse("assessments:report_list")
PROGRESS = reverse("planning:progress_home")


def _rows(response):
    return list(response.context["page"].object_list)


def _projects(district, subdistrict, grassroots, n):
    plan = WorkPlanFactory(owner=district)
    return [
        ProjectFactory(
            item=PlanItemFactory(plan=plan),
            owner=(subdistrict, grassroots)[i % 2],
            title=f"{chr(ord('A') + (i * 7) % 26)} project {i}",
            percent_complete=(i * 37) % 100,
        )
        for i in range(n)
    ]


# --- sorting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("title", lambda p: p.title),
        ("-title", lambda p: p.title),
        ("progress", lambda p: p.percent_complete),
        ("-progress", lambda p: p.percent_complete),
        ("owner", lambda p: p.owner.code),
    ],
)
def test_project_list_sorts_by_a_column_both_ways(
    client_for, admin_user, district, subdistrict, grassroots, sort, key
):
    _projects(district, subdistrict, grassroots, 6)
    response = client_for(admin_user).get(PROJECTS, {"sort": sort})
    rows = _rows(response)
    assert len(rows) == 6
    assert [key(p) for p in rows] == sorted(
        (key(p) for p in rows), reverse=sort.startswith("-")
    )
    assert response.context["sort"] == sort
    # The header of the sorted column shows the order, and clicking it reverses.
    html = response.content.decode()
    flipped = sort[1:] if sort.startswith("-") else f"-{sort}"
    assert f"sort={flipped}" in html
    assert 'data-sort="ascending"' in html or 'data-sort="descending"' in html


def test_an_unknown_sort_is_ignored_not_an_error(
    client_for, admin_user, district, subdistrict, grassroots
):
    _projects(district, subdistrict, grassroots, 3)
    client = client_for(admin_user)
    for bad in ("password", "-owner__password", "owner__code", "'; drop", "--title"):
        response = client.get(PROJECTS, {"sort": bad})
        assert response.status_code == 200
        assert response.context["sort"] == ""
        assert len(_rows(response)) == 3


def test_sort_and_filters_survive_paging(
    client_for, admin_user, district, subdistrict, grassroots
):
    _projects(district, subdistrict, grassroots, 30)
    response = client_for(admin_user).get(PROJECTS, {"sort": "-title", "q": "project"})
    html = response.content.decode()
    links = re.findall(r'href="\?([^"]*page=2[^"]*)"', html)
    assert links
    assert all("sort=-title" in link and "q=project" in link for link in links)
    # And the headers keep the search but start again at page 1.
    page2 = client_for(admin_user).get(
        PROJECTS, {"sort": "-title", "q": "project", "page": 2}
    )
    headers = re.findall(
        r'class="sort-link[^"]*" href="\?([^"]*)"', page2.content.decode()
    )
    assert headers
    assert all("q=project" in h and "page=" not in h for h in headers)
    first, second = _rows(response), _rows(page2)
    titles = [p.title for p in first + second]
    assert titles == sorted(titles, reverse=True)


@pytest.mark.parametrize("sort", ["union", "-code", "election", "state", "-updated"])
def test_changes_of_term_sort(client_for, admin_user, subdistrict, sort):
    today = timezone.localdate()
    for i in range(3):
        union = grassroots_factory(
            subdistrict, name_en=f"Union {'CBA'[i]}", code=f"X-{i}"
        )
        term_factory(union)
        term_change_plan(union=union, by=admin_user, day=today)
    response = client_for(admin_user).get(CHANGES, {"sort": sort})
    assert response.status_code == 200
    assert response.context["sort"] == sort
    rows = _rows(response)
    assert len(rows) == 3
    if sort == "union":
        assert [c.union.name_en for c in rows] == ["Union A", "Union B", "Union C"]
    if sort == "-code":
        assert [c.union.code for c in rows] == ["X-2", "X-1", "X-0"]


@pytest.mark.parametrize("sort", ["username", "-name", "union", "active"])
def test_user_list_sorts(client_for, admin_user, subdistrict, grassroots, sort):
    UserFactory(username="zz_last", union=grassroots, last_name="Aaa")
    UserFactory(username="aa_first", union=subdistrict, last_name="Zzz")
    response = client_for(admin_user).get(USERS, {"sort": sort})
    rows = _rows(response)
    assert response.context["sort"] == sort
    if sort == "username":
        assert [u.username for u in rows] == sorted(u.username for u in rows)
    if sort == "-name":
        assert [u.last_name for u in rows] == sorted(
            (u.last_name for u in rows), reverse=True
        )
    if sort == "union":
        assert [u.union.code for u in rows] == sorted(u.union.code for u in rows)


def test_audit_log_sorts_and_searches_by_union(
    client_for, admin_user, cadre_grass, outsider, grassroots
):
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, user=cadre_grass, username=cadre_grass.username
    )
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGOUT, user=outsider, username=outsider.username
    )
    client = client_for(admin_user)
    by_kind = _rows(client.get(AUDIT, {"sort": "kind"}))
    assert [e.kind for e in by_kind] == sorted(e.kind for e in by_kind)
    found = _rows(client.get(AUDIT, {"q": grassroots.code}))
    assert {e.username for e in found} == {cadre_grass.username}
    found = _rows(client.get(AUDIT, {"q": "South Hospital"}))
    assert {e.username for e in found} == {outsider.username}


def test_users_are_found_by_union_code(client_for, admin_user, grassroots, cadre_grass):
    UserFactory(username="someone_else", union=admin_user.union)
    rows = _rows(client_for(admin_user).get(USERS, {"q": grassroots.code}))
    assert [u.username for u in rows] == [cadre_grass.username]


def test_changes_of_term_are_found_by_union_name_or_code(
    client_for, admin_user, grassroots, other_grassroots
):
    today = timezone.localdate()
    for union in (grassroots, other_grassroots):
        term_factory(union)
        term_change_plan(union=union, by=admin_user, day=today)
    client = client_for(admin_user)
    assert [c.union for c in _rows(client.get(CHANGES, {"q": "North Factory"}))] == [
        grassroots
    ]
    assert [c.union for c in _rows(client.get(CHANGES, {"q": "td-s-1"}))] == [
        other_grassroots
    ]
    # The union filter keeps a subtree; a union out of scope or junk is no filter.
    rows = _rows(client.get(CHANGES, {"union": other_grassroots.parent_id}))
    assert [c.union for c in rows] == [other_grassroots]
    for junk in ("abc", "99999999", "1" * 40):
        assert len(_rows(client.get(CHANGES, {"union": junk}))) == 2


def test_sent_reports_sort_on_the_progress_home(
    client_for, cadre_grass, district, grassroots
):
    from tests.planning.factories import ReportFactory, past_period

    project = ProjectFactory(
        item=PlanItemFactory(plan=WorkPlanFactory(owner=district)), owner=grassroots
    )
    for months in (1, 2, 3):
        period = past_period(project, months)
        ReportFactory(
            project=project,
            period_start=period.start,
            period_end=period.end,
            deadline=period.deadline,
        )
    client = client_for(cadre_grass)
    oldest_first = _rows(client.get(PROGRESS, {"sort": "period"}))
    starts = [r.period_start for r in oldest_first]
    assert len(starts) == 3
    assert starts == sorted(starts)
    newest_first = _rows(client.get(PROGRESS, {"sort": "-period"}))
    assert [r.period_start for r in newest_first] == sorted(starts, reverse=True)


# --- constant query counts, two sizes ---------------------------------------------------


def _warm(client, url, params):
    client.get(url, params)


@pytest.mark.parametrize("size", [2, 12])
def test_project_list_sorted_queries_do_not_grow(
    client_for,
    admin_user,
    district,
    subdistrict,
    grassroots,
    django_assert_num_queries,
    size,
):
    _projects(district, subdistrict, grassroots, size)
    client = client_for(admin_user)
    params = {"sort": "-owner", "q": "project"}
    _warm(client, PROJECTS, params)
    with django_assert_num_queries(PROJECT_QUERIES):
        assert client.get(PROJECTS, params).status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_change_list_sorted_queries_do_not_grow(
    client_for, admin_user, subdistrict, django_assert_num_queries, size
):
    today = timezone.localdate()
    for i in range(size):
        union = grassroots_factory(subdistrict, code=f"Q-{i}")
        term_factory(union)
        term_change_plan(union=union, by=admin_user, day=today)
    assert TermChange.objects.count() == size
    client = client_for(admin_user)
    params = {"sort": "union", "q": "Q-", "union": subdistrict.pk}
    _warm(client, CHANGES, params)
    with django_assert_num_queries(CHANGE_QUERIES):
        assert client.get(CHANGES, params).status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_user_and_audit_lists_sorted_queries_do_not_grow(
    client_for, admin_user, grassroots, django_assert_num_queries, size
):
    for _i in range(size):
        user = UserFactory(union=grassroots)
        AuditEvent.objects.create(
            kind=AuditEvent.Kind.LOGIN, user=user, username=user.username
        )
    client = client_for(admin_user)
    _warm(client, USERS, {"sort": "union"})
    with django_assert_num_queries(USER_QUERIES):
        assert client.get(USERS, {"sort": "union", "q": "TD"}).status_code == 200
    with django_assert_num_queries(AUDIT_QUERIES):
        assert client.get(AUDIT, {"sort": "-user", "q": "TD-N"}).status_code == 200


# Session and user, the page's own reads (the bell's count is kept); the same
# at every size. The project list keeps its rows and filter bar under the data
# versions: the user and the two versions.
PROJECT_QUERIES = 3
CHANGE_QUERIES = 5
USER_QUERIES = 3
AUDIT_QUERIES = 2


@pytest.mark.parametrize(
    "url",
    [PROJECTS, CHANGES, USERS, AUDIT, REPORTS, reverse("planning:review_queue")],
)
def test_a_doubled_sign_or_a_stray_field_never_breaks_a_list(
    client_for, admin_user, reviewer, url
):
    user = reviewer if "review" in url else admin_user
    client = client_for(user)
    for bad in ("--unit", "--title", "-", "", "pk", "-password"):
        response = client.get(url, {"sort": bad})
        assert response.status_code == 200
        assert response.context["sort"] == ""
