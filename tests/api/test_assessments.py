import pytest

from assessments.models import Period, QuarterReport, Score
from tests.api.factories import open_period
from tests.snapshots import assert_unchanged
from tests.unions.factories import grassroots_factory

PERIODS = "/api/v1/assessment-periods/"
SCHEMES = "/api/v1/assessment-schemes/"
SCORES = "/api/v1/scores/"
REPORTS = "/api/v1/quarter-reports/"
ROWS = "/api/v1/report-rows/"
JOBS = "/api/v1/report-jobs/"
# The token (with its user and union) and the page of rows: a list that fits on
# one page needs no count (unionportal/pagination.py).
LIST_QUERIES = 2


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def period_and_indicator(district, admin_user, grassroots, grassroots_sibling):
    return open_period(district, by=admin_user)


@pytest.fixture
def period(period_and_indicator):
    return period_and_indicator[0]


@pytest.fixture
def indicator(period_and_indicator):
    return period_and_indicator[1]


def _lock(period):
    # Straight to locked, as if closed, built, published and locked on the pages.
    Period.objects.filter(pk=period.pk).update(status="locked")


def _self_score(client, period, unit, indicator, value="80", **extra):
    return client.post(
        SCORES,
        {
            "period": period.pk,
            "unit": unit.pk,
            "indicator": indicator.pk,
            "self_score": value,
            "self_comment": "Study sessions held monthly",
        }
        | extra,
        format="json",
    )


@pytest.fixture
def score(api_for, cadre_grass, period, grassroots, indicator):
    response = _self_score(api_for(cadre_grass), period, grassroots, indicator)
    assert response.status_code == 201, response.json()
    return Score.objects.get(pk=response.json()["id"])


def _patch(client, score, data):
    etag = client.get(f"{SCORES}{score.pk}/")["ETag"]
    return client.patch(f"{SCORES}{score.pk}/", data, format="json", HTTP_IF_MATCH=etag)


# --- schemes and periods -------------------------------------------------------------


def test_cadre_reads_the_scheme_that_assesses_them(api_for, cadre_grass, period):
    body = api_for(cadre_grass).get(f"{SCHEMES}{period.scheme_id}/").json()
    assert [i["code"] for i in body["indicators"]] == ["A1"]


def test_periods_list_shows_the_open_period(api_for, cadre_grass, period):
    body = api_for(cadre_grass).get(PERIODS).json()
    assert body["results"][0]["status"] == "open"
    assert body["results"][0]["report"] is None


def test_admin_closes_a_period(api_for, admin_user, period):
    response = api_for(admin_user).post(f"{PERIODS}{period.pk}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_cadre_gets_403_on_close(api_for, cadre_sub, period):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        assert signed_in.post(f"{PERIODS}{period.pk}/close/").status_code == 403


def test_leader_gets_403_on_close(api_for, leader, period):
    signed_in = api_for(leader)
    with assert_unchanged():
        assert signed_in.post(f"{PERIODS}{period.pk}/close/").status_code == 403


def test_outsider_gets_404_on_a_period_of_another_owner(
    api_for, outsider, admin_user, subdistrict
):
    other_period, _indicator = open_period(subdistrict, by=admin_user)
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.post(f"{PERIODS}{other_period.pk}/close/")
    assert response.status_code == 404


def test_publishing_an_open_period_is_refused(api_for, admin_user, period):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(f"{PERIODS}{period.pk}/publish/")
    assert response.status_code == 400
    assert Period.objects.get(pk=period.pk).status == "open"


def test_reopen_needs_a_reason(api_for, admin_user, period):
    client = api_for(admin_user)
    client.post(f"{PERIODS}{period.pk}/close/")
    with assert_unchanged():
        response = client.post(
            f"{PERIODS}{period.pk}/reopen/", {"reason": "x"}, format="json"
        )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_admin_reopens_a_closed_period(api_for, admin_user, period):
    client = api_for(admin_user)
    client.post(f"{PERIODS}{period.pk}/close/")
    response = client.post(
        f"{PERIODS}{period.pk}/reopen/", {"reason": "A unit was missed"}, format="json"
    )
    assert response.json()["status"] == "open"


def test_admin_opens_another_period(api_for, admin_user, period):
    response = api_for(admin_user).post(
        PERIODS, {"scheme": period.scheme_id, "kind": "q2"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "q2"


def test_opening_a_period_twice_is_refused(api_for, admin_user, period):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            PERIODS, {"scheme": period.scheme_id, "kind": "q1"}, format="json"
        )
    assert response.status_code == 400


def test_cadre_gets_403_opening_a_period(api_for, cadre_sub, period):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(
            PERIODS, {"scheme": period.scheme_id, "kind": "q2"}, format="json"
        )
    assert response.status_code == 403


# --- scores ------------------------------------------------------------------------------


def test_cadre_enters_their_self_score(
    api_for, cadre_grass, period, grassroots, indicator
):
    response = _self_score(api_for(cadre_grass), period, grassroots, indicator)
    assert response.status_code == 201
    assert response.json()["self_score"] == 80
    assert response.json()["effective_score"] == 80


def test_cadre_cannot_name_a_sibling_union(
    api_for, cadre_grass, period, grassroots_sibling, indicator
):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots_sibling, indicator)
    assert response.status_code == 400
    assert not Score.objects.exists()


def test_cadre_of_a_higher_union_gets_403_self_scoring_a_unit_below(
    api_for, cadre_sub, period, grassroots, indicator
):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots, indicator)
    assert response.status_code == 403
    assert not Score.objects.exists()


