from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.unions.factories import officer_factory, resident_id, term_factory
from unions import workflow
from unions.models import OfficeTerm, Person, Position, TermChange, TermChangeStep
from unions.workflow import Officer, term_change_advance, term_change_plan

State = TermChange.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def old_term(grassroots, today):
    term = term_factory(grassroots, planned_end=today + timedelta(days=30))
    officer_factory(term, role=Position.Role.CHAIR, name="老主席")
    officer_factory(term, role=Position.Role.VICE_CHAIR, name="老副主席")
    return term


@pytest.fixture
def change(old_term, admin_user, today):
    return term_change_plan(
        union=old_term.union, by=admin_user, day=today - timedelta(days=10)
    )


OFFICERS = [
    Officer(name="新主席", role=Position.Role.CHAIR, gender="female"),
    Officer(name="新副主席", role=Position.Role.VICE_CHAIR, id_number=resident_id()),
    Officer(name="新委员", role=Position.Role.COMMITTEE_MEMBER),
]


def _advance_to(change, state, by, today):
    order = [
        State.SUBMITTED,
        State.APPROVED,
        State.ELECTION_HELD,
        State.RESULT_APPROVED,
    ]
    for step in order:
        change = term_change_advance(
            change=change,
            step=step,
            by=by,
            day=today - timedelta(days=5),
            officers=OFFICERS if step == State.ELECTION_HELD else None,
        )
        if step == state:
            return change
    return change


def test_planning_records_the_first_step(change, old_term):
    assert change.state == State.PLANNED
    assert change.old_term == old_term
    assert list(change.steps.values_list("step", flat=True)) == [State.PLANNED]


def test_second_change_for_the_same_union_is_refused(change, admin_user, today):
    with pytest.raises(ValidationError):
        term_change_plan(union=change.union, by=admin_user, day=today)


def test_transition_out_of_order_is_refused_and_changes_nothing(
    change, admin_user, today
):
    with pytest.raises(ValidationError) as caught:
        term_change_advance(
            change=change, step=State.APPROVED, by=admin_user, day=today
        )
    assert "Request submitted" in caught.value.messages[0]
    change.refresh_from_db()
    assert change.state == State.PLANNED
    assert change.steps.count() == 1


def test_completing_before_the_result_is_approved_is_refused(
    change, admin_user, today, old_term
):
    change = _advance_to(change, State.ELECTION_HELD, admin_user, today)
    with pytest.raises(ValidationError):
        term_change_advance(
            change=change, step=State.COMPLETED, by=admin_user, day=today
        )
    assert OfficeTerm.objects.get(pk=old_term.pk).closed is False


def test_completion_closes_old_term_and_opens_new_with_elected_officers(
    change, admin_user, today, old_term
):
    change = _advance_to(change, State.RESULT_APPROVED, admin_user, today)
    change = term_change_advance(
        change=change, step=State.COMPLETED, by=admin_user, day=today
    )
    old_term.refresh_from_db()
    assert old_term.closed
    assert old_term.actual_end == today - timedelta(days=5)
    assert not old_term.positions.filter(is_current=True).exists()
    new_term = change.new_term
    assert (new_term.number, new_term.closed) == (old_term.number + 1, False)
    assert new_term.start == today - timedelta(days=5)
    names = set(new_term.positions.values_list("person__name", flat=True))
    assert names == {"新主席", "新副主席", "新委员"}
    assert change.state == State.COMPLETED


