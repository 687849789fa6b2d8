import pytest
from django.utils import translation

from tests.unions.factories import PersonFactory
from unionportal.history import history_rows
from unions.masking import PERSONAL_FIELDS
from unions.models import Person

pytestmark = pytest.mark.django_db


def _records(person):
    return Person.history.filter(id=person.pk).select_related("history_user")


def test_a_change_names_the_field_with_old_and_new_values(grassroots):
    person = PersonFactory(union=grassroots, name="王芳")
    person.name = "王芳芳"
    person.save()
    with translation.override("en"):
        rows = history_rows((None, _records(person)))
    assert [row.kind for row in rows] == ["Changed", "New record"]
    [change] = rows[0].changes
    assert (change.field, change.old, change.new) == ("full name", "王芳", "王芳芳")


def test_a_save_without_a_visible_change_is_left_out(grassroots):
    person = PersonFactory(union=grassroots)
    person.save()
    assert len(history_rows((None, _records(person)))) == 1


def test_personal_fields_are_masked_when_asked(grassroots):
    person = PersonFactory(union=grassroots, phone="13800001234")
    person.phone = "13900005678"
    person.save()
    [change] = history_rows((None, _records(person)), masks=PERSONAL_FIELDS)[0].changes
    assert change.old == "138****1234"
    assert change.new == "139****5678"
    [plain] = history_rows((None, _records(person)))[0].changes
    assert plain.new == "13900005678"


def test_sets_of_several_models_merge_newest_first(grassroots):
    first = PersonFactory(union=grassroots, name="甲")
    second = PersonFactory(union=grassroots, name="乙")
    rows = history_rows(
        (lambda r: "first", _records(first)),
        (lambda r: "second", _records(second)),
        limit=1,
    )
    assert [row.subject for row in rows] == ["second"]


def test_rows_cost_no_query_beyond_the_records(grassroots, django_assert_num_queries):
    person = PersonFactory(union=grassroots)
    for name in ("一", "二", "三"):
        person.name = name
        person.save()
    records = list(_records(person))
    with django_assert_num_queries(0):
        assert len(history_rows((None, records))) == 4


def test_times_in_a_history_are_the_readers_local_time_to_the_minute():
    """A report submitted at 10:00 in Beijing is stored as 02:00 UTC; the history
    says 10:00, as the pages do, and dates without a time."""
    from datetime import UTC, date, datetime

    from django.db import models

    from unionportal.history import _display

    when = models.DateTimeField(name="submitted_at")
    day = models.DateField(name="due_date")
    stored = datetime(2026, 10, 4, 2, 0, tzinfo=UTC)
    assert _display(when, stored, {}) == "2026-10-04 10:00"
    assert _display(day, date(2026, 10, 5), {}) == "2026-10-05"
