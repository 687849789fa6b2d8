"""A cadre's self-assessment task on the home page is kept in the cache per union
(assessments/home.py): every write that changes it shows on the next visit, and
no union or language is ever served another's."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.home import home_tasks, self_assessment_version
from assessments.models import Indicator, Period, Score
from assessments.services import imports
from tests.accounts.factories import UserFactory

from .factories import ScoreFactory, indicator
from .test_imports import workbook

TITLE = "Self-assessment to enter"
SCORES = "/api/v1/scores/"


def self_task(client, title=TITLE):
    """The self-assessment task the home page shows (None: no task)."""
    response = client.get("/")
    assert response.status_code == 200
    tasks = [*response.context["tasks"], *response.context["quiet_tasks"]]
    return next((t for t in tasks if t.title == title), None)


def scoring_url(period, unit):
    return reverse("assessments:unit_scoring", args=[period.pk, unit.pk])


@pytest.fixture
def home(client_for, cadre_grass, grassroots_period):
    """The cadre's home page, visited once so that the task is kept."""
    client = client_for(cadre_grass)
    assert self_task(client).count == 2  # B1 and B2, nothing entered yet
    return client


def test_the_task_is_kept_between_visits(
    cadre_grass, grassroots_period, django_assert_num_queries
):
    home_tasks(cadre_grass)
    with django_assert_num_queries(1):  # the assessment's version only
        (task,) = home_tasks(cadre_grass)
    assert task.count == 2


def test_a_self_score_entered_then_cleared_on_the_page_shows_next_visit(
    home, grassroots_period, grassroots
):
    b1 = indicator(grassroots_period.scheme, "B1")
    url = scoring_url(grassroots_period, grassroots)
    response = home.post(url, {f"self_score_{b1.pk}": "55", f"version_{b1.pk}": "0"})
    assert response.status_code == 302
    task = self_task(home)
    assert task.count == 1
    assert task.items == [("2026 Q1: 1", url)]
    response = home.post(url, {f"self_score_{b1.pk}": "", f"version_{b1.pk}": "1"})
    assert response.status_code == 302
    assert Score.objects.get().self_score is None
    assert self_task(home).count == 2


