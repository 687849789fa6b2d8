"""A bulk decision that fails brings the reviewer back to the queue with the same
boxes ticked and the comment they typed; a successful one ticks nothing."""

import re

from django.urls import reverse

from planning.models import ProgressReport

from .factories import ReportFactory, past_period

QUEUE = reverse("planning:review_queue")
BULK = reverse("planning:review_bulk")


def _ticked(response) -> set[int]:
    html = response.content.decode()
    return {int(pk) for pk in re.findall(r'name="reports" value="(\d+)" checked', html)}


def test_a_refused_bulk_return_keeps_the_ticks(client_for, cadre_sub, project):
    reports = [
        ReportFactory(project=project, period=past_period(project, n))
        for n in (1, 2, 3)
    ]
    client = client_for(cadre_sub)
    chosen = [reports[0].pk, reports[2].pk]
    # Returning without a comment is refused by the service.
    response = client.post(
        BULK,
        {"reports": chosen, "decision": "return", "comment": "  ", "next": QUEUE},
    )
    assert response.status_code == 302
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"submitted"}
    page = client.get(response["Location"])
    assert _ticked(page) == set(chosen)
    # Once shown, the ticks are not kept for ever.
    assert _ticked(client.get(QUEUE)) == set()


def test_an_invalid_bulk_form_keeps_the_ticks_and_the_comment(
    client_for, cadre_sub, project
):
    report = ReportFactory(project=project)
    client = client_for(cadre_sub)
    response = client.post(
        BULK,
        {"reports": [report.pk], "decision": "maybe", "comment": "Bitte prüfen"},
    )
    page = client.get(response["Location"])
    assert _ticked(page) == {report.pk}
    assert "Bitte prüfen</textarea>" in page.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_successful_bulk_decision_ticks_nothing(client_for, cadre_sub, project):
    reports = [
        ReportFactory(project=project, period=past_period(project, n)) for n in (1, 2)
    ]
    client = client_for(cadre_sub)
    response = client.post(
        BULK,
        {
            "reports": [r.pk for r in reports],
            "decision": "return",
            "comment": "Add the attendance list.",
        },
    )
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"returned"}
    page = client.get(response["Location"] + "?status=returned")
    assert _ticked(page) == set()
