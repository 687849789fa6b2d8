"""What the office terms ask of the signed-in user, for the home page."""

from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unionportal.cache import cached_part, scope_part
from unionportal.home import HomeTask
from unionportal.roles import Role

from .models import OfficeTerm, TermChange
from .selectors import data_version
from .workflow import NEXT_STEP, STEP_ACTIONS, UNION_STEPS

ITEMS = 5
APPROVAL_STATES = [
    state for state, step in NEXT_STEP.items() if step not in UNION_STEPS
]  # the change waits for the higher union in these states
UNION_STATES = [state for state, step in NEXT_STEP.items() if step in UNION_STEPS]


def home_tasks(user) -> list[HomeTask]:
    if not user.is_authenticated:
        return []
    if user.has_role(Role.ADMIN):
        return _admin_tasks(user)
    if user.has_role(Role.CADRE) and user.union_id:
        return _cadre_tasks(user)
    return []


def _items(queryset, label):
    return [(label(obj), obj.get_absolute_url()) for obj in queryset[:ITEMS]]


def _admin_tasks(user) -> list[HomeTask]:
    # Counting a city's terms costs tens of milliseconds on every visit to the home
    # page; the tasks are cached under the unions' data version (and the day).
    today = timezone.localdate()
    return cached_part(
        "unions:home_admin",
        (scope_part(user), today, data_version()),
        lambda: _admin_tasks_at(user, today),
    )


def _admin_tasks_at(user, today) -> list[HomeTask]:
    terms = OfficeTerm.objects.visible_to(user).open().with_status(today)
    counts = terms.aggregate(
        overdue=Count("pk", filter=Q(status_today="overdue")),
        due=Count("pk", filter=Q(status_today="due")),
    )
    dashboard = reverse("unions:term_list")
    overdue = terms.filter(status_today="overdue").select_related("union")
    due = terms.filter(status_today="due").select_related("union")
    waiting = list(
        TermChange.objects.visible_to(user)
        .filter(state__in=APPROVAL_STATES)
        .select_related("union")
        .annotate(total=Window(Count("pk")))
        .order_by("updated_at", "pk")[:ITEMS]
    )
    waiting_count = waiting[0].total if waiting else 0
    return [
        HomeTask(
            title=_("Overdue office terms"),
            count=counts["overdue"],
            url=f"{dashboard}?status=overdue",
            icon="exclamation-octagon",
            tone="danger",
            detail=_("The planned end has passed and no new term has been elected."),
            items=_items(overdue.order_by("planned_end"), lambda t: t.union.name)
            if counts["overdue"]
            else [],
        ),
        HomeTask(
            title=_("Office terms falling due"),
            count=counts["due"],
            url=f"{dashboard}?status=due",
            icon="calendar-event",
            tone="warning",
            detail=_("These terms end within six months: their changes should start."),
            items=_items(due.order_by("planned_end"), lambda t: t.union.name)
            if counts["due"]
            else [],
        ),
        HomeTask(
            title=_("Changes of term awaiting approval"),
            count=waiting_count,
            url=f"{reverse('unions:change_list')}?waiting=1",
            icon="patch-check",
            tone="primary",
            items=[
                (
                    f"{c.union.name}: {STEP_ACTIONS[NEXT_STEP[c.state]]}",
                    c.get_absolute_url(),
                )
                for c in waiting
            ],
        ),
    ]


def _cadre_tasks(user) -> list[HomeTask]:
    # Two queries and their compiling (2 ms) on every visit of every cadre: kept
    # per union under the unions' data version (terms, changes of term) and the
    # day, which makes a term fall due or overdue.
    today = timezone.localdate()
    return cached_part(
        "unions:home_cadre",
        (user.union_id, today, data_version()),
        lambda: _cadre_tasks_at(user.union_id, today),
    )


def _cadre_tasks_at(union_id: int, today) -> list[HomeTask]:
    term = (
        OfficeTerm.objects.filter(union_id=union_id).open().with_status(today).first()
    )
    tasks = []
    Status = OfficeTerm.Status
    if term is not None and term.status_today in (Status.DUE, Status.OVERDUE):
        overdue = term.status_today == Status.OVERDUE
        tasks.append(
            HomeTask(
                title=_("Your union's term is overdue")
                if overdue
                else _("Your union's term falls due"),
                count=1,
                url=term.get_absolute_url(),
                icon="exclamation-octagon" if overdue else "calendar-event",
                tone="danger" if overdue else "warning",
                detail=_("Term %(number)s, planned end %(end)s.")
                % {"number": term.number, "end": date_format(term.planned_end)},
            )
        )
    change = (
        TermChange.objects.filter(union_id=union_id, state__in=UNION_STATES)
        .select_related("union")
        .first()
    )
    tasks.append(
        HomeTask(
            title=_("Change of term: your next step"),
            count=1 if change else 0,
            url=change.get_absolute_url() if change else reverse("unions:change_list"),
            icon="people",
            tone="primary",
            detail=str(STEP_ACTIONS[NEXT_STEP[change.state]]) if change else "",
        )
    )
    return tasks
