"""The report job: the snapshot, idempotence, refusals, failures, concurrency,
constant queries, the files job, previous-period changes and the annual result."""

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override as translation_override
from openpyxl import load_workbook

from assessments import services
from assessments.beat import SCHEDULE
from assessments.models import (
    Period,
    QuarterReport,
    QuarterReportFile,
    QuarterReportRow,
)
from assessments.services import ScoreEntry
from assessments.sources import EmptyFacts
from assessments.tasks import (
    build_due_reports_task,
    build_quarter_report_task,
    build_report_files_task,
)
from tests.conftest import require_or_skip
from tests.unions.factories import grassroots_factory, subdistrict_factory

from .factories import (
    IndicatorFactory,
    PeriodFactory,
    ScoreFactory,
    build_report,
    indicator,
)


def score(period, unit, code, self_score, reviewed=None, comment=""):
    return ScoreFactory(
        period=period,
        unit=unit,
        indicator=indicator(period.scheme, code),
        self_score=D(self_score),
        reviewed_score=None if reviewed is None else D(reviewed),
        review_comment=comment,
    )


def close_and_build(period, admin_user):
    """Closes the period, builds the snapshot and runs the files job it enqueues."""
    if period.status == Period.Status.OPEN:
        services.period_close(period=period, by=admin_user)
    return build_report(period)


def rows_by_code(report):
    return {row.unit.code: row for row in report.rows.select_related("unit")}


def test_the_snapshot_holds_totals_grades_and_ranks(period, units, admin_user):
    north, south = units
    score(period, north, "B1", "55")
    score(period, north, "B2", "40")
    score(period, south, "B1", "40", reviewed="30", comment="thin evidence")
    score(period, south, "B2", "20")
    report = close_and_build(period, admin_user)
    rows = rows_by_code(report)
    assert (rows["TD-N"].total, rows["TD-N"].grade, rows["TD-N"].rank) == (
        D("95.00"),
        "excellent",
        1,
    )
    assert (rows["TD-S"].total, rows["TD-S"].grade, rows["TD-S"].rank) == (
        D("50.00"),
        "unqualified",
        2,
    )
    assert report.status == QuarterReport.Status.DONE
    assert report.unit_count == 2


def test_the_reviewed_score_counts_over_the_self_score(period, units, admin_user):
    score(period, units[1], "B1", "40", reviewed="30", comment="thin")
    report = close_and_build(period, admin_user)
    detail = rows_by_code(report)["TD-S"].indicators[0]
    assert (detail["self"], detail["reviewed"], detail["points"]) == (
        "40.00",
        "30.00",
        "30.00",
    )


def test_an_unscored_indicator_counts_as_zero(period, units, admin_user):
    report = close_and_build(period, admin_user)
    assert rows_by_code(report)["TD-N"].total == D("0.00")


def test_the_snapshot_records_the_scheme_version_and_rules(period, units, admin_user):
    period.scheme.version = 7
    period.scheme.save()
    report = close_and_build(period, admin_user)
    assert report.scheme_version == 7
    assert [i["code"] for i in report.rules["indicators"]] == ["B1", "B2"]
    assert report.rules["scheme"]["bonus_cap"] == "5.00"


def test_ties_share_a_rank(period, units, admin_user):
    for unit in units:
        score(period, unit, "B1", "50")
    report = close_and_build(period, admin_user)
    assert {row.rank for row in report.rows.all()} == {1}


def test_grassroots_unions_rank_within_their_sub_district(
    grassroots_period, grassroots, grassroots_sibling, other_grassroots, admin_user
):
    score(grassroots_period, grassroots, "B1", "50")
    score(grassroots_period, grassroots_sibling, "B1", "40")
    score(grassroots_period, other_grassroots, "B1", "10")
    report = close_and_build(grassroots_period, admin_user)
    rows = rows_by_code(report)
    assert (rows["TD-N-1"].rank, rows["TD-N-2"].rank, rows["TD-S-1"].rank) == (1, 2, 1)
    assert rows["TD-S-1"].peer_union_id == other_grassroots.parent_id
    assert report.summary["peer_groups"][rows["TD-N-1"].peer_group]["count"] == 2


