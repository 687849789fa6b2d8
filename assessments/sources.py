"""The facts that automatic indicators read from the lower apps.

The two functions below are the contracts of docs/architecture.md
(``planning.selectors.assessment_facts`` and ``unions.selectors.overdue_term_months``),
each a constant number of queries whatever the number of units. They are imported
directly: assessments sits above planning and unions, and a missing selector must
fail loudly rather than score every automatic indicator 0.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Subquery

from planning.models import Category, KeyWorkProject, ProgressReport, WorkPlan
from planning.rules import completion_share
from planning.selectors import assessment_facts
from unions.models import Union
from unions.selectors import overdue_term_months, overdue_terms


@dataclass(frozen=True)
class EmptyFacts:
    """Stands in for ``planning.selectors.UnitPlanningFacts`` when a unit has none."""

    completion_weighted: float = 0.0
    completion_weight_total: float = 0.0
    projects_due: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    events_held: int = 0
    trainees: int = 0
    publicity: dict = field(default_factory=dict)


EMPTY_FACTS = EmptyFacts()


def planning_facts(
    *, union_ids: list[int], start: date, end: date, union_query=None
) -> dict:
    """``{union_id: UnitPlanningFacts}`` for the period; missing units have none.
    ``union_query`` (the same units' ids as a queryset) lets the database join
    them instead of matching every row against a list of 15,000 ids."""
    return assessment_facts(
        union_ids=list(union_ids), start=start, end=end, union_query=union_query
    )


def overdue_months(*, union_ids: list[int], at: date) -> dict[int, int]:
    """``{union_id: whole months its current office term is overdue at ``at``}``."""
    return overdue_term_months(union_ids=list(union_ids), at=at)


def overdue_below(*, root_path: str, union_ids, at: date) -> dict[int, tuple]:
    """For each of ``union_ids``, the active units strictly below it (within the
    tree at ``root_path``) whose office term is overdue at ``at``, by days or
    by months: ``((name_zh, name_en, whole months), ...)``, most overdue first,
    then by code. Two queries: the units of the tree, and ``overdue_terms``."""
    wanted = set(union_ids)
    units = list(
        Union.objects.filter(path__startswith=root_path, is_active=True)
        .order_by("code")
        .values_list("pk", "path", "name_zh", "name_en")
    )
    months = overdue_terms(union_ids=[u[0] for u in units], at=at)
    found: dict = {}
    for pk, path, name_zh, name_en in units:
        if pk not in months:
            continue
        overdue = months[pk]
        for ancestor in path.strip("/").split("/")[:-1]:
            if int(ancestor) in wanted:
                found.setdefault(int(ancestor), []).append(
                    (name_zh, name_en or name_zh, overdue)
                )
    return {
        pk: tuple(sorted(rows, key=lambda row: -row[2])) for pk, rows in found.items()
    }


def facts_for(facts: dict, union_id: int):
    return facts.get(union_id) or EMPTY_FACTS


def key_work_by_category(
    *, union_ids: list[int], year: int, end: date, union_query=None
) -> dict:
    """Key-work completion by planning category at ``end``, for the dashboard.

    Every project of the year's published (or closed) plans that the units own and
    that had started by ``end``: Σ(weight × min(achieved ÷ target, 1)) ÷ Σ weight,
    with "achieved" taken from the owner's latest approved report up to ``end`` (the
    same reading as ``planning.selectors.assessment_facts``). One query.
    Returns ``{category: {"weighted", "weight", "projects"}}``.
    """
    # The owner's latest approved report with a value, looked up by the database
    # for each project (the unique (project, union, period_start) index serves it)
    # rather than reading every approved report of the year's projects.
    latest = (
        ProgressReport.objects.filter(
            project=OuterRef("pk"),
            union=OuterRef("owner"),
            status=ProgressReport.Status.APPROVED,
            period_end__lte=end,
            achieved_value__isnull=False,
        )
        .order_by("-period_start")
        .values("achieved_value")[:1]
    )
    projects = (
        KeyWorkProject.objects.counted()
        .filter(
            owner_id__in=list(union_ids) if union_query is None else union_query,
            plan__status__in=WorkPlan.COUNTED_STATUSES,
            plan__year=year,
            start_date__lte=end,
        )
        .annotate(achieved=Subquery(latest))
        .order_by()
        .values_list("category", "weight", "target_value", "achieved")
    )
    result: dict = {}
    for category, weight, target, achieved in projects:
        entry = result.get(category)
        if entry is None:
            entry = result[category] = {"weighted": 0.0, "weight": 0.0, "projects": 0}
        share = completion_share(achieved, target)
        entry["weighted"] += float(weight * share)
        entry["weight"] += float(weight)
        entry["projects"] += 1
    return result


def category_label(code: str) -> str:
    """The planning category's name in the reader's language."""
    try:
        return str(Category(code).label)
    except ValueError:
        return code
