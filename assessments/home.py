"""What the assessment needs from a user now, for the home page (constant queries)."""

from functools import lru_cache

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.cache import (
    cached_part,
    latest_changes,
    once_per_request,
    reader_part,
)
from unionportal.home import HomeTask
from unionportal.pagination import capped_count
from unionportal.roles import Role

from .models import Indicator, Period, QuarterReport, Scheme, Score
from .selectors import self_assessment_progress


def self_assessment_version() -> tuple:
    """When a score, a period, a scheme or an indicator was last written (1 query,
    four index reads), read once per request.

    Read from their history tables (``history_date``, indexed): every save through
    the ORM writes a history row (services, the API, imports, the admin, a scheme's
    version bump with ``update_fields``), and so does every deletion, which an
    ``updated_at`` would not show (a score or an indicator deleted in the admin)."""
    return once_per_request(
        "assessments:self_assessment_version", _self_assessment_version
    )


def _self_assessment_version() -> tuple:
    return latest_changes(*_histories(), column="history_date")


@lru_cache(maxsize=1)
def _histories() -> tuple:
    # Looked up once: ``Model.history`` builds a new manager class on every access.
    return tuple(model.history.model for model in (Score, Period, Scheme, Indicator))


def _self_assessment(user) -> list[HomeTask]:
    """Kept per union, under the assessment's version and the day: three queries
    (with their compiling, 4 ms) on every visit of every cadre otherwise. The
    union's kind and path are in the key since they choose the schemes (the
    level, the owners above it); the language by ``cached_part``."""
    if not user.union_id:
        return []
    union = user.union
    return cached_part(
        "assessments:home_self",
        (
            user.union_id,
            union.kind,
            union.path,
            timezone.localdate(),
            self_assessment_version(),
        ),
        lambda: _self_assessment_now(user),
    )


def _self_assessment_now(user) -> list[HomeTask]:
    progress = self_assessment_progress(user)
    if not progress:
        return []
    items, missing = [], 0
    for item in progress:
        period = item["period"]
        left = max(item["manual"] - item["entered"], 0)
        missing += left
        url = reverse("assessments:unit_scoring", args=[period.pk, user.union_id])
        items.append((f"{period.label}: {left}", url))
    return [
        HomeTask(
            title=_("Self-assessment to enter"),
            count=missing,
            url=items[0][1],
            icon="clipboard-check",
            tone="warning" if missing else "success",
            detail=_("Indicators of your union still without a self-score."),
            items=items[:3],
        )
    ]


def _reviews(user) -> list[HomeTask]:
    """Kept per reader under the assessment's version (scores reviewed, periods
    opened or closed) and the unions' (the units in the reader's scope): the
    count scans a city's open scores (3 ms) on every visit otherwise."""
    from unions.selectors import data_version as unions_version

    return cached_part(
        "assessments:home_reviews",
        (reader_part(user), self_assessment_version(), unions_version()),
        lambda: _reviews_now(user),
    )


def _reviews_now(user) -> list[HomeTask]:
    # Counted up to a cap ("200+"): a city reviewer's open quarters hold
    # hundreds of thousands of scores, and the home page needs no exact figure.
    waiting = capped_count(
        Score.objects.reviewable_by(user)
        .filter(self_score__isnull=False, reviewed_score__isnull=True)
        .order_by()
    )
    return [
        HomeTask(
            title=_("Self-scores to review"),
            count=waiting,
            url=reverse("assessments:home"),
            icon="clipboard-check",
            tone="primary",
            detail=_("Scores of the units below you that wait for a reviewed score."),
        )
    ]