def test_a_veto_makes_the_unit_unqualified(scheme, period, units, admin_user):
    IndicatorFactory(
        category=scheme.categories.get(), code="V", kind="veto", max_points=0
    )
    score(period, units[0], "B1", "60")
    score(period, units[0], "B2", "40")
    score(period, units[0], "V", "0", reviewed="1", comment="accident")
    row = rows_by_code(close_and_build(period, admin_user))["TD-N"]
    assert (row.total, row.veto, row.grade) == (D("100.00"), True, "unqualified")


def test_a_vetoed_unit_with_full_points_ranks_last(scheme, period, units, admin_user):
    IndicatorFactory(
        category=scheme.categories.get(), code="V", kind="veto", max_points=0
    )
    score(period, units[0], "B1", "60")
    score(period, units[0], "B2", "40")
    score(period, units[0], "V", "0", reviewed="1", comment="accident")
    score(period, units[1], "B1", "40")
    score(period, units[1], "B2", "21")
    report = close_and_build(period, admin_user)
    rows = rows_by_code(report)
    vetoed, other = rows["TD-N"], rows[units[1].code]
    assert (vetoed.total, vetoed.veto) == (D("100.00"), True)
    assert (other.total, other.rank) == (D("61.00"), 1)
    assert vetoed.rank == 2


def test_a_not_applicable_indicator_rescales_the_units_base(period, units, admin_user):
    services.exemption_create(
        indicator=indicator(period.scheme, "B2"),
        unit=units[0],
        reason="No such work here",
        by=admin_user,
    )
    score(period, units[0], "B1", "45")
    row = rows_by_code(close_and_build(period, admin_user))["TD-N"]
    assert row.total == D("75.00")
    assert row.indicators[1]["how"] == {
        "key": "exempt",
        "params": {"reason": "No such work here"},
    }


def test_automatic_indicators_are_computed_and_explained(
    scheme, period, units, admin_user, monkeypatch
):
    b2 = indicator(scheme, "B2")
    b2.method = "timeliness"
    b2.save()
    monkeypatch.setattr(
        "assessments.sources.planning_facts",
        lambda **kw: {units[0].pk: EmptyFacts(reports_due=9, reports_on_time=7)},
    )
    score(period, units[0], "B1", "60")
    row = rows_by_code(close_and_build(period, admin_user))["TD-N"]
    assert row.indicators[1]["points"] == "31.11"
    assert row.indicators[1]["how"] == {
        "key": "timeliness",
        "params": {"on_time": 7, "due": 9},
    }
    # The other unit had no reports due: B2 does not apply, B1 is rescaled.
    assert rows_by_code(row.report)["TD-S"].indicators[1]["applicable"] is False


def test_a_unit_with_no_projects_due_is_rescaled_not_divided_by_zero(
    scheme, period, units, admin_user
):
    b2 = indicator(scheme, "B2")
    b2.method = "key_work"
    b2.save()
    score(period, units[0], "B1", "30")
    row = rows_by_code(close_and_build(period, admin_user))["TD-N"]
    assert row.total == D("50.00")  # 30 of 60 applicable points
    assert row.key_work_ratio is None


def test_overdue_terms_are_deducted_and_listed(
    scheme, period, units, admin_user, monkeypatch
):
    b2 = indicator(scheme, "B2")
    b2.method, b2.params = "terms", {"per_month": "5"}
    b2.save()
    monkeypatch.setattr(
        "assessments.sources.overdue_months", lambda **kw: {units[1].pk: 3}
    )
    row = rows_by_code(close_and_build(period, admin_user))["TD-S"]
    assert row.indicators[1]["points"] == "25.00"
    assert row.overdue_months == 3
    assert row.report.summary["overdue_units"] == 1


