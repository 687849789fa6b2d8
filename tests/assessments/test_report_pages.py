"""The report page and the dashboard at scale: a page of rows at a time, filters,
orders, and figures cached under the report's build."""

import json
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments import selectors
from assessments.models import Period, QuarterReport, QuarterReportRow
from tests.unions.factories import grassroots_factory, subdistrict_factory

# Sub-districts created in another order than their codes: pages follow the codes.
GROUPS = (("S-C", 30), ("S-A", 40), ("S-B", 3))


def _snapshot(period, groups, *, finished_at=None, bonus=D("0")):
    """A finished report of ``groups`` ({sub-district union: [units]}), written as
    the report job writes it; unit n of a group ranks n + 1."""
    report, _created = QuarterReport.objects.update_or_create(
        period=period,
        defaults={
            "status": QuarterReport.Status.DONE,
            "files_status": "done",
            "finished_at": finished_at or timezone.now(),
        },
    )
    report.rows.all().delete()
    rows, peer_groups, totals = [], {}, []
    for sub, units in groups.items():
        for n, unit in enumerate(units):
            total = D("90") - n + bonus
            totals.append(total)
            rows.append(
                QuarterReportRow(
                    report=report,
                    unit=unit,
                    peer_group=f"u{sub.pk}",
                    peer_union=sub,
                    base=total,
                    bonus=D("0"),
                    deduction=D("0"),
                    total=total,
                    grade="excellent",
                    rank=n + 1,
                    previous_total=total + 1 if n % 2 else None,
                    change=D("-1") if n % 2 else None,
                    overdue_months=1 if n < 12 else 0,
                )
            )
        peer_groups[f"u{sub.pk}"] = {
            "union_id": sub.pk,
            "count": len(units),
            "average": str(D("90") - D(len(units) - 1) / 2 + bonus),
        }
    QuarterReportRow.objects.bulk_create(rows)
    report.summary = {
        "count": len(rows),
        "average": str(sum(totals) / len(totals)),
        "grades": {"excellent": len(rows)},
        "categories": [],
        "peer_groups": peer_groups,
        "key_work": {"units": 0, "average_percent": None},
        "overdue_units": sum(1 for row in rows if row.overdue_months),
    }
    report.unit_count = len(rows)
    report.save()
    return report


@pytest.fixture
def tree(district):
    groups = {}
    for code, count in GROUPS:
        sub = subdistrict_factory(district, code=code, name_en=f"Sub {code}")
        groups[sub] = [
            grassroots_factory(
                sub, code=f"{code}-{n:02d}", name_en=f"Unit {code}-{n:02d}"
            )
            for n in range(count)
        ]
    return groups


@pytest.fixture
def big_report(grassroots_period, tree):
    # Published: leaders see published results only on the dashboard (issue 16).
    grassroots_period.status = Period.Status.PUBLISHED
    grassroots_period.save()
    return _snapshot(grassroots_period, tree)


def _codes(response) -> list[str]:
    return re.findall(r">Unit (S-[A-C]-\d\d)<", response.content.decode())


def _by_code(tree, code):
    return next(sub for sub in tree if sub.code == code)


# --- the report page -------------------------------------------------------------------


def test_report_page_shows_fifty_rows_by_sub_district_code_and_rank(
    client_for, leader, big_report
):
    client = client_for(leader)
    url = reverse("assessments:report_detail", args=[big_report.pk])
    first = _codes(client.get(url))
    assert first == (
        [f"S-A-{n:02d}" for n in range(40)]
        + [f"S-B-{n:02d}" for n in range(3)]
        + [f"S-C-{n:02d}" for n in range(7)]
    )
    second = _codes(client.get(url, {"page": 2}))
    assert second == [f"S-C-{n:02d}" for n in range(7, 30)]


def test_report_page_filters_by_sub_district(client_for, leader, big_report, tree):
    sub = _by_code(tree, "S-C")
    response = client_for(leader).get(
        reverse("assessments:report_detail", args=[big_report.pk]),
        {"group": f"u{sub.pk}"},
    )
    assert _codes(response) == [f"S-C-{n:02d}" for n in range(30)]
    assert b"30 units" in response.content
    assert f'<option value="u{sub.pk}" selected>'.encode() in response.content


def test_report_page_ignores_an_unknown_sub_district(client_for, leader, big_report):
    response = client_for(leader).get(
        reverse("assessments:report_detail", args=[big_report.pk]), {"group": "u0"}
    )
    assert len(_codes(response)) == 50


@pytest.mark.parametrize("query", ["S-B-01", "unit s-b-01"])
def test_report_page_finds_a_unit_by_name_or_code(
    client_for, leader, big_report, query
):
    response = client_for(leader).get(
        reverse("assessments:report_detail", args=[big_report.pk]), {"q": query}
    )
    assert _codes(response) == ["S-B-01"]


def test_report_page_with_nothing_found_says_so(client_for, leader, big_report):
    response = client_for(leader).get(
        reverse("assessments:report_detail", args=[big_report.pk]), {"q": "nobody"}
    )
    assert b"No units found" in response.content


def test_report_page_sorts_by_a_whitelisted_column_only(client_for, leader, big_report):
    client = client_for(leader)
    url = reverse("assessments:report_detail", args=[big_report.pk])
    ascending = _codes(client.get(url, {"sort": "total"}))
    assert ascending[0] == "S-A-39"  # the lowest total
    falls = _codes(client.get(url, {"sort": "change"}))
    assert all(int(code[-2:]) % 2 for code in falls[:20])  # the falls come first
    assert _codes(client.get(url, {"sort": "password"}))[0] == "S-A-00"


