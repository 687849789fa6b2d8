from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from unionportal.roles import Role
from unions.models import Union

from .. import selectors
from ..models import Period, QuarterReport, QuarterReportRow, Score
from ..versions import with_versions


def review_queue(user) -> list[dict]:
    """Units below the reviewer with self-scores not yet reviewed (2 queries)."""
    if not user.has_role(Role.REVIEWER):
        return []
    waiting = list(
        Score.objects.reviewable_by(user)
        .filter(self_score__isnull=False, reviewed_score__isnull=True)
        .values("period_id", "unit_id")
        .annotate(count=Count("pk"))
        .order_by("period_id", "unit_id")[:50]
    )
    if not waiting:
        return []
    periods = {
        p.pk: p
        for p in Period.objects.filter(
            pk__in={w["period_id"] for w in waiting}
        ).select_related("scheme")
    }
    units = {
        u.pk: u for u in Union.objects.filter(pk__in={w["unit_id"] for w in waiting})
    }
    return [
        {
            "period": periods[w["period_id"]],
            "unit": units[w["unit_id"]],
            "count": w["count"],
        }
        for w in waiting
    ]


@login_required
def assessments_home(request):
    user = request.user
    own_periods = (
        selectors.self_assessment_progress(user) if user.has_role(Role.CADRE) else []
    )
    overview = []
    if user.has_role(Role.ADMIN, Role.LEADER, Role.REVIEWER):
        # Every period, grouped by year (issue 16: 2025 Q1 must stay reachable).
        overview = selectors.periods_by_year(
            sorted(
                with_versions(Period.objects.visible_to(user).select_related("scheme")),
                key=selectors.period_order,
            )
        )
    has_scorecard = (
        bool(user.union_id)
        and QuarterReportRow.objects.filter(
            unit_id=user.union_id, report__status=QuarterReport.Status.DONE
        ).exists()
    )
    return render(
        request,
        "assessments/home.html",
        {
            "own_periods": own_periods,
            "queue": review_queue(user),
            "overview": overview,
            "has_scorecard": has_scorecard,
            "is_admin": user.has_role(Role.ADMIN),
        },
    )