def test_a_self_score_entered_then_cleared_through_the_api_shows_next_visit(
    home, api_for, cadre_grass, grassroots_period, grassroots
):
    api = api_for(cadre_grass)
    b1 = indicator(grassroots_period.scheme, "B1")
    response = api.post(
        SCORES,
        {
            "period": grassroots_period.pk,
            "unit": grassroots.pk,
            "indicator": b1.pk,
            "self_score": "50",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert self_task(home).count == 1
    score = f"{SCORES}{response.json()['id']}/"
    etag = api.get(score)["ETag"]
    response = api.patch(score, {"self_score": None}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert self_task(home).count == 2


def test_an_import_of_reviewed_scores_moves_the_version(
    home, grassroots_period, grassroots, cadre_sub
):
    """An import writes reviewed scores only (never a self-score), but through
    the same saves: the task is computed afresh after it."""
    ScoreFactory(
        period=grassroots_period,
        unit=grassroots,
        indicator=indicator(grassroots_period.scheme, "B1"),
        self_score=D("50"),
    )
    assert self_task(home).count == 1
    before = self_assessment_version()
    rows = imports.score_import_parse(
        period=grassroots_period,
        file=workbook([(grassroots.code, "B1", 45, "Thin evidence")]),
        by=cadre_sub,
    )
    assert [row.error for row in rows] == [""]
    assert imports.score_import_apply(period=grassroots_period, rows=rows, by=cadre_sub)
    assert self_assessment_version() != before
    assert self_task(home).count == 1  # a reviewed score alone is no self-score


def test_a_score_deleted_in_the_admin_shows_next_visit(
    home, grassroots_period, grassroots
):
    score = ScoreFactory(
        period=grassroots_period,
        unit=grassroots,
        indicator=indicator(grassroots_period.scheme, "B1"),
    )
    assert self_task(home).count == 1
    score.delete()  # what the admin does: no updated_at could show it
    assert self_task(home).count == 2


def test_a_period_closed_reopened_and_opened_shows_next_visit(
    home, grassroots_period, admin_user
):
    services.period_close(period=grassroots_period, by=admin_user)
    assert self_task(home) is None
    services.period_reopen(
        period=grassroots_period, reason="Late evidence came in", by=admin_user
    )
    assert self_task(home).count == 2
    services.period_create(
        scheme=grassroots_period.scheme, kind=Period.Kind.Q2, by=admin_user
    )
    task = self_task(home)
    assert task.count == 4
    assert [label for label, _url in task.items] == ["2026 Q2: 2", "2026 Q1: 2"]


def test_an_indicator_added_and_removed_shows_next_visit(
    home, grassroots_period, admin_user
):
    scheme = grassroots_period.scheme
    added = services.indicator_save(
        indicator=Indicator(scheme=scheme, category=scheme.categories.get()),
        data={
            "code": "X1",
            "name_zh": "加分项",
            "name_en": "Extra",
            "kind": Indicator.Kind.BONUS,
            "method": Indicator.Method.MANUAL,
            "max_points": D("3"),
        },
        by=admin_user,
    )
    assert self_task(home).count == 3
    services.indicator_delete(indicator=added, by=admin_user)
    assert self_task(home).count == 2


def test_an_indicator_changed_in_the_admin_shows_next_visit(home, grassroots_period):
    """The admin saves the indicator without the services' version bump."""
    b2 = indicator(grassroots_period.scheme, "B2")
    b2.method = Indicator.Method.KEY_WORK
    b2.save()
    assert self_task(home).count == 1


def test_cadres_of_two_unions_get_their_own_task(
    client, grassroots_period, grassroots, grassroots_sibling, cadre_grass
):
    sibling_cadre = UserFactory(
        username="sibling_cadre", union=grassroots_sibling, is_cadre=True
    )
    ScoreFactory(
        period=grassroots_period,
        unit=grassroots,
        indicator=indicator(grassroots_period.scheme, "B1"),
    )
    for user, union, count in (
        (sibling_cadre, grassroots_sibling, 2),
        (cadre_grass, grassroots, 1),
        (sibling_cadre, grassroots_sibling, 2),
    ):
        client.force_login(user, backend="accounts.backends.UnionModelBackend")
        task = self_task(client)
        assert task.count == count
        assert task.url == scoring_url(grassroots_period, union)


def test_chinese_and_english_are_kept_apart(cadre_grass, grassroots_period):
    english = Client(headers={"accept-language": "en"})
    chinese = Client(headers={"accept-language": "zh-CN"})
    for client in (english, chinese):
        client.force_login(cadre_grass, backend="accounts.backends.UnionModelBackend")
    cadre_grass.language = ""
    cadre_grass.save(update_fields=["language"])
    assert self_task(english).items[0][0] == "2026 Q1: 2"
    task = self_task(chinese, title="待填报的自评")
    assert task.items[0][0] == "2026年第一季度: 2"
    assert self_task(english).detail == (
        "Indicators of your union still without a self-score."
    )


# --- the reviewer's "self-scores to review" ---------------------------------------

REVIEWS = "Self-scores to review"


def _self_score(period, unit, by, code="B1"):
    from assessments.services import ScoreEntry

    services.scores_save(
        period=period,
        unit=unit,
        entries=[ScoreEntry(indicator=indicator(period.scheme, code), self_score=D(5))],
        by=by,
    )


def test_the_review_count_is_kept_and_moves_with_each_score(
    grassroots_period,
    grassroots,
    grassroots_sibling,
    cadre_sub,
    django_assert_num_queries,
):
    from assessments.services import ScoreEntry

    cadre_a = UserFactory(username="cadre_a_t", union=grassroots, is_cadre=True)
    cadre_b = UserFactory(username="cadre_b_t", union=grassroots_sibling, is_cadre=True)
    _self_score(grassroots_period, grassroots, cadre_a)

    def count():
        return next(t for t in home_tasks(cadre_sub) if t.title == REVIEWS).count

    assert count() == 1
    # Kept: the versions only, no count over scores. Outside a request each is
    # read when asked for: the assessment's for the cadre's own task and for
    # this one (a request reads it once), the unions' for this one.
    with django_assert_num_queries(3):
        assert count() == 1
    _self_score(grassroots_period, grassroots_sibling, cadre_b)
    assert count() == 2
    score = Score.objects.get(unit=grassroots, period=grassroots_period)
    services.scores_save(
        period=grassroots_period,
        unit=grassroots,
        entries=[
            ScoreEntry(
                indicator=score.indicator,
                version=score.version,
                reviewed_score=D(5),
            )
        ],
        by=cadre_sub,
    )
    assert count() == 1


def test_each_reviewer_gets_the_count_of_their_own_scope(
    grassroots_period, grassroots, other_grassroots, cadre_sub, other_subdistrict
):
    cadre_a = UserFactory(username="cadre_a_t", union=grassroots, is_cadre=True)
    cadre_o = UserFactory(username="cadre_o_t", union=other_grassroots, is_cadre=True)
    other_reviewer = UserFactory(
        username="reviewer_s_t", union=other_subdistrict, is_reviewer=True
    )
    _self_score(grassroots_period, grassroots, cadre_a)
    _self_score(grassroots_period, grassroots, cadre_a, "B2")
    _self_score(grassroots_period, other_grassroots, cadre_o)

    def count(user):
        return next(t for t in home_tasks(user) if t.title == REVIEWS).count

    assert count(cadre_sub) == 2
    assert count(other_reviewer) == 1
    assert count(cadre_sub) == 2


def test_a_union_moved_to_another_sub_district_moves_its_scores_count(
    grassroots_period, grassroots, cadre_sub, other_subdistrict
):
    from unions.services import union_update

    cadre_a = UserFactory(username="cadre_a_t", union=grassroots, is_cadre=True)
    other_reviewer = UserFactory(
        username="reviewer_s_t", union=other_subdistrict, is_reviewer=True
    )
    _self_score(grassroots_period, grassroots, cadre_a)

    def count(user):
        return next(t for t in home_tasks(user) if t.title == REVIEWS).count

    assert (count(cadre_sub), count(other_reviewer)) == (1, 0)
    union_update(union=grassroots, parent=other_subdistrict)
    # A fresh read of each reviewer, as on their next request.
    cadre_sub.refresh_from_db()
    assert (count(cadre_sub), count(other_reviewer)) == (0, 1)
