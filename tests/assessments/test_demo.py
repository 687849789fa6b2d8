from django.conf import settings
from django.utils import timezone

from accounts.demo import seed_demo_users
from assessments import demo
from assessments.models import Period, QuarterReport, QuarterReportFile, Scheme, Score
from unions.demo import seed_union_tree


def _context():
    unions = seed_union_tree()
    return {"unions": unions, "users": seed_demo_users(unions)}


def _snapshot():
    return (
        list(Scheme.objects.order_by("pk").values_list("year", "unit_level", "status")),
        list(Period.objects.order_by("pk").values_list("scheme_id", "kind", "status")),
        Score.objects.count(),
        list(
            QuarterReport.objects.order_by("pk").values_list(
                "period_id", "status", "unit_count"
            )
        ),
    )


def test_demo_fills_last_year_and_opens_the_current_quarter(db):
    demo.seed(_context())
    year = timezone.localdate().year
    quarter = f"q{(timezone.localdate().month - 1) // 3 + 1}"
    assert Scheme.objects.filter(status="active").count() == 4
    last_year = Period.objects.filter(scheme__year=year - 1)
    assert set(last_year.values_list("status", flat=True)) == {"published"}
    assert last_year.count() == 10  # two levels × (four quarters + the year)
    current = Period.objects.filter(scheme__year=year, kind=quarter)
    assert set(current.values_list("status", flat=True)) == {"open"}
    assert Score.objects.filter(period__in=current).exists()
    done = QuarterReport.objects.filter(status="done")
    assert done.filter(period__scheme__year=year - 1).count() == 10
    assert not QuarterReport.objects.exclude(status="done").exists()
    # The seed makes no .xlsx or .pdf itself (make run starts in seconds): with a
    # worker (Redis, as in CI) they wait for it; without one (Celery eager) they are
    # "not made" until someone asks for them.
    expected = "none" if settings.CELERY_TASK_ALWAYS_EAGER else "pending"
    assert set(done.values_list("files_status", flat=True)) == {expected}
    assert not QuarterReportFile.objects.exists()
    # This year's schemes are copies of last year's, reading activities and
    # training from the portal instead of scoring them by hand.
    for scheme in Scheme.objects.filter(year=year):
        assert scheme.copied_from.year == year - 1
        assert scheme.indicators.filter(method="activities").exists()
        assert not scheme.copied_from.indicators.filter(method="activities").exists()


def test_demo_is_idempotent(db):
    context = _context()
    demo.seed(context)
    first = _snapshot()
    demo.seed(context)
    assert _snapshot() == first
