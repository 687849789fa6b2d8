import pytest
from django.utils import timezone

from accounts.demo import seed_demo_users
from unions import demo
from unions.models import OfficeTerm, Person, TermChange


def _seed():
    context = {"unions": demo.seed_union_tree()}
    context["users"] = seed_demo_users(context["unions"])
    demo.seed(context)
    return context


@pytest.fixture
def seeded(db):
    return _seed()


def test_demo_seed_is_idempotent(seeded):
    counts = (
        OfficeTerm.objects.count(),
        Person.objects.count(),
        TermChange.objects.count(),
    )
    _seed()
    assert (
        OfficeTerm.objects.count(),
        Person.objects.count(),
        TermChange.objects.count(),
    ) == counts


def test_every_demo_union_has_a_current_term_and_closed_ones(seeded):
    open_terms = OfficeTerm.objects.open()
    assert open_terms.count() == len(seeded["unions"])
    closed_unions = set(
        OfficeTerm.objects.filter(closed=True).values_list("union_id", flat=True)
    )
    assert closed_unions == {u.pk for u in seeded["unions"].values()}


def test_demo_has_exactly_two_overdue_terms_and_some_due(seeded):
    terms = OfficeTerm.objects.open().with_status(timezone.localdate())
    assert terms.filter(status_today="overdue").count() == 2
    assert terms.filter(status_today="due").count() >= 3


def test_demo_has_three_changes_under_way_at_three_steps(seeded):
    states = list(TermChange.objects.active().values_list("state", flat=True))
    assert len(states) == len(set(states)) == 3


def test_demo_officers_have_valid_id_numbers(seeded):
    person = Person.objects.exclude(id_number="").first()
    person.full_clean()
    assert person.id_number.startswith("99")
