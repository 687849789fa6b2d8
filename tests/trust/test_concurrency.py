"""Two people change the same thing: the second is told, nothing is overwritten.

Each test opens the same form in two signed-in sessions (two browsers), saves it in
the first, then in the second from the page it loaded before the first save. The
threaded tests make the two saves truly simultaneous (PostgreSQL only: they need
two database connections and row locks).
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planning.models import ProgressReport
from tests.accounts.factories import UserFactory
from tests.conftest import EN, require_or_skip
from tests.trust.forms import form_fields
from unions.models import TermChange


def _session(user) -> Client:
    client = Client(headers=EN)
    client.force_login(user, backend="accounts.backends.UnionModelBackend")
    return client


@pytest.fixture
def second_cadre(grassroots):
    """Another cadre of cadre_grass's union: the second person at the same desk."""
    return UserFactory(username="cadre_grass_2", union=grassroots, is_cadre=True)


# --- progress reports --------------------------------------------------------------------


@pytest.fixture
def draft_report(request):
    from tests.trust.world import World

    return World(request).draft_report


def _report_form(client, report):
    url = reverse("planning:report_entry", args=[report.project_id])
    query = {"period": report.period_start.isoformat()}
    page = client.get(url, query)
    assert page.status_code == 200
    return url, {**form_fields(page.content), "period": query["period"]}


def test_second_save_of_a_progress_report_is_refused(
    cadre_grass, second_cadre, draft_report
):
    first, second = _session(cadre_grass), _session(second_cadre)
    url, first_form = _report_form(first, draft_report)
    _url, second_form = _report_form(second, draft_report)

    saved = first.post(url, {**first_form, "narrative": "First cadre's account."})
    assert saved.status_code == 302
    stale = second.post(url, {**second_form, "narrative": "Second cadre's account."})

    assert stale.status_code == 200
    assert b"Someone else saved this report" in stale.content
    draft_report.refresh_from_db()
    assert draft_report.narrative == "First cadre's account."


def test_reloading_after_the_refusal_lets_the_second_person_save(
    cadre_grass, second_cadre, draft_report
):
    first, second = _session(cadre_grass), _session(second_cadre)
    url, first_form = _report_form(first, draft_report)
    first.post(url, {**first_form, "narrative": "First."})
    _url, fresh_form = _report_form(second, draft_report)
    response = second.post(url, {**fresh_form, "narrative": "Second, after reading."})
    assert response.status_code == 302
    draft_report.refresh_from_db()
    assert draft_report.narrative == "Second, after reading."


# --- scores --------------------------------------------------------------------------------


@pytest.fixture
def scoring(request, grassroots):
    from tests.trust.world import World

    world = World(request)
    world.score  # noqa: B018 - an existing self-score, version 1
    return world


def _score_form(client, world):
    url = reverse(
        "assessments:unit_scoring", args=[world.period.pk, world.union("grassroots").pk]
    )
    page = client.get(url)
    assert page.status_code == 200
    return url, form_fields(page.content)


def test_second_save_of_a_score_is_refused(cadre_grass, second_cadre, scoring):
    first, second = _session(cadre_grass), _session(second_cadre)
    field = f"self_score_{scoring.indicator.pk}"
    url, first_form = _score_form(first, scoring)
    _url, second_form = _score_form(second, scoring)
    assert first_form[f"version_{scoring.indicator.pk}"] == "1"

    saved = first.post(url, {**first_form, field: "91"})
    assert saved.status_code == 302
    stale = second.post(url, {**second_form, field: "55"})

    assert stale.status_code == 200
    assert b"changed by someone else" in stale.content
    scoring.score.refresh_from_db()
    assert scoring.score.self_score == 91


def test_review_over_a_changed_self_score_is_refused(cadre_grass, cadre_sub, scoring):
    reviewer, unit = _session(cadre_sub), _session(cadre_grass)
    url, review_form = _score_form(reviewer, scoring)
    _url, unit_form = _score_form(unit, scoring)
    unit.post(url, {**unit_form, f"self_score_{scoring.indicator.pk}": "60"})
    stale = reviewer.post(
        url,
        {
            **review_form,
            f"reviewed_score_{scoring.indicator.pk}": "80",
            f"review_comment_{scoring.indicator.pk}": "Matches the evidence.",
        },
    )
    assert b"changed by someone else" in stale.content
    scoring.score.refresh_from_db()
    assert scoring.score.reviewed_score is None


# --- changes of term --------------------------------------------------------------------------


@pytest.fixture
def planned_change(request):
    from tests.trust.world import World

    return World(request).change


def test_second_person_taking_the_same_step_is_told_nothing_changed(
    admin_user, planned_change, district
):
    other_admin = UserFactory(username="admin_2", union=district, is_union_admin=True)
    first, second = _session(admin_user), _session(other_admin)
    url = reverse("unions:change_step", args=[planned_change.pk, "submitted"])
    # The step's form fields carry the step's name as their prefix.
    data = {
        "submitted-date": timezone.localdate().isoformat(),
        "submitted-comment": "Request sent.",
    }

    assert first.post(url, data).status_code == 302
    response = second.post(
        url, {**data, "submitted-comment": "Sent again."}, follow=True
    )

    assert "Nothing was changed" in response.content.decode()
    planned_change.refresh_from_db()
    assert planned_change.state == TermChange.State.SUBMITTED
    comments = list(planned_change.steps.values_list("comment", flat=True))
    assert "Sent again." not in comments
    assert planned_change.steps.filter(step="submitted").count() == 1


# --- truly simultaneous saves (two connections) -------------------------------------------------


def _needs_postgresql():
    if connection.vendor != "postgresql":
        require_or_skip("REQUIRE_SERVICES", "simultaneous saves need PostgreSQL")


def _race(*calls):
    """Runs the calls at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as exc:  # the refused one raises ValidationError
            results[index] = ("refused", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_report_saves_keep_exactly_one(request, cadre_grass, second_cadre):
    _needs_postgresql()
    from planning.services.reports import report_save
    from tests.trust.world import World

    report = World(request).draft_report
    version = report.version

    def save(text, by):
        def call():
            fresh = ProgressReport.objects.get(pk=report.pk)
            return report_save(
                report=fresh, data={"narrative": text}, version=version, by=by
            )

        return call

    results = _race(save("A", cadre_grass), save("B", second_cadre))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["ok", "refused"]
    report.refresh_from_db()
    winner = next(value for kind, value in results if kind == "ok")
    assert report.narrative == winner.narrative
    assert report.version == version + 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_score_saves_keep_exactly_one(request, cadre_grass, second_cadre):
    _needs_postgresql()
    from assessments import services
    from assessments.models import Score
    from tests.trust.world import World

    world = World(request)
    score = world.score

    def save(value, by):
        def call():
            entry = services.ScoreEntry(
                indicator=world.indicator, version=score.version, self_score=value
            )
            return services.scores_save(
                period=world.period,
                unit=world.union("grassroots"),
                entries=[entry],
                by=by,
            )

        return call

    results = _race(save(70, cadre_grass), save(30, second_cadre))
    assert sorted(kind for kind, _value in results) == ["ok", "refused"]
    stored = Score.objects.get(pk=score.pk)
    assert stored.version == score.version + 1
    assert stored.self_score in (70, 30)
