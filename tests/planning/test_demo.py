from django.db.models import Count

from accounts.demo import seed_demo_users
from planning import demo
from planning.models import (
    ActivityEvent,
    KeyWorkProject,
    ProgressReport,
    WorkPlan,
)
from unions.demo import seed_union_tree


def _context():
    unions = seed_union_tree()
    return {"unions": unions, "users": seed_demo_users(unions)}


def _snapshot():
    return (
        WorkPlan.objects.count(),
        KeyWorkProject.objects.count(),
        ProgressReport.objects.count(),
        ActivityEvent.objects.count(),
        list(
            ProgressReport.objects.order_by("pk").values_list(
                "status", "achieved_value"
            )
        ),
    )


def test_demo_has_the_promised_spread(db):
    context = _context()
    demo.seed(context)
    assert set(WorkPlan.objects.values_list("status", flat=True)) == {
        "published",
        "closed",
    }
    current = KeyWorkProject.objects.filter(plan__status="published")
    assert current.count() >= 30
    assert current.values("category").distinct().count() >= 8
    assert current.filter(owner__code="JB-S02-G02").exists()
    assert current.filter(owner__code="JB-S01").exists()
    statuses = dict(
        ProgressReport.objects.values_list("status").annotate(n=Count("pk"))
    )
    assert {"approved", "submitted", "returned"} <= set(statuses)
    assert any(
        r.is_late for r in ProgressReport.objects.exclude(first_submitted_at=None)
    )
    kinds = set(ActivityEvent.objects.values_list("kind", flat=True))
    assert kinds == {"activity", "training", "publicity"}


def test_demo_seeding_is_idempotent(db):
    context = _context()
    demo.seed(context)
    before = _snapshot()
    demo.seed(_context())
    assert _snapshot() == before