def test_outsider_cannot_name_an_unseen_union(
    api_for, outsider, period, grassroots, indicator
):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots, indicator)
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]


def test_leader_gets_403_on_score_entry(api_for, leader, period, grassroots, indicator):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots, indicator)
    assert response.status_code == 403


def test_score_above_the_maximum_is_refused(
    api_for, cadre_grass, period, grassroots, indicator
):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots, indicator, "120")
    assert response.status_code == 400
    assert not Score.objects.exists()


def test_second_entry_of_the_same_score_answers_409(
    api_for, cadre_grass, score, period, grassroots, indicator
):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots, indicator)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "score_exists"


def test_reviewer_above_reviews_the_score(api_for, cadre_sub, score):
    response = _patch(
        api_for(cadre_sub), score, {"reviewed_score": "70", "review_comment": "Fewer"}
    )
    assert response.status_code == 200
    assert response.json()["effective_score"] == 70


def test_reviewed_score_differing_without_a_comment_is_refused(
    api_for, cadre_sub, score
):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _patch(signed_in, score, {"reviewed_score": "70"})
    assert response.status_code == 400
    score.refresh_from_db()
    assert score.reviewed_score is None


def test_cadre_gets_403_reviewing_their_own_score(api_for, cadre_grass, score):
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _patch(
            signed_in, score, {"reviewed_score": "90", "review_comment": "x"}
        )
    assert response.status_code == 403


def test_outsider_gets_404_on_a_score(api_for, outsider, score):
    signed_in = api_for(outsider)
    with assert_unchanged():
        response = signed_in.patch(
            f"{SCORES}{score.pk}/",
            {"self_score": "1"},
            format="json",
            HTTP_IF_MATCH="*",
        )
    assert response.status_code == 404


def test_leader_gets_403_on_score_change(api_for, leader, score):
    signed_in = api_for(leader)
    with assert_unchanged():
        response = _patch(signed_in, score, {"self_score": "1"})
    assert response.status_code == 403


def test_stale_score_change_answers_412(api_for, cadre_grass, score):
    first, second = api_for(cadre_grass), api_for(cadre_grass)
    etag = first.get(f"{SCORES}{score.pk}/")["ETag"]
    ok = first.patch(
        f"{SCORES}{score.pk}/", {"self_score": "85"}, format="json", HTTP_IF_MATCH=etag
    )
    with assert_unchanged():
        stale = second.patch(
            f"{SCORES}{score.pk}/",
            {"self_score": "60"},
            format="json",
            HTTP_IF_MATCH=etag,
        )
    assert ok.status_code == 200
    assert stale.status_code == 412
    score.refresh_from_db()
    assert score.self_score == 85


def test_self_score_after_the_period_closed_is_refused(
    api_for, cadre_grass, admin_user, score
):
    api_for(admin_user).post(f"{PERIODS}{score.period_id}/close/")
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _patch(signed_in, score, {"self_score": "99"})
    assert response.status_code == 403
    score.refresh_from_db()
    assert score.self_score == 80