def test_failure_in_the_middle_of_completion_changes_nothing(
    change, admin_user, today, old_term, monkeypatch
):
    change = _advance_to(change, State.RESULT_APPROVED, admin_user, today)
    calls = []

    def failing_position_add(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(**kwargs)

    original = workflow.position_add
    monkeypatch.setattr(workflow, "position_add", failing_position_add)
    with pytest.raises(RuntimeError):
        term_change_advance(
            change=change, step=State.COMPLETED, by=admin_user, day=today
        )
    old_term.refresh_from_db()
    assert old_term.closed is False
    assert old_term.actual_end is None
    assert old_term.positions.filter(is_current=True).count() == 2
    assert OfficeTerm.objects.filter(union=old_term.union).count() == 1
    assert not Person.objects.filter(name="新主席").exists()
    change.refresh_from_db()
    assert change.state == State.RESULT_APPROVED
    assert not change.steps.filter(step=State.COMPLETED).exists()


def test_election_needs_exactly_one_chair(change, admin_user, today):
    change = _advance_to(change, State.APPROVED, admin_user, today)
    with pytest.raises(ValidationError) as caught:
        term_change_advance(
            change=change,
            step=State.ELECTION_HELD,
            by=admin_user,
            day=today,
            officers=[Officer(name="甲", role=Position.Role.VICE_CHAIR)],
        )
    assert "one chair" in caught.value.messages[0]
    change.refresh_from_db()
    assert change.state == State.APPROVED


def test_bad_id_number_of_an_elected_officer_is_refused(change, admin_user, today):
    change = _advance_to(change, State.APPROVED, admin_user, today)
    with pytest.raises(ValidationError):
        term_change_advance(
            change=change,
            step=State.ELECTION_HELD,
            by=admin_user,
            day=today,
            officers=[
                Officer(
                    name="甲", role=Position.Role.CHAIR, id_number="110105194912310021"
                )
            ],
        )
    assert TermChange.objects.get(pk=change.pk).elected.count() == 0


def test_step_date_in_the_future_is_refused(change, admin_user, today):
    with pytest.raises(ValidationError) as caught:
        term_change_advance(
            change=change,
            step=State.SUBMITTED,
            by=admin_user,
            day=today + timedelta(days=1),
        )
    assert "future" in str(caught.value)


def test_step_date_before_the_previous_step_is_refused(change, admin_user, today):
    with pytest.raises(ValidationError):
        term_change_advance(
            change=change,
            step=State.SUBMITTED,
            by=admin_user,
            day=today - timedelta(days=30),
        )


def test_step_document_is_stored_under_a_random_name(
    change, admin_user, today, media_root
):
    document = SimpleUploadedFile("../请示.pdf", PDF, content_type="application/pdf")
    term_change_advance(
        change=change, step=State.SUBMITTED, by=admin_user, day=today, document=document
    )
    step = TermChangeStep.objects.get(change=change, step=State.SUBMITTED)
    assert step.document_name == "请示.pdf"
    assert ".." not in step.document.name
    assert step.document.name.endswith(".pdf")


def _stored_files(media_root) -> list:
    return (
        [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    )


def test_a_step_document_is_removed_when_its_transaction_rolls_back(
    change, admin_user, today, media_root, monkeypatch
):
    # The database fails after the document was written (issue 14): the step is
    # rolled back, and its file must not stay on disk without it.
    from django.db import DatabaseError

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    document = SimpleUploadedFile("请示.pdf", PDF, content_type="application/pdf")
    monkeypatch.setattr(TermChange, "save", failing_save)
    with pytest.raises(DatabaseError):
        term_change_advance(
            change=change,
            step=State.SUBMITTED,
            by=admin_user,
            day=today,
            document=document,
        )
    monkeypatch.undo()
    assert not TermChangeStep.objects.filter(change=change, step=State.SUBMITTED)
    assert _stored_files(media_root) == []
    change.refresh_from_db()
    assert change.state == State.PLANNED


def test_a_plan_that_fails_after_its_document_was_stored_leaves_no_file(
    grassroots, admin_user, today, media_root, monkeypatch
):
    from django.db import DatabaseError

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("disk full")

    document = SimpleUploadedFile("计划.pdf", PDF, content_type="application/pdf")
    monkeypatch.setattr(TermChangeStep, "save", failing_save)
    with pytest.raises(DatabaseError):
        term_change_plan(union=grassroots, by=admin_user, day=today, document=document)
    monkeypatch.undo()
    assert not TermChange.objects.filter(union=grassroots).exists()
    assert _stored_files(media_root) == []


def test_a_stored_step_document_stays_when_the_step_commits(
    change, admin_user, today, media_root
):
    document = SimpleUploadedFile("请示.pdf", PDF, content_type="application/pdf")
    term_change_advance(
        change=change, step=State.SUBMITTED, by=admin_user, day=today, document=document
    )
    assert len(_stored_files(media_root)) == 1


def test_step_document_of_a_wrong_type_is_refused(change, admin_user, today):
    document = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError):
        term_change_advance(
            change=change,
            step=State.SUBMITTED,
            by=admin_user,
            day=today,
            document=document,
        )
    assert TermChange.objects.get(pk=change.pk).state == State.PLANNED


def test_cancelling_needs_a_reason_and_ends_the_change(change, admin_user, today):
    with pytest.raises(ValidationError):
        workflow.term_change_cancel(change=change, by=admin_user, day=today, comment="")
    workflow.term_change_cancel(
        change=change, by=admin_user, day=today, comment="合并到上级工会"
    )
    change.refresh_from_db()
    assert change.state == State.CANCELLED
    with pytest.raises(ValidationError):
        term_change_advance(
            change=change, step=State.SUBMITTED, by=admin_user, day=today
        )


@pytest.mark.parametrize(
    ("step", "allowed"),
    [
        (State.PLANNED, True),
        (State.SUBMITTED, True),
        (State.APPROVED, False),
        (State.ELECTION_HELD, True),
        (State.RESULT_APPROVED, False),
        (State.COMPLETED, False),
        (State.CANCELLED, False),
    ],
)
def test_cadre_takes_only_the_steps_their_union_carries_out(
    cadre_grass, grassroots, step, allowed
):
    assert workflow.can_take_step(cadre_grass, grassroots, step) is allowed


def test_cadre_takes_no_step_for_another_union(cadre_grass, grassroots_sibling):
    assert not workflow.can_take_step(cadre_grass, grassroots_sibling, State.PLANNED)


def test_leader_takes_no_step(leader, grassroots):
    assert not workflow.can_take_step(leader, grassroots, State.PLANNED)


def test_admin_takes_every_step(admin_user, grassroots):
    assert all(
        workflow.can_take_step(admin_user, grassroots, step) for step in State.values
    )