def _admin(user) -> list[HomeTask]:
    latest = QuarterReport.objects.filter(period=OuterRef("pk"), is_current=True)
    periods = (
        Period.objects.editable_by(user)
        .filter(status=Period.Status.CLOSED)
        .annotate(
            built=Exists(latest),
            failed=Exists(latest.filter(status=QuarterReport.Status.FAILED)),
            done=Exists(latest.filter(status=QuarterReport.Status.DONE)),
        )
        .aggregate(
            to_build=Count("pk", filter=Q(built=False) | Q(failed=True)),
            to_publish=Count("pk", filter=Q(done=True)),
        )
    )
    count = periods["to_build"] + periods["to_publish"]
    return [
        HomeTask(
            title=_("Closed periods to finish"),
            count=count,
            url=reverse("assessments:home"),
            icon="clipboard-data",
            tone="danger" if periods["to_build"] else "primary",
            detail=_(
                "%(build)s reports to build, %(publish)s periods ready to publish."
            )
            % {"build": periods["to_build"], "publish": periods["to_publish"]},
        )
    ]


def _leader(user) -> list[HomeTask]:
    """What a leader should look at now: the latest published results and the
    units that fell most in them, then who is late (reports, projects, terms) by
    sub-district. A constant number of queries (4 and those of
    ``lateness.who_is_late``)."""
    from .dashboards import dashboard_periods  # kept per reader, as the dashboard's
    from .lateness import who_is_late_cached
    from .models import QuarterReportRow

    tasks = []
    latest = next(
        (p for p in dashboard_periods(user) if p.shown_report.is_published), None
    )
    if latest is not None:
        rows = QuarterReportRow.objects.filter(report_id=latest.shown_report.pk)
        counts = rows.aggregate(
            fell=Count("pk", filter=Q(change__lt=0)),
            overdue=Count("pk", filter=Q(overdue_months__gt=0)),
        )
        falls = rows.filter(change__lt=0).select_related("unit")
        url = reverse("assessments:dashboard") + f"?period={latest.pk}"
        tasks.append(
            HomeTask(
                title=_("Published results to look at"),
                count=counts["fell"],
                url=url,
                icon="graph-down-arrow",
                tone="warning" if counts["fell"] else "success",
                detail=_(
                    "%(period)s · %(level)s. Units that fell since the previous "
                    "period: %(fell)s; units with an overdue office term: "
                    "%(overdue)s."
                )
                % {
                    "period": latest.label,
                    "level": latest.scheme.get_unit_level_display(),
                    "fell": counts["fell"],
                    "overdue": counts["overdue"],
                },
                items=[
                    (
                        f"{row.unit.name} {row.change:+}",
                        reverse("assessments:unit_scorecard", args=[row.unit_id])
                        + f"?period={latest.pk}",
                    )
                    for row in falls.order_by("change", "unit__path")[:3]
                ],
            )
        )
    late = who_is_late_cached(user, today=timezone.localdate())

    def task(name, title, url, icon, detail):
        areas = sorted(
            (r for r in late if r.figures[name].count),
            key=lambda r: -r.figures[name].count,
        )
        return HomeTask(
            title=title,
            count=sum(r.figures[name].count for r in late),
            url=url,
            icon=icon,
            tone="danger",
            detail=detail,
            items=[
                (
                    _("%(area)s: %(count)s")
                    % {"area": r.label, "count": r.figures[name].count},
                    r.figures[name].url,
                )
                for r in areas[:3]
            ],
        )

    tasks += [
        task(
            "late_reports",
            _("Progress reports late"),
            reverse("planning:late_reports"),
            "alarm",
            _("Deadline passed, not submitted. Most in:"),
        ),
        task(
            "delayed",
            _("Key-work projects delayed"),
            reverse("planning:project_list") + "?status=delayed",
            "exclamation-triangle",
            _("Behind their schedule. Most in:"),
        ),
        task(
            "terms_overdue",
            _("Office terms overdue"),
            reverse("unions:term_list") + "?status=overdue",
            "calendar-x",
            _("Past their planned end. Most in:"),
        ),
    ]
    return tasks


def home_tasks(user) -> list[HomeTask]:
    tasks: list[HomeTask] = []
    if not user.is_authenticated:
        return tasks
    if user.has_role(Role.CADRE):
        tasks += _self_assessment(user)
    if user.has_role(Role.REVIEWER):
        tasks += _reviews(user)
    if user.has_role(Role.ADMIN):
        tasks += _admin(user)
    if user.has_role(Role.LEADER):
        tasks += _leader(user)
    return tasks
