"""Reads of unions and office terms, with everything their pages show loaded."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .dates import add_months, whole_months_after
from .models import OfficeTerm, Position, TermChange, TermChangeStep, Union


def overdue_term_months(*, union_ids: list[int], at: date) -> dict[int, int]:
    """For each union, how many whole months its current term is overdue at `at`
    (0 when on time or no term). One query.

    "Current at `at`" means the term that had started and had not yet ended on
    that day, so a past period is judged by the terms as they stood then.
    """
    result = dict.fromkeys(union_ids, 0)
    rows = (
        OfficeTerm.objects.filter(
            union_id__in=union_ids, start__lte=at, planned_end__lt=at
        )
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gt=at))
        .values_list("union_id", "planned_end")
    )
    for union_id, planned_end in rows:
        result[union_id] = max(result[union_id], whole_months_after(planned_end, at))
    return result


def open_terms_prefetch(at: date, to_attr: str = "open_terms") -> Prefetch:
    return Prefetch(
        "terms",
        queryset=OfficeTerm.objects.open().with_status(at),
        to_attr=to_attr,
    )


def unions_for_list(queryset, at: date):
    """Unions with their parent and their current term (and its status) loaded."""
    return queryset.select_related("parent").prefetch_related(open_terms_prefetch(at))


def union_detail(union: Union, *, at: date, children_limit: int = 50) -> dict:
    terms = list(
        OfficeTerm.objects.filter(union=union).with_status(at).order_by("-number")
    )
    current = next((t for t in terms if not t.closed), None)
    officers = []
    if current is not None:
        officers = list(
            Position.objects.filter(term=current, is_current=True)
            .select_related("person")
            .ordered_by_role()
        )
    children_qs = union.children.all().order_by("-is_active", "code")
    children = list(
        children_qs.prefetch_related(open_terms_prefetch(at))[:children_limit]
    )
    child_count = union.children.count()
    changes = list(
        TermChange.objects.filter(union=union)
        .select_related("old_term", "new_term")
        .order_by("-created_at", "-pk")[:10]
    )
    return {
        "terms": terms,
        "current_term": current,
        "officers": officers,
        "children": children,
        "child_count": child_count,
        "active_change": next((c for c in changes if c.is_active), None),
        "changes": changes,
    }


def current_terms(queryset, at: date):
    """Open terms with their union, its parent and their status on ``at``."""
    return queryset.open().with_status(at).select_related("union", "union__parent")


STATUS_ORDER = ("overdue", "due", "current")


@dataclass
class SubdistrictGroup:
    union: Union | None
    label: str
    terms: list = field(default_factory=list)


def term_dashboard(user, *, at: date) -> dict:
    """Counts by status, due and overdue terms grouped by sub-district, and the
    planned ends of the next 12 months. A fixed number of queries."""
    visible = OfficeTerm.objects.visible_to(user)
    counts = dict.fromkeys(["current", "due", "overdue"], 0)
    for row in (
        visible.open().with_status(at).values("status_today").annotate(n=Count("pk"))
    ):
        counts[row["status_today"]] = row["n"]
    year_start = at.replace(month=1, day=1)
    counts["closed"] = visible.filter(
        closed=True, actual_end__gte=year_start, actual_end__lte=at
    ).count()
    visible_unions = Union.objects.visible_to(user).filter(is_active=True)
    counts["without_term"] = visible_unions.exclude(terms__closed=False).count()

    attention = list(
        current_terms(visible, at)
        .filter(status_today__in=["due", "overdue"])
        .order_by("planned_end")
    )
    groups = _group_by_subdistrict(attention)

    horizon_start = at.replace(day=1)
    horizon_end = add_months(horizon_start, 12)
    per_month = {
        row["month"]: row["n"]
        for row in visible.open()
        .filter(planned_end__gte=horizon_start, planned_end__lt=horizon_end)
        .annotate(month=TruncMonth("planned_end"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    months = [add_months(horizon_start, i) for i in range(12)]
    chart = _term_end_chart(months, per_month)
    return {
        "counts": counts,
        "groups": groups,
        "attention_count": len(attention),
        "chart": chart,
        "chart_total": sum(per_month.values()),
    }


def _group_by_subdistrict(terms: list[OfficeTerm]) -> list[SubdistrictGroup]:
    """Groups terms under their sub-district union: the union itself for a
    sub-district, its higher union for a grassroots union, "district level" above.
    The unions' parents are already loaded, so grouping costs no query."""
    groups: dict[int | None, SubdistrictGroup] = {}
    for term in terms:
        union = term.union
        if union.kind == Union.Kind.SUBDISTRICT:
            group_union = union
        elif union.is_grassroots and union.parent_id:
            group_union = union.parent
        else:
            group_union = None
        key = group_union.pk if group_union else None
        if key not in groups:
            groups[key] = SubdistrictGroup(
                union=group_union,
                label=group_union.name if group_union else _("District level"),
            )
        groups[key].terms.append(term)
    return sorted(
        groups.values(),
        key=lambda g: (
            -sum(1 for t in g.terms if t.status_today == "overdue"),
            -len(g.terms),
            g.label,
        ),
    )


def _term_end_chart(months: list[date], per_month: dict) -> dict:
    # TruncMonth gives a date on a DateField (a datetime on some backends).
    counts = {(k.date() if hasattr(k, "date") else k): v for k, v in per_month.items()}
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [date_format(m, "Y-m") for m in months],
            "axisLabel": {"rotate": 45},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("Terms ending"),
                "type": "bar",
                "data": [counts.get(m, 0) for m in months],
                "itemStyle": {"color": "#a4231b"},
                "barMaxWidth": 32,
            }
        ],
    }


def change_steps(change: TermChange) -> list[TermChangeStep]:
    return list(change.steps.select_related("by").order_by("created_at", "pk"))
