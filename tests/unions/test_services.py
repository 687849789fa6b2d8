from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Notification
from tests.accounts.factories import UserFactory
from tests.unions.factories import (
    PersonFactory,
    grassroots_factory,
    officer_factory,
    resident_id,
    term_factory,
)
from unions.models import OfficeTerm, Person, Position, Union
from unions.services import (
    person_find_or_create,
    position_add,
    term_close,
    term_open,
    term_reminders_send,
    term_update,
    union_activate,
    union_deactivate,
    union_update,
)


def test_moving_a_union_under_its_own_sub_union_is_refused(subdistrict, grassroots):
    with pytest.raises(ValidationError) as caught:
        union_update(union=subdistrict, parent=grassroots)
    assert "cannot be moved under itself" in str(caught.value)
    subdistrict.refresh_from_db()
    assert subdistrict.parent_id != grassroots.pk


def test_deactivating_a_union_with_active_sub_unions_is_refused(
    subdistrict, grassroots
):
    with pytest.raises(ValidationError) as caught:
        union_deactivate(union=subdistrict)
    assert "still active" in caught.value.messages[0]
    assert Union.objects.get(pk=subdistrict.pk).is_active


def test_deactivated_union_is_kept_and_can_be_activated_again(grassroots):
    union_deactivate(union=grassroots)
    assert Union.objects.get(pk=grassroots.pk).is_active is False
    union_activate(union=Union.objects.get(pk=grassroots.pk))
    assert Union.objects.get(pk=grassroots.pk).is_active is True


def test_a_union_with_an_open_term_cannot_open_a_second(grassroots):
    term_factory(grassroots)
    with pytest.raises(ValidationError):
        term_open(union=grassroots, start=date(2024, 1, 1), length_years=5)
    assert OfficeTerm.objects.filter(union=grassroots).count() == 1


def test_planned_end_follows_a_corrected_start(grassroots):
    term = term_factory(grassroots, start=date(2021, 3, 1), years=5)
    term_update(term=term, start=date(2024, 2, 29), length_years=3, number=1)
    term.refresh_from_db()
    assert term.planned_end == date(2027, 2, 28)


def test_closing_a_term_ends_its_offices(grassroots):
    term = term_factory(grassroots, start=date(2021, 3, 1))
    position = officer_factory(term, role=Position.Role.CHAIR)
    term_close(term=term, end=date(2026, 3, 5))
    position.refresh_from_db()
    assert (position.is_current, position.end) == (False, date(2026, 3, 5))
    term.refresh_from_db()
    assert term.closed
    assert term.actual_end == date(2026, 3, 5)


def test_a_term_has_one_current_chair(grassroots):
    term = term_factory(grassroots)
    officer_factory(term, role=Position.Role.CHAIR)
    with pytest.raises(ValidationError):
        officer_factory(term, role=Position.Role.CHAIR)


def test_known_id_number_reuses_the_person(grassroots):
    person = PersonFactory(union=grassroots, name="李明")
    found = person_find_or_create(
        union=grassroots, name="李明", id_number=person.id_number.lower()
    )
    assert found.pk == person.pk
    assert Person.objects.count() == 1


def test_known_id_number_with_another_name_is_refused(grassroots):
    person = PersonFactory(union=grassroots, name="李明")
    with pytest.raises(ValidationError) as caught:
        person_find_or_create(union=grassroots, name="王芳", id_number=person.id_number)
    assert "李明" in caught.value.messages[0]


def test_bad_id_number_is_refused_with_its_reason(grassroots):
    valid = resident_id()
    # Any other check digit is wrong (a fixed "0" was right for one number in 11).
    wrong = valid[:-1] + ("1" if valid[-1] == "0" else "0")
    with pytest.raises(ValidationError) as caught:
        person_find_or_create(union=grassroots, name="王芳", id_number=wrong)
    assert "check digit" in str(caught.value) or "has" in str(caught.value)


def test_birth_date_must_agree_with_the_id_number(grassroots):
    person = Person(
        union=grassroots,
        name="王芳",
        id_number=resident_id(date(1980, 5, 17)),
        birth_date=date(1981, 5, 17),
    )
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "birth_date" in caught.value.error_dict


def test_office_cannot_start_before_its_term(grassroots):
    term = term_factory(grassroots, start=date(2024, 1, 1))
    person = PersonFactory(union=grassroots)
    with pytest.raises(ValidationError):
        position_add(term=term, person=person, role="chair", start=date(2023, 1, 1))


# --- reminders --------------------------------------------------------------------------


@pytest.fixture
def due_term(grassroots):
    return term_factory(
        grassroots, planned_end=timezone.localdate() + timedelta(days=60)
    )


def test_reminder_reaches_admin_in_scope_and_cadres_of_the_union(
    due_term, admin_user, cadre_grass, outsider, leader
):
    term_reminders_send(at=timezone.localdate())
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {admin_user.username, cadre_grass.username}


def test_reminder_goes_out_once_per_threshold(due_term, admin_user, cadre_grass):
    today = timezone.localdate()
    term_reminders_send(at=today)
    term_reminders_send(at=today + timedelta(days=1))
    assert (
        Notification.objects.filter(dedupe_key=f"term-{due_term.pk}-due").count() == 2
    )
    assert term_reminders_send(at=today + timedelta(days=2)) == 0


def test_overdue_term_sends_a_second_reminder(due_term, admin_user, cadre_grass):
    today = timezone.localdate()
    term_reminders_send(at=today)
    term_reminders_send(at=due_term.planned_end + timedelta(days=1))
    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert keys == {f"term-{due_term.pk}-due", f"term-{due_term.pk}-overdue"}


def test_term_far_from_its_end_sends_nothing(grassroots, admin_user):
    term_factory(grassroots, planned_end=timezone.localdate() + timedelta(days=400))
    assert term_reminders_send(at=timezone.localdate()) == 0


def test_reminder_is_written_in_the_recipients_language(due_term, district):
    UserFactory(
        username="zh_admin", union=district, is_union_admin=True, language="zh-hans"
    )
    term_reminders_send(at=timezone.localdate())
    title = Notification.objects.get(recipient__username="zh_admin").title
    assert due_term.union.name_zh in title or "Term due" in title


def test_daily_task_sends_reminders(due_term, admin_user):
    from unions.tasks import term_reminders_task

    assert term_reminders_task.delay().get() == 1


def test_admin_of_another_subdistrict_is_not_reminded(due_term, other_subdistrict):
    UserFactory(username="other_admin", union=other_subdistrict, is_union_admin=True)
    term_reminders_send(at=timezone.localdate())
    assert not Notification.objects.filter(recipient__username="other_admin").exists()


def test_grassroots_factory_builds_paths(subdistrict):
    union = grassroots_factory(subdistrict)
    assert union.path.startswith(subdistrict.path)


def test_daily_reminder_job_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["unions-term-reminders"]
    assert entry["task"] == "unions.tasks.term_reminders_task"
