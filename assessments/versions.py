"""Report versions: which version of a period's report each reader reads, the
published (pinned) version, and the rules a rebuild uses (docs/design.md §5).

Every build of a finished report makes a new numbered version; earlier versions
keep their rows and files. Two marks say which version is which:

- ``is_current``: the latest build, what administrators see, check and publish;
- ``is_published``: the version that was published. Units and leaders read it,
  also after a reopen and rebuild, until another version is published.
"""

from django.db import transaction
from django.db.models import FilteredRelation, Max, Q, Value
from django.utils import timezone

from unionportal.access import union_in_scope
from unionportal.roles import Role

from .models import Period, QuarterReport

# Heavy JSON that lists of periods never read.
_LIST_DEFER = ("rules", "summary")


def with_versions(periods):
    """``periods`` with ``period.report`` (the latest version) and
    ``period.published_report`` loaded in the same query, for lists."""
    return (
        periods.annotate(
            versions_loaded=Value(True),
            current_version=FilteredRelation(
                "reports", condition=Q(reports__is_current=True)
            ),
            published_version=FilteredRelation(
                "reports", condition=Q(reports__is_published=True)
            ),
        )
        .select_related("current_version", "published_version")
        .defer(*(f"{name}__{field}" for name in _MARKED for field in _LIST_DEFER))
    )


_MARKED = ("current_version", "published_version")


def sees_provisional(user, period: Period) -> bool:
    """Administrators of the scheme's owner read the latest version (provisional
    until published); everyone else reads the published one."""
    return user.has_role(Role.ADMIN) and union_in_scope(user, period.scheme.owner)


def reader_filter(user, prefix: str = "") -> Q:
    """The versions ``user`` reads, as a filter on QuarterReport (``prefix`` for a
    lookup through a relation, e.g. ``"report__"``): the latest finished version
    for an administrator, the published version for everyone else."""
    done = Q(**{f"{prefix}status": QuarterReport.Status.DONE})
    if user.has_role(Role.ADMIN):
        return done & Q(**{f"{prefix}is_current": True})
    return done & Q(**{f"{prefix}is_published": True})


def report_for_reader(period: Period, user) -> QuarterReport | None:
    """The version of the period's report that ``user`` reads (see above)."""
    report = period.report if sees_provisional(user, period) else None
    if report is None or not report.is_done:
        report = period.published_report
    return report if report is not None and report.is_done else None


def next_version(period: Period) -> QuarterReport:
    """A new latest version of the period's report, waiting to be built (inside
    the caller's transaction, with the period locked). The earlier versions keep
    their rows and files; the published one stays pinned."""
    top = QuarterReport.objects.filter(period=period).aggregate(n=Max("number"))["n"]
    QuarterReport.objects.filter(period=period, is_current=True).update(
        is_current=False
    )
    return QuarterReport.objects.create(
        period=period, number=(top or 0) + 1, is_current=True
    )


@transaction.atomic
def pin(report: QuarterReport) -> QuarterReport:
    """Publishing pins ``report``: it becomes the period's published version."""
    QuarterReport.objects.filter(period_id=report.period_id, is_published=True).exclude(
        pk=report.pk
    ).update(is_published=False)
    report.is_published = True
    report.published_at = timezone.now()
    report.save(update_fields=["is_published", "published_at"])
    return report


def stored_rules(period: Period) -> dict | None:
    """The rules a rebuild of ``period`` uses: once a period was published, those
    stored with its published version (so a past quarter is never rebuilt with
    today's scheme); None before the first publication (the scheme as it is now).

    The exemptions are not taken from the snapshot: like scores, they are the
    units' data that a reopen exists to correct.
    """
    rules = (
        QuarterReport.objects.filter(period=period, is_published=True)
        .values_list("rules", flat=True)
        .first()
    )
    return rules or None


def versions_of(period: Period) -> list[QuarterReport]:
    """Every version of the period's report, newest first, for the version list."""
    return list(
        QuarterReport.objects.filter(period=period)
        .select_related("built_by")
        .prefetch_related("files")
        .defer(*_LIST_DEFER)
        .order_by("-number")
    )