def test_building_twice_makes_a_second_version_with_the_same_numbers(
    period, units, admin_user
):
    score(period, units[0], "B1", "50")
    first = close_and_build(period, admin_user)
    numbers = sorted(first.rows.values_list("unit_id", "total", "rank", "grade"))
    second = build_report(period)
    # Every build keeps its snapshot: the first version's rows and files stay.
    assert QuarterReport.objects.filter(period=period).count() == 2
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    for version in (first, second):
        assert (
            sorted(version.rows.values_list("unit_id", "total", "rank", "grade"))
            == numbers
        )
        assert QuarterReportFile.objects.filter(report=version).count() == 4
    assert period.report == second


def test_a_build_job_sent_twice_builds_its_version_once(
    period, units, admin_user, django_capture_on_commit_callbacks
):
    services.period_close(period=period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_request(period=period, by=admin_user)
    token = report.run_token
    assert services.report_build(period_id=period.pk, token=token).is_done
    assert services.report_build(period_id=period.pk, token=token) is None
    assert QuarterReport.objects.filter(period=period).count() == 1


def test_the_nightly_job_sent_twice_makes_one_version(period, units, admin_user):
    """A job with no request behind it builds a missing report, never a second
    version of a built one (beat may fire twice; two workers may take the two)."""
    services.period_close(period=period, by=admin_user)
    first = build_quarter_report_task.run(period_id=period.pk)
    assert first["status"] == QuarterReport.Status.DONE
    report = QuarterReport.objects.get(period=period)
    rows = sorted(report.rows.values_list("unit_id", "total", "rank"))
    assert build_quarter_report_task.run(period_id=period.pk) == {
        "period": period.pk,
        "status": "skipped",
    }
    assert list(QuarterReport.objects.filter(period=period)) == [report]
    report.refresh_from_db()
    assert (report.number, report.finished_at) == (1, report.finished_at)
    assert sorted(report.rows.values_list("unit_id", "total", "rank")) == rows


def test_a_build_is_refused_while_the_period_is_open(period, units):
    with pytest.raises(ValidationError, match="Close the period"):
        services.report_build(period_id=period.pk)
    assert not QuarterReport.objects.exists()


def test_a_request_for_an_open_period_is_refused(period, admin_user):
    with pytest.raises(ValidationError, match="Close the period"):
        services.report_request(period=period, by=admin_user)


def test_a_request_is_enqueued_after_commit(
    period, units, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    services.period_close(period=period, by=admin_user)
    sent = []
    monkeypatch.setattr(
        build_quarter_report_task, "delay", lambda **kw: sent.append(kw)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(period=period, by=admin_user)
    assert report.status == QuarterReport.Status.PENDING
    assert sent == []
    callbacks[0]()
    assert sent == [{"period_id": period.pk, "token": report.run_token}]


def test_a_second_request_while_waiting_is_refused(
    period, units, admin_user, monkeypatch
):
    services.period_close(period=period, by=admin_user)
    monkeypatch.setattr(build_quarter_report_task, "delay", lambda **kw: None)
    services.report_request(period=period, by=admin_user)
    with pytest.raises(ValidationError, match="already waiting"):
        services.report_request(period=period, by=admin_user)


def test_a_run_while_another_is_running_does_nothing(period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    report = QuarterReport.objects.create(
        period=period,
        status=QuarterReport.Status.RUNNING,
        run_token="other-run",
        started_at=timezone.now(),
    )
    assert services.report_build(period_id=period.pk, token="mine") is None
    assert services.report_build(period_id=period.pk) is None
    report.refresh_from_db()
    assert (report.status, report.rows.count()) == (QuarterReport.Status.RUNNING, 0)


def test_a_run_left_by_a_dead_worker_is_taken_over(period, units, admin_user):
    services.period_close(period=period, by=admin_user)
    QuarterReport.objects.create(
        period=period,
        status=QuarterReport.Status.RUNNING,
        run_token="dead-run",
        started_at=timezone.now() - timedelta(hours=3),
    )
    report = services.report_build(period_id=period.pk)
    assert report.status == QuarterReport.Status.DONE


def test_a_failure_is_recorded_with_its_reason_and_can_be_retried(
    period, units, admin_user, monkeypatch
):
    services.period_close(period=period, by=admin_user)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("assessments.engine.summarise", broken)
    with pytest.raises(RuntimeError):
        services.report_build(period_id=period.pk)
    report = QuarterReport.objects.get(period=period)
    assert report.status == QuarterReport.Status.FAILED
    assert "database gone" in report.error
    monkeypatch.undo()
    services.report_request(period=period, by=admin_user)
    report = services.report_build(
        period_id=period.pk, token=QuarterReport.objects.get().run_token
    )
    assert (report.status, report.error) == (QuarterReport.Status.DONE, "")


def test_a_request_refused_by_the_job_is_marked_failed(
    period, units, admin_user, monkeypatch
):
    services.period_close(period=period, by=admin_user)
    monkeypatch.setattr(build_quarter_report_task, "delay", lambda **kw: None)
    report = services.report_request(period=period, by=admin_user)
    services.period_reopen(period=period, reason="one more correction", by=admin_user)
    result = build_quarter_report_task.run(period_id=period.pk, token=report.run_token)
    assert result["status"] == "refused"
    report.refresh_from_db()
    assert report.status == QuarterReport.Status.FAILED
    assert "Close the period" in report.error


def _add_units(district, period, count, tag):
    for n in range(count):
        sub = subdistrict_factory(district, code=f"Q{tag}-{n}")
        grassroots_factory(sub, code=f"Q{tag}-{n}-G")
        score(period, sub, "B1", "30")
        score(period, sub, "B2", "20")


def _build_queries(period) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.report_build(period_id=period.pk)
    return len(queries)


def test_the_job_runs_a_constant_number_of_queries(scheme, district, admin_user):
    # Every kind of indicator, so that every loading path runs.
    category = scheme.categories.get()
    IndicatorFactory(category=category, code="K", kind="bonus", method="key_work")
    IndicatorFactory(category=category, code="T", kind="bonus", method="timeliness")
    IndicatorFactory(
        category=category,
        code="P",
        kind="bonus",
        method="publicity",
        params={"points": {"city": "1"}},
    )
    IndicatorFactory(
        category=category,
        code="D",
        kind="deduction",
        method="terms",
        params={"per_month": "1"},
    )
    period = PeriodFactory(scheme=scheme)
    _add_units(district, period, 1, "a")
    services.period_close(period=period, by=admin_user)
    services.report_build(period_id=period.pk)  # the first build creates the files
    small = _build_queries(period)
    _add_units(district, period, 6, "b")
    large = _build_queries(period)
    assert period.report.unit_count == 7
    assert small == large


def test_the_files_are_stored_in_both_languages(period, units, admin_user):
    report = close_and_build(period, admin_user)
    files = {(f.kind, f.language): f for f in report.files.all()}
    assert set(files) == {
        ("xlsx", "en"),
        ("xlsx", "zh-hans"),
        ("pdf", "en"),
        ("pdf", "zh-hans"),
    }
    assert files[("xlsx", "en")].file.storage.exists(files[("xlsx", "en")].file.name)


def test_the_workbook_has_ranks_and_detail_with_frozen_headers(
    period, units, admin_user
):
    score(period, units[0], "B1", "55.5")
    report = close_and_build(period, admin_user)
    record = report.files.get(kind="xlsx", language="en")
    workbook = load_workbook(io.BytesIO(record.file.read()))
    totals, points, notes = workbook.worksheets
    assert totals.title == "Totals and ranks"
    assert totals.freeze_panes == "A2"
    assert [c.value for c in totals[1]][:4] == ["Peer group", "Rank", "Code", "Unit"]
    first = [c for c in totals[2]]
    assert first[7].value == 55.5
    assert first[7].number_format == "0.00"
    assert totals.column_dimensions["D"].width == 34
    # Every unit's points on every indicator, one row per unit.
    assert points.title == "Indicator points"
    assert points.freeze_panes == "A2"
    headers = [c.value for c in points[1]]
    assert headers[:2] == ["Code", "Unit"]
    assert [h.split()[0] for h in headers[2:]] == ["B1", "B2"]
    assert {row[0].value: row[2].value for row in points.iter_rows(min_row=2)} == {
        "TD-N": 55.5,
        "TD-S": 0,
    }
    assert notes.title == "Notes"


def test_the_pdf_embeds_a_cjk_font_and_the_chinese_names(
    period, units, admin_user, real_pdf, tmp_path
):
    pdffonts, pdftotext = shutil.which("pdffonts"), shutil.which("pdftotext")
    if not (pdffonts and pdftotext):
        require_or_skip("REQUIRE_SERVICES", "poppler-utils (pdffonts) is not installed")
    report = close_and_build(period, admin_user)
    path = tmp_path / "report.pdf"
    path.write_bytes(report.files.get(kind="pdf", language="zh-hans").file.read())
    fonts = subprocess.run(  # noqa: S603
        [pdffonts, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "WenQuanYi" in fonts
    text = subprocess.run(  # noqa: S603
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert units[0].name_zh in text


def test_change_since_the_previous_quarter(scheme, units, admin_user):
    q1 = PeriodFactory(scheme=scheme, kind="q1")
    score(q1, units[0], "B1", "50")
    close_and_build(q1, admin_user)
    q2 = PeriodFactory(scheme=scheme, kind="q2")
    score(q2, units[0], "B1", "45")
    row = rows_by_code(close_and_build(q2, admin_user))["TD-N"]
    assert (row.previous_total, row.change, row.previous_rank) == (
        D("50.00"),
        D("-5.00"),
        1,
    )


def test_the_first_quarter_compares_with_last_years_fourth(
    district, scheme, units, admin_user
):
    from .factories import active_scheme

    last_year = active_scheme(district, year=2025)
    q4 = PeriodFactory(scheme=last_year, kind="q4")
    score(q4, units[0], "B1", "40")
    close_and_build(q4, admin_user)
    q1 = PeriodFactory(scheme=scheme, kind="q1")
    score(q1, units[0], "B1", "50")
    row = rows_by_code(close_and_build(q1, admin_user))["TD-N"]
    assert row.change == D("10.00")


def test_the_annual_result_is_the_mean_of_the_quarters(scheme, units, admin_user):
    for quarter, points in zip(
        ("q1", "q2", "q3", "q4"), ("40", "50", "60", "50"), strict=True
    ):
        period = PeriodFactory(scheme=scheme, kind=quarter)
        score(period, units[0], "B1", points)
        close_and_build(period, admin_user)
    year = PeriodFactory(
        scheme=scheme, kind="year", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    row = rows_by_code(close_and_build(year, admin_user))["TD-N"]
    assert (row.total, row.grade, row.rank) == (D("50.00"), "unqualified", 1)
    assert [q["total"] for q in row.indicators] == ["40.00", "50.00", "60.00", "50.00"]


def test_the_annual_result_needs_all_four_quarters(scheme, units, admin_user):
    period = PeriodFactory(scheme=scheme, kind="q1")
    close_and_build(period, admin_user)
    year = PeriodFactory(
        scheme=scheme, kind="year", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    services.period_close(period=year, by=admin_user)
    with pytest.raises(ValidationError, match="Q2, Q3, Q4"):
        services.report_build(period_id=year.pk)


def test_a_veto_in_any_quarter_makes_the_year_unqualified(scheme, units, admin_user):
    IndicatorFactory(
        category=scheme.categories.get(), code="V", kind="veto", max_points=0
    )
    for quarter in ("q1", "q2", "q3", "q4"):
        period = PeriodFactory(scheme=scheme, kind=quarter)
        score(period, units[0], "B1", "60")
        score(period, units[0], "B2", "40")
        if quarter == "q2":
            score(period, units[0], "V", "1")
        close_and_build(period, admin_user)
    year = PeriodFactory(
        scheme=scheme, kind="year", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    row = rows_by_code(close_and_build(year, admin_user))["TD-N"]
    assert (row.total, row.veto, row.grade) == (D("100.00"), True, "unqualified")


def test_beat_builds_the_reports_of_periods_closed_before_today(
    scheme, units, admin_user, django_capture_on_commit_callbacks
):
    yesterday = PeriodFactory(scheme=scheme, kind="q1")
    services.period_close(period=yesterday, by=admin_user)
    Period.objects.filter(pk=yesterday.pk).update(
        closed_at=timezone.now() - timedelta(days=1)
    )
    today = PeriodFactory(scheme=scheme, kind="q2")
    services.period_close(period=today, by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = build_due_reports_task.delay().get()
    assert enqueued == [yesterday.pk]
    assert (
        QuarterReport.objects.get(period=yesterday).status == QuarterReport.Status.DONE
    )
    assert not QuarterReport.objects.filter(period=today).exists()


def test_beat_leaves_finished_reports_alone(scheme, units, admin_user):
    period = PeriodFactory(scheme=scheme, kind="q1")
    close_and_build(period, admin_user)
    Period.objects.filter(pk=period.pk).update(
        closed_at=timezone.now() - timedelta(days=2)
    )
    assert services.reports_build_due() == []


def test_beat_schedule_runs_the_nightly_task():
    entry = SCHEDULE["assessments-build-due-reports"]
    assert entry["task"] == "assessments.tasks.build_due_reports_task"


def test_the_job_for_an_unknown_period_does_nothing(db):
    assert build_quarter_report_task.delay(period_id=999999).get() == {
        "period": 999999,
        "status": "missing",
    }
    assert not QuarterReport.objects.exists()


def test_score_entry_through_the_service_is_reflected_in_the_report(
    period, units, cadre_sub, admin_user
):
    services.scores_save(
        period=period,
        unit=units[0],
        entries=[
            ScoreEntry(indicator=indicator(period.scheme, "B1"), self_score=D("33"))
        ],
        by=cadre_sub,
    )
    row = rows_by_code(close_and_build(period, admin_user))["TD-N"]
    assert row.total == D("33.00")


# --- the files job ------------------------------------------------------------------


def test_the_snapshot_is_done_before_its_files_which_come_after_commit(
    period, units, admin_user, django_capture_on_commit_callbacks
):
    services.period_close(period=period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_build(period_id=period.pk)
    assert report.status == QuarterReport.Status.DONE
    assert report.files_status == QuarterReport.FilesStatus.PENDING
    assert report.rows.count() == 2
    assert not report.files.exists()
    for callback in callbacks:
        callback()
    report.refresh_from_db()
    assert report.files_status == QuarterReport.FilesStatus.DONE
    assert report.files.count() == 4


def test_the_files_job_is_idempotent(period, units, admin_user):
    report = close_and_build(period, admin_user)
    names = sorted(report.files.values_list("file", flat=True))
    again = build_report_files_task.delay(
        report_id=report.pk, token=report.files_token
    ).get()
    assert again == {"report": report.pk, "status": "skipped"}
    assert sorted(report.files.values_list("file", flat=True)) == names


def test_a_files_job_of_an_older_version_stores_only_its_own_files(
    period, units, admin_user, django_capture_on_commit_callbacks
):
    services.period_close(period=period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        first = services.report_build(period_id=period.pk)
    old_token = first.files_token
    with django_capture_on_commit_callbacks(execute=False):
        second = services.report_build(period_id=period.pk)
    assert services.report_files_build(report_id=first.pk, token=old_token)
    assert first.files.count() == 4
    second.refresh_from_db()
    assert second.files_status == QuarterReport.FilesStatus.PENDING
    assert not second.files.exists()
    # A token of one version never stores files on another.
    assert services.report_files_build(report_id=second.pk, token=old_token) is None
    assert not second.files.exists()


def test_a_rebuild_keeps_the_earlier_versions_files(
    period, units, admin_user, media_root
):
    score(period, units[0], "B1", "50")
    first = close_and_build(period, admin_user)
    old = {f.file.name for f in first.files.all()}
    storage = first.files.first().file.storage
    score(period, units[1], "B1", "20")
    second = build_report(period)
    assert second.files_status == QuarterReport.FilesStatus.DONE
    new = {f.file.name for f in second.files.all()}
    assert len(new) == 4
    assert not old & new
    assert all(storage.exists(name) for name in new | old)
    assert {f.file.name for f in first.files.all()} == old
    record = second.files.get(kind="xlsx", language="en")
    totals = load_workbook(io.BytesIO(record.file.read())).worksheets[0]
    assert sorted(row[7].value for row in totals.iter_rows(min_row=2)) == [20, 50]


def test_a_files_failure_is_shown_and_can_be_retried(
    period, units, admin_user, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("assessments.exports.report_xlsx_file", broken)
    services.period_close(period=period, by=admin_user)
    with pytest.raises(OSError, match="disk full"):
        build_report(period)
    report = QuarterReport.objects.get(period=period)
    # The snapshot stands; only its files failed.
    assert report.status == QuarterReport.Status.DONE
    assert report.rows.count() == 2
    assert report.files_status == QuarterReport.FilesStatus.FAILED
    assert "disk full" in report.files_error
    assert not report.files.exists()
    monkeypatch.undo()
    from tests.assessments.conftest import stand_in_pdf

    monkeypatch.setattr("assessments.exports.report_pdf_file", stand_in_pdf)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.report_files_request(report=report, by=admin_user)
    report.refresh_from_db()
    assert (report.files_status, report.files_error) == (
        QuarterReport.FilesStatus.DONE,
        "",
    )
    assert report.files.count() == 4


def test_files_being_prepared_cannot_be_asked_for_again(
    period, units, admin_user, django_capture_on_commit_callbacks
):
    services.period_close(period=period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_build(period_id=period.pk)
    with pytest.raises(ValidationError, match="already waiting"):
        services.report_files_request(report=report, by=admin_user)


def test_the_files_job_runs_a_constant_number_of_queries(scheme, district, admin_user):
    period = PeriodFactory(scheme=scheme)
    _add_units(district, period, 1, "a")
    services.period_close(period=period, by=admin_user)
    report = build_report(period)

    def files_queries() -> int:
        QuarterReport.objects.filter(pk=report.pk).update(
            files_status=QuarterReport.FilesStatus.PENDING
        )
        with CaptureQueriesContext(connection) as queries:
            done = services.report_files_build(
                report_id=report.pk, token=report.files_token
            )
        assert done is not None
        return len(queries)

    small = files_queries()
    _add_units(district, period, 6, "b")
    report = build_report(period)
    assert QuarterReportRow.objects.filter(report=report).count() == 7
    assert files_queries() == small


def test_a_period_is_locked_only_once_its_files_are_ready(
    period, units, admin_user, django_capture_on_commit_callbacks
):
    services.period_close(period=period, by=admin_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_build(period_id=period.pk)
    services.period_publish(period=period, by=admin_user)
    with pytest.raises(ValidationError, match="files are not ready"):
        services.period_lock(period=period, by=admin_user)
    for callback in callbacks:
        callback()
    services.period_lock(period=period, by=admin_user)
    period.refresh_from_db()
    assert period.status == Period.Status.LOCKED


def test_the_pdf_is_a_summary_that_points_to_the_workbook(
    grassroots_period, grassroots, grassroots_sibling, other_grassroots, admin_user
):
    from django.template.loader import render_to_string

    from assessments import exports

    score(grassroots_period, grassroots, "B1", "50")
    report = close_and_build(grassroots_period, admin_user)
    with translation_override("en"):
        context = exports.pdf_context(report, "en")
        html = render_to_string("assessments/report_pdf.html", context)
    assert [g["count"] for g in context["peer_groups"]] == [2, 1]
    assert len(context["everyone"]) == 3
    assert "Every unit's totals, rank and indicator points are in the report" in html
    assert grassroots.name_en in html


def test_a_large_report_pdf_lists_the_top_and_bottom_units(
    scheme, district, admin_user, monkeypatch
):
    from assessments import exports

    monkeypatch.setattr(exports, "PDF_ALL_UNITS", 3)
    monkeypatch.setattr(exports, "PDF_TOP", 2)
    period = PeriodFactory(scheme=scheme)
    _add_units(district, period, 5, "t")
    report = close_and_build(period, admin_user)
    context = exports.pdf_context(report, "en")
    assert context["everyone"] == []
    assert len(context["top"]) == len(context["bottom"]) == 2
