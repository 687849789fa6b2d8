"""Reads of unions and office terms, with everything their pages show loaded."""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unionportal.access import union_in_scope
from unionportal.cache import latest_changes, once_per_request

from .dates import add_months, whole_months_after
from .models import OfficeTerm, Position, TermChange, TermChangeStep, Union


def overdue_term_months(*, union_ids: list[int], at: date) -> dict[int, int]:
    """For each union, how many whole months its current term is overdue at `at`
    (0 when on time, no term, or overdue by less than a month). One query."""
    return {
        **dict.fromkeys(union_ids, 0),
        **overdue_terms(union_ids=union_ids, at=at),
    }


def overdue_terms(*, union_ids: list[int], at: date) -> dict[int, int]:
    """The unions among ``union_ids`` whose current term is overdue at `at` (its
    planned end has passed), each with the whole months it is overdue: 0 for a
    term overdue by days, which is overdue all the same. One query.

    "Current at `at`" means the term that had started and had not yet ended on
    that day, so a past period is judged by the terms as they stood then.
    """
    result: dict[int, int] = {}
    rows = (
        OfficeTerm.objects.filter(
            union_id__in=union_ids, start__lte=at, planned_end__lt=at
        )
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gt=at))
        .values_list("union_id", "planned_end")
    )
    for union_id, planned_end in rows:
        months = whole_months_after(planned_end, at)
        result[union_id] = max(result.get(union_id, 0), months)
    return result


def data_version() -> tuple:
    """When a union, an office term or a change of term was last saved (1 query,
    three index reads).

    Lists and dashboards of unions and terms are cached under this version (see
    ``unionportal.cache``): any save through the ORM moves it on.
    """
    return once_per_request("unions:data_version", _data_version)


def _data_version() -> tuple:
    return latest_changes(Union, OfficeTerm, TermChange)


def open_terms_prefetch(at: date, to_attr: str = "open_terms") -> Prefetch:
    return Prefetch(
        "terms",
        queryset=OfficeTerm.objects.open().with_status(at),
        to_attr=to_attr,
    )


def unions_for_list(queryset, at: date):
    """Unions with their parent and their current term (and its status) loaded."""
    return queryset.select_related("parent").prefetch_related(open_terms_prefetch(at))


def unions_for_page(queryset, at: date):
    """The union list's rows: only the columns it shows, the parent's name, and
    the current term with its status."""
    terms = (
        OfficeTerm.objects.open()
        .with_status(at)
        .only("union_id", "number", "planned_end", "actual_end")
    )
    return (
        queryset.select_related("parent")
        .only(*LIST_COLUMNS, "parent__name_zh", "parent__name_en")
        .prefetch_related(Prefetch("terms", queryset=terms, to_attr="open_terms"))
    )


LIST_COLUMNS = (
    "name_zh",
    "name_en",
    "code",
    "kind",
    "is_active",
    "member_count",
    "parent",
)


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
ATTENTION = ("due", "overdue")
GROUPS_PER_PAGE = 10
TERMS_PER_GROUP = 5


def subdistrict_of_term(field: str = "union"):
    """SQL for the sub-district union a term's union (or the union at ``field``
    of another model) belongs to: the union itself for a sub-district union, its
    higher union for a grassroots union under a sub-district, and NULL above the
    sub-districts ("district level")."""
    return Case(
        When(**{f"{field}__kind": Union.Kind.SUBDISTRICT}, then=F(f"{field}_id")),
        When(
            **{
                f"{field}__kind__in": Union.GRASSROOTS_KINDS,
                f"{field}__parent__kind": Union.Kind.SUBDISTRICT,
            },
            then=F(f"{field}__parent_id"),
        ),
        default=None,
        output_field=IntegerField(),
    )


