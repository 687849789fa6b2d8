"""Issue 16: every number on the leader's dashboard is a door to the list it
counts. The demo district is walked in both languages: each figure's link opens
a list that shows exactly that many rows."""

import re

import pytest
from django.test import Client
from django.utils import translation

DOOR = re.compile(r'<a data-door[^>]*?data-count="(\d+)"[^>]*?href="([^"]+)"')
LIST_COUNT = re.compile(r'data-list-count="(\d+)"')


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


@pytest.fixture
def demo(db):
    from unionportal.demo import seed_demo

    return seed_demo()


def _client(username, language):
    from accounts.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(
        User.objects.get(username=username),
        backend="accounts.backends.UnionModelBackend",
    )
    return client


def walk(client, path):
    """The (count, href, rows the list shows) of every door on a page."""
    page = client.get(path)
    assert page.status_code == 200, path
    html = page.content.decode()
    found = []
    for count, href in DOOR.findall(html):
        href = href.replace("&amp;", "&")
        response = client.get(href)
        assert response.status_code == 200, href
        shown = LIST_COUNT.search(response.content.decode())
        assert shown, f"{href} shows no count"
        found.append((int(count), href, int(shown.group(1))))
    return found


def test_every_number_on_the_demo_dashboard_opens_that_many_rows(demo):
    """The demo is seeded once (it takes a while) and read in both languages."""
    for language in ("zh-hans", "en"):
        doors = walk(_client("leader", language), "/dashboard/")
        # who is late (the district level and 8 sub-districts, five figures
        # each), the units assessed, the grades, the category and key-work bars.
        assert len(doors) >= 9 * 5 + 1 + 4, language
        assert [d for d in doors if d[0] != d[2]] == [], language
        assert sum(d[0] for d in doors) > 0
        kinds = {href.split("?")[0] for _count, href, _shown in doors}
        assert {"/progress/late/", "/projects/", "/terms/list/"} <= kinds
        assert any("started_by=" in href for _c, href, _s in doors)  # key work


def test_every_number_on_the_plan_cards_opens_that_many_rows(demo):
    for language in ("zh-hans", "en"):
        for username in ("leader", "cadre_sub"):
            doors = walk(_client(username, language), "/plans/")
            assert len(doors) >= 4, username
            assert [d for d in doors if d[0] != d[2]] == [], (username, language)
            assert any(d[0] and "status=delayed" in d[1] for d in doors)


def test_the_scorecard_facts_open_the_reports_behind_them(demo):
    """ "应报 11 份，按时报送 10 份": each figure opens the reports it counts."""
    from assessments.models import QuarterReportRow

    row = (
        QuarterReportRow.objects.filter(
            report__status="done", report__period__status="published"
        )
        .exclude(report__period__kind="year")
        .select_related("report")
        .order_by("-report__period__end", "unit__code")
        .first()
    )
    from django.urls import reverse

    path = (
        reverse("assessments:unit_scorecard", args=[row.unit_id])
        + f"?period={row.report.period_id}"
    )
    for language in ("zh-hans", "en"):
        doors = walk(_client("leader", language), path)
        # The table and its phone layout each show them: two distinct doors.
        due = sorted({d for d in doors if "/progress/due/" in d[1]})
        assert len(due) == 2, language
        (on_time,) = [d for d in due if "on_time=yes" in d[1]]
        (owed,) = [d for d in due if "on_time" not in d[1]]
        assert owed[0] >= on_time[0] > 0
        assert [d for d in due if d[0] != d[2]] == [], language


def test_every_scorecard_fact_opens_what_it_counts(demo):
    """Key-work completion ("8 projects due") and events held open the projects
    and events the engine counted, for every unit of the latest published
    quarter, in both languages; the figure is the one the report stored."""
    from django.urls import reverse

    from assessments.models import QuarterReportRow

    rows = list(
        QuarterReportRow.objects.filter(
            report__status="done", report__period__status="published"
        )
        .exclude(report__period__kind="year")
        .select_related("report")
        .order_by("-report__period__end", "unit__code")
    )
    latest = rows[0].report_id
    kinds = set()
    for language in ("zh-hans", "en"):
        client = _client("leader", language)
        for row in [r for r in rows if r.report_id == latest]:
            path = (
                reverse("assessments:unit_scorecard", args=[row.unit_id])
                + f"?period={row.report.period_id}"
            )
            doors = set(walk(client, path))
            assert [d for d in doors if d[0] != d[2]] == [], (language, row.unit_id)
            kinds |= {href.split("?")[0] for _c, href, _s in doors}
            stored = {
                item["how"]["key"]: item["how"]["params"]
                for item in row.indicators
                if item.get("how")
            }
            for count, href, _shown in doors:
                if "assessed=" in href:
                    assert count == stored["key_work"]["projects"]
                if "kind=activity" in href:
                    assert count == stored["activities"]["count"]
    assert {"/projects/", "/activities/", "/progress/due/"} <= kinds
