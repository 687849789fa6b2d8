"""Who is late: for the leader's dashboard and home page, by sub-district.

Each row is one sub-district (the sub-district union and the unions directly
below it) or the district level (the district's own union and what is not under
a sub-district), grouped as the term list groups them
(``unions.selectors.subdistrict_of_term``). Each figure is a count the list it
links to shows, with the same filters:

- progress reports late: deadline passed, not submitted
  (``planning:late_reports?area=``);
- delayed and at-risk key-work projects, the status the project list shows
  (``planning:project_list?area=&status=``);
- office terms overdue and due within six months (``unions:term_list?area=&status=``).

A constant number of queries (7), whatever the number of units; pages read
it through ``who_is_late_cached``.
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from planning.filters import area_choices
from planning.models import KeyWorkProject
from planning.selectors import late_slots, shown_version
from unionportal.access import scope_filter
from unionportal.cache import cached_part, scope_part
from unionportal.roles import Role
from unions.models import OfficeTerm, Union
from unions.selectors import DISTRICT_LEVEL, subdistrict_of_term

PROJECT_STATUSES = ("delayed", "at_risk")
TERM_STATUSES = ("overdue", "due")


@dataclass
class Figure:
    count: int
    url: str


@dataclass
class LateRow:
    area: str  # a sub-district's id, or DISTRICT_LEVEL
    label: str
    figures: dict = field(default_factory=dict)  # name -> Figure

    @property
    def total(self) -> int:
        return sum(f.count for f in self.figures.values())


FIGURES = ("late_reports", "delayed", "at_risk", "terms_overdue", "terms_due")


def _area_of(kind: str, pk: int, parent_id, parent_kind) -> str:
    if kind == Union.Kind.SUBDISTRICT:
        return str(pk)
    if kind in Union.GRASSROOTS_KINDS and parent_kind == Union.Kind.SUBDISTRICT:
        return str(parent_id)
    return DISTRICT_LEVEL


def _key(group) -> str:
    return DISTRICT_LEVEL if group is None else str(group)


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def who_is_late(user, *, today: date) -> list[LateRow]:
    """One row per area the user sees (the district level first, then the
    sub-districts by code), with the five figures and their links."""
    choices = area_choices(user)
    counts: dict = {key: dict.fromkeys(FIGURES, 0) for key, _label in choices}

    units = Union.objects.filter(scope_filter(user, "")).values_list(
        "pk", "kind", "parent_id", "parent__kind"
    )
    area_of = {
        pk: _area_of(kind, pk, parent, pk_kind) for pk, kind, parent, pk_kind in units
    }
    for slot in late_slots(union_ids=list(area_of), today=today):
        area = area_of.get(slot.union_id)
        if area in counts:
            counts[area]["late_reports"] += 1

    projects = (
        KeyWorkProject.objects.visible_to(user)
        .filter(status__in=PROJECT_STATUSES)
        .annotate(group=subdistrict_of_term("owner"))
        .values("group", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in projects:
        area = _key(row["group"])
        if area in counts:
            counts[area][row["status"]] += row["n"]

    terms = (
        OfficeTerm.objects.visible_to(user)
        .open()
        .with_status(today)
        .filter(status_today__in=TERM_STATUSES)
        .annotate(group=subdistrict_of_term())
        .values("group", "status_today")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in terms:
        area = _key(row["group"])
        if area in counts:
            counts[area][f"terms_{row['status_today']}"] += row["n"]

    rows = []
    for area, label in choices:
        n = counts[area]
        rows.append(
            LateRow(
                area=area,
                label=str(label),
                figures={
                    "late_reports": Figure(
                        n["late_reports"], _url("planning:late_reports", area=area)
                    ),
                    "delayed": Figure(
                        n["delayed"],
                        _url(
                            "planning:project_list",
                            area=area,
                            status=KeyWorkProject.Status.DELAYED,
                        ),
                    ),
                    "at_risk": Figure(
                        n["at_risk"],
                        _url(
                            "planning:project_list",
                            area=area,
                            status=KeyWorkProject.Status.AT_RISK,
                        ),
                    ),
                    "terms_overdue": Figure(
                        n["terms_overdue"],
                        _url(
                            "unions:term_list",
                            area=area,
                            status=OfficeTerm.Status.OVERDUE,
                        ),
                    ),
                    "terms_due": Figure(
                        n["terms_due"],
                        _url(
                            "unions:term_list", area=area, status=OfficeTerm.Status.DUE
                        ),
                    ),
                },
            )
        )
    return rows


def _parts(user, today: date) -> tuple:
    """What the figures depend on: the reader's scope and role, the day, and the
    latest change of plans, projects, reports, unions and terms (2 queries)."""
    return (
        scope_part(user),
        user.has_role(Role.ADMIN),
        today,
        shown_version(),
    )


def who_is_late_cached(user, *, today: date, parts: tuple | None = None):
    """``who_is_late``, kept in the cache (2 queries on a hit): at city scale the
    late reports are a walk over every project's reporting periods."""
    return cached_part(
        "assessments:who_is_late",
        parts or _parts(user, today),
        lambda: who_is_late(user, today=today),
        timeout=900,
    )


# A city leader's table has a row for each of 150 sub-districts (157 KB of
# links): the dashboard shows the rows with the most to chase, the rest on the
# full list (``views.reports.who_is_late``), which the dashboard swaps in on
# asking.
FOLDED_ROWS = 15


def chase_order(rows: list[LateRow]) -> list[LateRow]:
    """The rows with the most to chase first (all five figures together); equal
    ones in their usual order (the district level, then by code)."""
    return sorted(rows, key=lambda row: -row.total)


def who_is_late_panel(request, *, today: date, everything: bool = False) -> str:
    """The dashboard's "who is late" table, rendered once per change of its data
    (2 queries on a hit): folded to the ``FOLDED_ROWS`` rows with the most to
    chase when there are more, unless ``everything``. A district leader's few
    rows are shown as they are, in their usual order."""
    user = request.user
    parts = _parts(user, today)
    return cached_part(
        "assessments:who_is_late_panel",
        (*parts, everything),
        lambda: _render_panel(
            who_is_late_cached(user, today=today, parts=parts), today, everything
        ),
        timeout=900,
    )


def _render_panel(rows: list[LateRow], today: date, everything: bool) -> str:
    many = len(rows) > FOLDED_ROWS
    if many:
        rows = chase_order(rows)
    shown = rows if everything else rows[:FOLDED_ROWS]
    return render_to_string(
        "assessments/partials/who_is_late.html",
        {
            "late_rows": shown,
            "late_labels": figure_labels(),
            "today": today,
            "late_count": len(rows),
            "late_ordered": many,
            "late_folded": len(shown) < len(rows),
        },
    )


def totals(rows: list[LateRow]) -> dict[str, int]:
    return {name: sum(r.figures[name].count for r in rows) for name in FIGURES}


def figure_labels() -> list[tuple[str, str]]:
    return [
        ("late_reports", _("Reports late")),
        ("delayed", _("Projects delayed")),
        ("at_risk", _("Projects at risk")),
        ("terms_overdue", _("Terms overdue")),
        ("terms_due", _("Terms due within six months")),
    ]
