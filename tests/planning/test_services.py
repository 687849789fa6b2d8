from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from planning import rules
from planning.models import KeyWorkProject, ProgressReport, ReportReminder, WorkPlan
from planning.services import plans as plan_services
from planning.services import reports as report_services
from tests.accounts.factories import UserFactory

from .factories import (
    PlanItemFactory,
    ProjectFactory,
    ReportFactory,
    WorkPlanFactory,
    past_period,
)

DATA = {
    "achieved_value": Decimal(30),
    "percent_complete": Decimal(30),
    "narrative": "x",
}


def _new_report(project, union_id, months_back=1):
    return report_services.report_for_period(
        project=project, union_id=union_id, period=past_period(project, months_back)
    )


# --- plans and handing out ----------------------------------------------------------


def test_hand_out_gives_each_unit_its_own_project(item, subdistrict, other_subdistrict):
    created, skipped = plan_services.item_hand_out(
        item=item, unions=[subdistrict, other_subdistrict]
    )
    assert skipped == 0
    assert {p.owner for p in created} == {subdistrict, other_subdistrict}
    assert all(p.target_value == item.target_value for p in created)


def test_hand_out_twice_does_not_duplicate(item, subdistrict, other_subdistrict):
    plan_services.item_hand_out(item=item, unions=[subdistrict])
    created, skipped = plan_services.item_hand_out(
        item=item, unions=[subdistrict, other_subdistrict]
    )
    assert (len(created), skipped) == (1, 1)
    assert KeyWorkProject.objects.filter(item=item).count() == 2


def test_hand_out_on_a_closed_plan_is_refused(item, subdistrict):
    item.plan.status = WorkPlan.Status.CLOSED
    item.plan.save()
    with pytest.raises(ValidationError):
        plan_services.item_hand_out(item=item, unions=[subdistrict])


def test_publishing_an_empty_plan_is_refused(district):
    plan = WorkPlanFactory(owner=district, status=WorkPlan.Status.DRAFT)
    with pytest.raises(ValidationError):
        plan_services.plan_publish(plan=plan)


def test_a_second_plan_for_the_same_year_is_refused(plan):
    with pytest.raises(ValidationError) as info:
        plan_services.plan_create(
            owner=plan.owner,
            data={
                "title": "Again",
                "year": plan.year,
                "reporting_frequency": "monthly",
            },
        )
    assert "year" in info.value.error_dict


# --- entry and submission -----------------------------------------------------------


def test_cadre_saves_a_draft_then_submits(project, cadre_grass):
    report = _new_report(project, cadre_grass.union_id)
    report = report_services.report_save(
        report=report, data=DATA, version=0, by=cadre_grass
    )
    assert (report.status, report.version) == ("draft", 1)
    report = report_services.report_submit(
        report=report, data=DATA, version=1, by=cadre_grass
    )
    assert report.status == "submitted"
    assert report.submitted_by == cadre_grass
    assert report.first_submitted_at is not None


def test_submitting_without_figures_names_the_missing_fields(project, cadre_grass):
    report = _new_report(project, cadre_grass.union_id)
    with pytest.raises(ValidationError) as info:
        report_services.report_submit(
            report=report,
            data={"achieved_value": None, "percent_complete": None, "narrative": ""},
            version=0,
            by=cadre_grass,
        )
    assert {"achieved_value", "narrative"} <= set(info.value.error_dict)


def test_empty_percent_is_taken_from_achieved_over_target(project, cadre_grass):
    report = _new_report(project, cadre_grass.union_id)
    report = report_services.report_submit(
        report=report,
        data={
            "achieved_value": Decimal(25),
            "percent_complete": None,
            "narrative": "x",
        },
        version=0,
        by=cadre_grass,
    )
    assert report.percent_complete == Decimal("25.0")


def test_an_approved_report_cannot_be_edited(project, cadre_grass):
    report = ReportFactory(project=project, status="approved")
    with pytest.raises(ValidationError, match="approved report cannot be changed"):
        report_services.report_save(
            report=report, data=DATA, version=report.version, by=cadre_grass
        )
    report.refresh_from_db()
    assert report.percent_complete == Decimal(40)