def in_subdistrict(union_id: int | None, field: str = "union") -> Q:
    """The terms (or rows whose union is at ``field``; "" for unions themselves)
    whose ``subdistrict_of_term()`` is ``union_id`` (``None``: the district
    level), as a filter the term list, the project list and the late reports
    apply too."""
    prefix = f"{field}__" if field else ""
    own = f"{field}_id" if field else "pk"
    under = Q(**{f"{prefix}kind__in": Union.GRASSROOTS_KINDS}) & Q(
        **{f"{prefix}parent__kind": Union.Kind.SUBDISTRICT}
    )
    if union_id is None:
        return ~Q(**{f"{prefix}kind": Union.Kind.SUBDISTRICT}) & ~under
    return Q(**{own: union_id, f"{prefix}kind": Union.Kind.SUBDISTRICT}) | (
        under & Q(**{f"{prefix}parent_id": union_id})
    )


@dataclass
class SubdistrictGroup:
    union: Union | None
    label: str
    overdue: int = 0
    due: int = 0
    terms: list = field(default_factory=list)  # the most urgent few
    linkable: bool = False  # the reader may open the sub-district's page

    @property
    def total(self) -> int:
        return self.overdue + self.due

    @property
    def more(self) -> int:
        return self.total - len(self.terms)

    @property
    def area(self) -> str:
        """The term list's ``area`` value for this group."""
        return str(self.union.pk) if self.union else DISTRICT_LEVEL


DISTRICT_LEVEL = "district"


def term_dashboard(user, *, at: date, page: str | int | None = 1) -> dict:
    """Counts by status; due and overdue terms counted by sub-district, a page of
    sub-districts (most overdue first) with their few most urgent terms; and the
    planned ends of the next 12 months. A fixed number of queries (7), whatever
    the number of unions: nothing here lists every due term."""
    visible = OfficeTerm.objects.visible_to(user)
    counts = dict.fromkeys(["current", "due", "overdue"], 0)
    per_group: dict[int | None, dict[str, int]] = {}
    for row in (
        visible.open()
        .with_status(at)
        .annotate(group=subdistrict_of_term())
        .values("group", "status_today")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["status_today"]] += row["n"]
        if row["status_today"] in ATTENTION:
            per_group.setdefault(row["group"], {})[row["status_today"]] = row["n"]
    year_start = at.replace(month=1, day=1)
    counts["closed"] = visible.filter(
        closed=True, actual_end__gte=year_start, actual_end__lte=at
    ).count()
    visible_unions = Union.objects.visible_to(user).filter(is_active=True)
    counts["without_term"] = visible_unions.exclude(terms__closed=False).count()

    unions = Union.objects.only("name_zh", "name_en", "path").in_bulk(
        [key for key in per_group if key is not None]
    )
    groups = sorted(
        (
            SubdistrictGroup(
                union=unions.get(key),
                label=unions[key].name if key in unions else _("District level"),
                overdue=n.get("overdue", 0),
                due=n.get("due", 0),
                linkable=key in unions and union_in_scope(user, unions[key]),
            )
            for key, n in per_group.items()
        ),
        key=lambda g: (-g.overdue, -g.total, g.label),
    )
    group_page = Paginator(groups, GROUPS_PER_PAGE).get_page(page)
    _add_most_urgent(visible, group_page.object_list, at)

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
        "groups": group_page.object_list,
        "group_page": group_page,
        "attention_count": counts["due"] + counts["overdue"],
        "chart": chart,
        "chart_total": sum(per_month.values()),
    }


def _add_most_urgent(visible, groups: list[SubdistrictGroup], at: date) -> None:
    """Fills each group's ``terms`` with its most urgent due or overdue terms
    (earliest planned end first), for the given groups only (1 query)."""
    if not groups:
        return
    wanted = Q()
    for group in groups:
        wanted |= in_subdistrict(group.union.pk if group.union else None)
    terms = (
        current_terms(visible, at)
        .filter(status_today__in=ATTENTION)
        .filter(wanted)
        .annotate(
            group=subdistrict_of_term(),
            urgency=Window(
                RowNumber(),
                partition_by=[subdistrict_of_term()],
                order_by=[F("planned_end").asc(), F("pk").asc()],
            ),
        )
        .filter(urgency__lte=TERMS_PER_GROUP)
        .order_by("planned_end", "pk")
    )
    by_key = {group.union.pk if group.union else None: group for group in groups}
    for term in terms:
        by_key[term.group].terms.append(term)


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