def test_change_in_a_locked_period_answers_409_locked(api_for, cadre_sub, score):
    _lock(score.period)
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = _patch(
            signed_in, score, {"reviewed_score": "70", "review_comment": "x"}
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "locked"
    score.refresh_from_db()
    assert score.reviewed_score is None


def test_entry_in_a_locked_period_answers_409_locked(
    api_for, cadre_grass, period, grassroots, indicator
):
    _lock(period)
    signed_in = api_for(cadre_grass)
    with assert_unchanged():
        response = _self_score(signed_in, period, grassroots, indicator)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "locked"
    assert not Score.objects.exists()


def test_reopening_a_locked_period_answers_409(api_for, admin_user, period):
    _lock(period)
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(
            f"{PERIODS}{period.pk}/reopen/", {"reason": "Try to reopen"}, format="json"
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "locked"


def test_scores_are_scoped(api_for, outsider, cadre_sub, score):
    assert api_for(outsider).get(SCORES).json()["count"] == 0
    assert _ids(api_for(cadre_sub).get(SCORES, {"to_review": "true"})) == {score.pk}


@pytest.mark.parametrize("extra", [1, 5])
def test_score_list_query_count_does_not_grow(
    api_for, admin_user, district, subdistrict, extra, django_assert_num_queries
):
    from assessments import services
    from tests.accounts.factories import UserFactory

    units = [grassroots_factory(subdistrict) for _ in range(extra)]
    period, indicator = open_period(district, by=admin_user)
    for unit in units:
        cadre = UserFactory(union=unit, is_cadre=True)
        services.scores_save(
            period=period,
            unit=unit,
            entries=[services.ScoreEntry(indicator=indicator, self_score=50)],
            by=cadre,
        )
    client = api_for(admin_user)
    client.get(SCORES)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(SCORES).json()["count"] == extra


# --- quarter reports and the build job ------------------------------------------------------


@pytest.fixture
def built(api_for, admin_user, score, django_capture_on_commit_callbacks, media_root):
    client = api_for(admin_user)
    client.post(f"{PERIODS}{score.period_id}/close/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{PERIODS}{score.period_id}/build-report/")
    assert response.status_code == 202, response.json()
    return response.json()


def test_build_answers_a_job_to_poll(api_for, admin_user, built):
    assert len(built["job"]) == 32
    status = api_for(admin_user).get(f"{JOBS}{built['job']}/").json()
    assert status["status"] == "done"
    assert status["progress"] == 100
    assert status["report"] == QuarterReport.objects.get().pk


def test_unknown_job_answers_404(api_for, admin_user, db):
    assert api_for(admin_user).get(f"{JOBS}{'0' * 32}/").status_code == 404


def test_job_of_a_report_you_cannot_read_answers_404(api_for, cadre_grass, built):
    assert api_for(cadre_grass).get(f"{JOBS}{built['job']}/").status_code == 404


def test_report_rows_give_each_units_result(api_for, leader, built, grassroots):
    report_id = built["report"]
    body = api_for(leader).get(ROWS, {"report": report_id}).json()
    row = next(r for r in body["results"] if r["unit"] == grassroots.pk)
    assert row["total"] == 80
    assert row["grade"] == "good"
    assert row["rank"] == 1


def test_report_detail_lists_its_files(api_for, leader, built):
    body = api_for(leader).get(f"{REPORTS}{built['report']}/").json()
    assert body["status"] == "done"
    assert {f["kind"] for f in body["files"]} == {"xlsx", "pdf"}


def test_cadre_gets_no_quarter_reports(api_for, cadre_grass, built):
    assert api_for(cadre_grass).get(REPORTS).json()["count"] == 0
    assert api_for(cadre_grass).get(ROWS).json()["count"] == 0
    assert api_for(cadre_grass).get(f"{REPORTS}{built['report']}/").status_code == 404


def test_cadre_gets_403_on_build(api_for, cadre_sub, period):
    signed_in = api_for(cadre_sub)
    with assert_unchanged():
        response = signed_in.post(f"{PERIODS}{period.pk}/build-report/")
    assert response.status_code == 403


def test_building_an_open_period_is_refused(api_for, admin_user, period):
    signed_in = api_for(admin_user)
    with assert_unchanged():
        response = signed_in.post(f"{PERIODS}{period.pk}/build-report/")
    assert response.status_code == 400
    assert not QuarterReport.objects.exists()


def test_publish_and_lock_then_every_write_is_refused(
    api_for, admin_user, cadre_sub, built, score
):
    client = api_for(admin_user)
    assert client.post(f"{PERIODS}{score.period_id}/publish/").status_code == 200
    assert client.post(f"{PERIODS}{score.period_id}/lock/").status_code == 200
    reviewer = api_for(cadre_sub)
    with assert_unchanged():
        review = _patch(
            reviewer, score, {"reviewed_score": "10", "review_comment": "late"}
        )
        rebuild = client.post(f"{PERIODS}{score.period_id}/build-report/")
    assert review.status_code == 409
    assert rebuild.status_code == 409
    assert rebuild.json()["error"]["code"] == "locked"


@pytest.mark.parametrize("extra", [1, 5])
def test_period_list_query_count_does_not_grow(
    api_for, admin_user, district, extra, django_assert_num_queries
):
    for n in range(extra):
        open_period(district, by=admin_user, year=2030 + n)
    client = api_for(admin_user)
    client.get(PERIODS)
    # + the page's periods the admin may change (allowed_actions)
    with django_assert_num_queries(LIST_QUERIES + 1):
        assert client.get(PERIODS).json()["count"] == extra


@pytest.mark.parametrize("extra", [1, 5])
def test_report_row_list_query_count_does_not_grow(
    api_for, leader, admin_user, district, subdistrict, extra, django_assert_num_queries
):
    from assessments.models import QuarterReportRow

    period, _indicator = open_period(district, by=admin_user)
    report = QuarterReport.objects.create(period=period, status="done")
    for n in range(extra):
        QuarterReportRow.objects.create(
            report=report,
            unit=grassroots_factory(subdistrict),
            peer_group=f"sub-{subdistrict.pk}",
            peer_union=subdistrict,
            base=80,
            bonus=0,
            deduction=0,
            total=80,
            grade="good",
            rank=n + 1,
        )
    client = api_for(leader)
    client.get(ROWS)
    # count (with the readable reports as a subquery), rows with their unit
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(ROWS, {"report": report.pk}).json()["count"] == extra