def test_a_submitted_report_cannot_be_edited(project, cadre_grass):
    report = ReportFactory(project=project, status="submitted")
    with pytest.raises(ValidationError):
        report_services.report_save(
            report=report, data=DATA, version=report.version, by=cadre_grass
        )


def test_the_second_of_two_concurrent_saves_is_refused(project, cadre_grass):
    report = report_services.report_save(
        report=_new_report(project, cadre_grass.union_id),
        data=DATA,
        version=0,
        by=cadre_grass,
    )
    first = ProgressReport.objects.get(pk=report.pk)
    second = ProgressReport.objects.get(pk=report.pk)
    report_services.report_save(
        report=first, data={**DATA, "narrative": "mine"}, version=1, by=cadre_grass
    )
    with pytest.raises(ValidationError, match="Someone else saved this report"):
        report_services.report_save(
            report=second,
            data={**DATA, "narrative": "theirs"},
            version=1,
            by=cadre_grass,
        )
    assert ProgressReport.objects.get(pk=report.pk).narrative == "mine"


# --- review -------------------------------------------------------------------------


def test_returning_needs_a_comment(project, cadre_sub):
    report = ReportFactory(project=project)
    with pytest.raises(ValidationError):
        report_services.report_review(report=report, by=cadre_sub, approve=False)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_returned_report_can_be_corrected_and_submitted_again(
    project, cadre_sub, cadre_grass
):
    report = ReportFactory(project=project, submitted_by=cadre_grass)
    report = report_services.report_review(
        report=report, by=cadre_sub, approve=False, comment="Add the sign-in sheet."
    )
    assert report.status == "returned"
    report = report_services.report_submit(
        report=report, data=DATA, version=report.version, by=cadre_grass
    )
    assert report.status == "submitted"


def test_nobody_reviews_their_own_unions_report(subdistrict, item, cadre_sub):
    own = ProjectFactory(item=item, owner=subdistrict)
    report = ReportFactory(project=own)
    with pytest.raises(PermissionDenied):
        report_services.report_review(report=report, by=cadre_sub, approve=True)


def test_a_reviewer_cannot_review_a_unit_outside_their_subtree(
    project, foreign_reviewer
):
    report = ReportFactory(project=project)
    with pytest.raises(PermissionDenied):
        report_services.report_review(report=report, by=foreign_reviewer, approve=True)


def test_district_reviewer_can_overrule_an_approval_below(project, cadre_sub, reviewer):
    report = ReportFactory(project=project)
    report_services.report_review(report=report, by=cadre_sub, approve=True)
    report = report_services.report_review(
        report=report, by=reviewer, approve=False, comment="The figures do not add up."
    )
    assert report.status == "returned"


def test_approval_moves_the_project_progress_and_status(project, cadre_sub):
    report = ReportFactory(project=project, percent_complete=Decimal(100))
    report_services.report_review(report=report, by=cadre_sub, approve=True)
    project.refresh_from_db()
    assert project.status == rules.COMPLETED
    assert project.percent_complete == Decimal(100)
    assert project.completed_on == report.period_end


def test_a_participants_report_does_not_move_the_owners_progress(
    project, grassroots_sibling, cadre_sub
):
    project.participants.add(grassroots_sibling)
    report = ReportFactory(
        project=project, union=grassroots_sibling, percent_complete=Decimal(100)
    )
    report_services.report_review(report=report, by=cadre_sub, approve=True)
    project.refresh_from_db()
    assert project.percent_complete == 0


def test_return_notifies_the_submitter_with_the_comment(
    project, cadre_sub, cadre_grass
):
    report = ReportFactory(project=project, submitted_by=cadre_grass)
    report_services.report_review(
        report=report, by=cadre_sub, approve=False, comment="Add photos."
    )
    note = Notification.objects.get(recipient=cadre_grass)
    assert note.display_title.startswith("Progress report returned")
    assert "Add photos." in note.display_body


def test_approval_notifies_the_submitter(project, cadre_sub, cadre_grass):
    report = ReportFactory(project=project, submitted_by=cadre_grass)
    report_services.report_review(report=report, by=cadre_sub, approve=True)
    assert Notification.objects.filter(
        recipient=cadre_grass, kind="planning.report_approved"
    ).exists()