def test_report_page_reads_only_the_groups_on_the_page(
    client_for, leader, big_report, tree
):
    client = client_for(leader)
    url = reverse("assessments:report_detail", args=[big_report.pk])
    client.get(url)  # the peer groups are cached with the report
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"page": 2})
    (page,) = [q["sql"] for q in queries.captured_queries if "reportrow" in q["sql"]]
    assert f"'u{_by_code(tree, 'S-C').pk}'" in page
    assert f"'u{_by_code(tree, 'S-A').pk}'" not in page


def test_report_page_is_served_from_the_cache_until_a_rebuild(
    client_for, leader, big_report, tree, grassroots_period
):
    client = client_for(leader)
    url = reverse("assessments:report_detail", args=[big_report.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [q for q in queries.captured_queries if "quarterreportrow" in q["sql"]]
    rebuilt = _snapshot(
        grassroots_period,
        tree,
        finished_at=big_report.finished_at + timedelta(minutes=5),
        bonus=D("5"),
    )
    assert rebuilt.pk == big_report.pk
    assert b"95.00" in client.get(url).content


def test_grouped_rows_slice_across_groups(big_report, tree):
    groups = [
        (f"u{_by_code(tree, code).pk}", f"Sub {code}") for code in ("S-A", "S-B", "S-C")
    ]
    rows = selectors.report_rows(big_report, groups=groups)
    assert len(rows) == 73
    codes = [row.unit.code for row in rows[38:45]]
    assert codes == [
        "S-A-38",
        "S-A-39",
        "S-B-00",
        "S-B-01",
        "S-B-02",
        "S-C-00",
        "S-C-01",
    ]
    assert rows[73:80] == []


# --- the dashboard ---------------------------------------------------------------------


def test_dashboard_ranks_the_first_ten_and_links_to_the_whole_ranking(
    client_for, leader, big_report, tree
):
    sub = _by_code(tree, "S-A")
    response = client_for(leader).get(
        reverse("assessments:dashboard"), {"group": f"u{sub.pk}"}
    )
    ranking = response.content.decode().split('data-testid="ranking"')[1]
    ranking = ranking.split("</table>")[0]
    assert ranking.count("<tr>") == 11  # the header and ten units
    assert b"The first 10 of 40 units." in response.content
    link = reverse("assessments:report_detail", args=[big_report.pk])
    assert f"{link}?group=u{sub.pk}".encode() in response.content


def test_dashboard_trend_draws_the_average_and_the_best_ranked(
    client_for, leader, big_report, tree
):
    sub = _by_code(tree, "S-A")
    response = client_for(leader).get(
        reverse("assessments:dashboard"), {"group": f"u{sub.pk}"}
    )
    chart = json.loads(
        response.content.decode()
        .split('<script id="chart-trend" type="application/json">')[1]
        .split("</script>")[0]
    )
    names = [series["name"] for series in chart["series"]]
    assert names == [f"Unit S-A-{n:02d}" for n in range(8)] + ["Average total"]


def test_dashboard_lists_ten_overdue_terms_and_counts_the_rest(
    client_for, leader, big_report
):
    response = client_for(leader).get(reverse("assessments:dashboard"))
    overdue = response.content.decode().split('data-testid="overdue-terms"')[1]
    overdue = overdue.split("</ul>")[0]
    assert overdue.count("list-group-item") == 11  # ten units and "and N more"
    assert "and 17 more units" in overdue  # 27 overdue in all


def test_dashboard_is_served_from_the_cache_until_a_rebuild(
    client_for, leader, big_report, tree, grassroots_period
):
    client = client_for(leader)
    url = reverse("assessments:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # The periods (with their reports' build times) and nothing of the rows.
    assert not [q for q in queries.captured_queries if "reportrow" in q["sql"]]
    assert "95.00" not in client.get(url).content.decode()
    _snapshot(
        grassroots_period,
        tree,
        finished_at=big_report.finished_at + timedelta(minutes=5),
        bonus=D("5"),
    )
    assert "95.00" in client.get(url).content.decode()  # the best, 90 + 5


def test_dashboard_cache_is_kept_per_language(client_for, leader, big_report):
    client = client_for(leader)
    assert (
        b"Ranking within the sub-district"
        in client.get(reverse("assessments:dashboard")).content
    )
    leader.language = "zh-hans"
    leader.save()
    before = translation.get_language()
    try:
        content = client.get(reverse("assessments:dashboard")).content.decode()
    finally:
        # The request leaves the reader's language active in this thread.
        translation.activate(before)
    assert "街道内排名" in content


@pytest.mark.parametrize("viewer", ["leader", "admin_user"])
def test_report_page_costs_the_same_queries_before_and_after_its_files(
    client_for, request, big_report, viewer
):
    from assessments.models import QuarterReportFile

    client = client_for(request.getfixturevalue(viewer))
    url = reverse("assessments:report_detail", args=[big_report.pk])

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    QuarterReport.objects.filter(pk=big_report.pk).update(files_status="none")
    without_files = count()
    QuarterReport.objects.filter(pk=big_report.pk).update(files_status="done")
    QuarterReportFile.objects.create(
        report=big_report, kind="xlsx", language="en", file="reports/r.xlsx", size=1
    )
    assert count() == without_files
