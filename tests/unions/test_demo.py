from django.utils import timezone

from accounts.demo import seed_demo_users
from unions import demo
from unions.models import OfficeTerm, Person, TermChange


def _seed():
    context = {"unions": demo.seed_union_tree()}
    context["users"] = seed_demo_users(context["unions"])
    demo.seed(context)
    return context


def _counts():
    return (
        OfficeTerm.objects.count(),
        Person.objects.count(),
        TermChange.objects.count(),
    )


def test_demo_seed_is_idempotent(db):
    _seed()
    counts = _counts()
    _seed()
    assert _counts() == counts


def test_demo_gives_term_histories_two_overdue_terms_and_three_changes_under_way(db):
    # Seeding is the slow part, so one test looks at everything the demo promises.
    unions = _seed()["unions"]
    terms = OfficeTerm.objects.open().with_status(timezone.localdate())
    assert terms.count() == len(unions)
    with_history = set(
        OfficeTerm.objects.filter(closed=True).values_list("union_id", flat=True)
    )
    assert with_history == {u.pk for u in unions.values()}
    assert terms.filter(status_today="overdue").count() == 2
    assert terms.filter(status_today="due").count() >= 3
    states = list(TermChange.objects.active().values_list("state", flat=True))
    assert len(states) == len(set(states)) == 3
    person = Person.objects.exclude(id_number="").first()
    person.full_clean()