def test_notification_is_written_in_the_recipients_language(
    project, cadre_sub, cadre_grass
):
    cadre_grass.language = "zh-hans"
    cadre_grass.save()
    report = ReportFactory(project=project, submitted_by=cadre_grass)
    report_services.report_review(report=report, by=cadre_sub, approve=True)
    note = Notification.objects.get(recipient=cadre_grass)
    assert project.title in note.display_title


def test_bulk_review_decides_each_report_it_may(project, cadre_sub, subdistrict, item):
    mine = ReportFactory(project=project)
    own_union = ReportFactory(project=ProjectFactory(item=item, owner=subdistrict))
    done, problems = report_services.reports_review_bulk(
        reports=[mine, own_union], by=cadre_sub, approve=True
    )
    assert (done, len(problems)) == (1, 1)
    mine.refresh_from_db()
    own_union.refresh_from_db()
    assert (mine.status, own_union.status) == ("approved", "submitted")


def test_bulk_return_without_comment_changes_nothing(project, cadre_sub):
    report = ReportFactory(project=project)
    with pytest.raises(ValidationError):
        report_services.reports_review_bulk(
            reports=[report], by=cadre_sub, approve=False
        )
    report.refresh_from_db()
    assert report.status == "submitted"


# --- derived status and delays -------------------------------------------------------


def test_a_project_becoming_delayed_notifies_the_owner_cadres(project, cadre_grass):
    day_after_due = project.due_date + timedelta(days=1)
    plan_services.project_refresh(project=project, today=day_after_due)
    assert project.status == rules.DELAYED
    assert (
        Notification.objects.filter(
            recipient=cadre_grass, kind="planning.project_delayed"
        ).count()
        == 1
    )


def test_a_delay_is_notified_once(project, cadre_grass):
    day_after_due = project.due_date + timedelta(days=1)
    plan_services.projects_refresh(today=day_after_due)
    project.refresh_from_db()
    KeyWorkProject.objects.filter(pk=project.pk).update(status=rules.ON_TRACK)
    plan_services.projects_refresh(today=day_after_due + timedelta(days=1))
    assert Notification.objects.filter(recipient=cadre_grass).count() == 1


def test_daily_refresh_uses_the_owners_latest_approved_report(project):
    ReportFactory(project=project, status="approved", percent_complete=Decimal(60))
    plan_services.projects_refresh()
    project.refresh_from_db()
    assert project.percent_complete == Decimal(60)


# --- reminders ----------------------------------------------------------------------


@pytest.fixture
def reminder_setup(district, grassroots, cadre_grass):
    """A monthly plan; the project's last month ended, its report is due soon."""
    day = timezone.localdate()
    plan = WorkPlanFactory(owner=district, report_due_days=5)
    item = PlanItemFactory(plan=plan)
    project = ProjectFactory(
        item=item,
        owner=grassroots,
        start_date=day - timedelta(days=200),
        due_date=day + timedelta(days=200),
    )
    return project


def _deadline_day(project, months_back=1):
    return past_period(project, months_back).deadline


def test_reminder_is_one_digest_per_person(reminder_setup, cadre_grass):
    # Two reports overdue and one soon: still a single notification.
    project = reminder_setup
    today = _deadline_day(project) - timedelta(days=2)
    report_services.reminders_send(today=today)
    notes = Notification.objects.filter(recipient=cadre_grass)
    assert notes.count() == 1
    assert "Due soon" in notes.get().display_body


def test_reminders_are_sent_once_per_threshold(reminder_setup, cadre_grass):
    project = reminder_setup
    today = _deadline_day(project) - timedelta(days=2)
    report_services.reminders_send(today=today)
    report_services.reminders_send(today=today)
    report_services.reminders_send(today=today + timedelta(days=1))
    assert Notification.objects.filter(recipient=cadre_grass).count() == 1
    report_services.reminders_send(today=today + timedelta(days=3))
    overdue = Notification.objects.filter(recipient=cadre_grass).first()
    assert "Overdue" in overdue.display_body
    assert ReportReminder.objects.filter(kind="overdue").count() >= 1


def test_nothing_is_sent_when_nothing_is_due(reminder_setup, cadre_grass):
    project = reminder_setup
    for months_back in range(1, 9):
        ReportFactory(project=project, period=past_period(project, months_back))
    ReportFactory(project=project, period=past_period(project, 0), status="approved")
    assert report_services.reminders_send() == 0
    assert not Notification.objects.filter(recipient=cadre_grass).exists()


def test_reports_of_a_closed_plan_are_not_reminded(reminder_setup, cadre_grass):
    reminder_setup.plan.status = WorkPlan.Status.CLOSED
    reminder_setup.plan.save()
    assert report_services.reminders_send() == 0


def test_reminder_task_runs_the_service(reminder_setup, cadre_grass):
    from planning.tasks import send_report_reminders_task

    send_report_reminders_task.delay()
    assert Notification.objects.filter(recipient=cadre_grass).count() == 1


def test_late_submission_is_marked_late(project):
    period = past_period(project, 3)
    report = ReportFactory(
        project=project,
        period=period,
        first_submitted_at=timezone.make_aware(
            timezone.datetime.combine(
                period.deadline + timedelta(days=1), timezone.datetime.min.time()
            )
        ),
    )
    assert report.is_late
    on_time = ReportFactory(
        project=project,
        period=past_period(project, 4),
        first_submitted_at=timezone.make_aware(
            timezone.datetime.combine(date(2000, 1, 1), timezone.datetime.min.time())
        ),
    )
    assert not on_time.is_late


def test_cadres_of_other_unions_get_no_reminder(reminder_setup, outsider):
    UserFactory(union=reminder_setup.owner.parent, is_cadre=True)
    report_services.reminders_send(
        today=_deadline_day(reminder_setup) - timedelta(days=2)
    )
    assert not Notification.objects.filter(recipient=outsider).exists()


# --- who hears of what ----------------------------------------------------------------


def test_submitting_tells_the_reviewers_of_the_union_above(
    project, cadre_sub, cadre_grass, reviewer
):
    report = _new_report(project, cadre_grass.union_id)
    report_services.report_submit(report=report, data=DATA, version=0, by=cadre_grass)
    note = Notification.objects.get(kind="planning.report_submitted")
    # The sub-district's reviewer, not the district's: the nearest level reviews.
    assert note.recipient == cadre_sub
    assert not Notification.objects.filter(recipient=reviewer).exists()
    assert note.params["again"] is False
    assert note.url == f"/progress/reports/{report.pk}/"


def test_a_resubmission_says_so(project, cadre_sub, cadre_grass):
    report = ReportFactory(project=project, submitted_by=cadre_grass)
    report = report_services.report_review(
        report=report, by=cadre_sub, approve=False, comment="Add the sign-in sheet."
    )
    report_services.report_submit(
        report=report, data=DATA, version=report.version, by=cadre_grass
    )
    note = Notification.objects.get(kind="planning.report_submitted")
    assert note.display_title.startswith("Progress report resubmitted")


def test_handing_out_tells_the_receiving_units(item, grassroots, cadre_grass):
    [project] = plan_services.item_hand_out(item=item, unions=[grassroots])[0]
    note = Notification.objects.get(recipient=cadre_grass)
    assert note.kind == "planning.work_handed_out"
    assert note.url == project.get_absolute_url()
    assert item.title in note.display_title


def test_handing_out_in_a_draft_plan_tells_nobody_yet(item, grassroots, cadre_grass):
    item.plan.status = WorkPlan.Status.DRAFT
    item.plan.save()
    plan_services.item_hand_out(item=item, unions=[grassroots])
    assert not Notification.objects.exists()
    plan_services.plan_publish(plan=item.plan)
    assert Notification.objects.get(recipient=cadre_grass).kind == (
        "planning.work_handed_out"
    )


# --- progress figures that cannot contradict each other --------------------------------


def _saved(project, cadre, months_back=1, **data):
    report = _new_report(project, cadre.union_id, months_back)
    return report_services.report_save(
        report=report, data={**DATA, **data}, version=0, by=cadre
    )


def test_the_percent_follows_the_figure_unless_entered_by_hand(project, cadre_grass):
    project.target_value = Decimal("3000")
    project.save()
    report = _saved(
        project,
        cadre_grass,
        achieved_value=Decimal("1650"),
        percent_complete=Decimal("50.9"),
    )
    assert report.percent_complete == Decimal("55.0")
    report = report_services.report_save(
        report=report,
        data={
            **DATA,
            "achieved_value": Decimal("1650"),
            "percent_is_manual": True,
            "percent_complete": Decimal("50.9"),
        },
        version=report.version,
        by=cadre_grass,
    )
    report.refresh_from_db()
    assert (report.percent_is_manual, report.percent_complete) == (
        True,
        Decimal("50.9"),
    )
    assert report.percent_differs


def test_a_figure_below_the_last_approved_needs_a_reason(project, cadre_grass):
    ReportFactory(
        project=project,
        union=cadre_grass.union,
        period=past_period(project, 2),
        status="approved",
        achieved_value=Decimal("60"),
    )
    report = _new_report(project, cadre_grass.union_id)
    with pytest.raises(ValidationError) as refused:
        report_services.report_submit(
            report=report,
            data={**DATA, "achieved_value": Decimal("40")},
            version=0,
            by=cadre_grass,
        )
    assert "decrease_reason" in refused.value.message_dict
    assert not ProgressReport.objects.filter(period_start=report.period_start).exists()
    report = _new_report(project, cadre_grass.union_id)
    report = report_services.report_submit(
        report=report,
        data={
            **DATA,
            "achieved_value": Decimal("40"),
            "decrease_reason": "Duplicate sign-ins removed after an audit.",
        },
        version=0,
        by=cadre_grass,
    )
    assert report.status == "submitted"


def test_a_month_not_yet_ended_cannot_be_submitted(project, cadre_grass, settings):
    this_month = report_services.report_for_period(
        project=project,
        union_id=cadre_grass.union_id,
        period=past_period(project, 0),
    )
    with pytest.raises(ValidationError, match="has not ended yet"):
        report_services.report_submit(
            report=this_month, data=DATA, version=0, by=cadre_grass
        )
    assert not ProgressReport.objects.exists()
    # An office may open entry a few days before the month ends.
    settings.PROGRESS_ENTRY_OPENS_DAYS_BEFORE_MONTH_END = 31
    this_month = report_services.report_for_period(
        project=project,
        union_id=cadre_grass.union_id,
        period=past_period(project, 0),
    )
    report = report_services.report_submit(
        report=this_month, data=DATA, version=0, by=cadre_grass
    )
    assert report.status == "submitted"


def test_a_narrative_over_the_limit_is_refused(project, cadre_grass):
    with pytest.raises(ValidationError) as refused:
        _saved(project, cadre_grass, narrative="长" * 5001)
    assert "narrative" in refused.value.message_dict
    assert not ProgressReport.objects.exists()


def test_plan_actions_follow_the_status_and_the_editor(admin_user, leader, district):
    """One table (WorkPlan.TRANSITIONS) decides what the plan page offers and what
    the services accept."""
    from planning.models import WorkPlan

    expected = {
        WorkPlan.Status.DRAFT: {"edit", "hand_out", "publish"},
        WorkPlan.Status.PUBLISHED: {"edit", "hand_out", "close"},
        WorkPlan.Status.CLOSED: set(),
    }
    for year, (status, actions) in enumerate(expected.items(), start=2030):
        plan = WorkPlan.objects.create(
            owner=district, year=year, title=f"{year}", status=status
        )
        assert plan.allowed_actions(admin_user) == actions, status
        assert plan.allowed_actions(leader) == frozenset()


def test_report_actions_follow_the_status_and_the_persons_part():
    from planning.models import ProgressReport

    Status = ProgressReport.Status
    writer = {"can_write": True, "can_review": False}
    reviewer = {"can_write": False, "can_review": True}
    cases = {
        Status.DRAFT: ({"edit", "submit"}, set()),
        Status.SUBMITTED: (set(), {"approve", "return"}),
        Status.APPROVED: (set(), {"return"}),
        Status.RETURNED: ({"edit", "submit"}, {"approve"}),
    }
    for status, (for_writer, for_reviewer) in cases.items():
        report = ProgressReport(status=status)
        assert report.allowed_actions(**writer) == for_writer, status
        assert report.allowed_actions(**reviewer) == for_reviewer, status
        assert report.allowed_actions(can_write=False, can_review=False) == set()
