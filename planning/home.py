"""What planning asks of the user on the home page (constant number of queries)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.cache import cached_part, reader_part
from unionportal.home import HomeTask
from unionportal.pagination import capped_count
from unionportal.roles import Role

from .models import KeyWorkProject, ProgressReport, WorkPlan
from .selectors import outstanding_slots, shown_version


def home_tasks(user) -> list[HomeTask]:
    """Kept in the cache under the reader, the day and the latest change of plans,
    projects, reports and unions: a cadre's reports owed are worked out from
    each project's reporting periods, a reviewer's counts read a city's reports."""
    return cached_part(
        "planning:home_tasks",
        (reader_part(user), timezone.localdate(), shown_version()),
        lambda: _home_tasks(user),
    )


def _home_tasks(user) -> list[HomeTask]:
    tasks: list[HomeTask] = []
    if user.has_role(Role.CADRE) and user.union_id:
        tasks.extend(_cadre_tasks(user))
    if user.has_role(Role.REVIEWER):
        tasks.append(
            HomeTask(
                title=_("Progress reports waiting for your review"),
                count=waiting_count(user),
                url=reverse("planning:review_queue"),
                icon="clipboard-check",
                tone="primary",
            )
        )
        tasks.append(
            HomeTask(
                title=_("Self-chosen projects waiting for your approval"),
                count=proposals_count(user),
                url=reverse("planning:project_list") + "?origin=to_decide",
                icon="patch-question",
                tone="primary",
            )
        )
    if user.has_role(Role.ADMIN):
        drafts = list(
            WorkPlan.objects.editable_by(user)
            .filter(status=WorkPlan.Status.DRAFT)
            .order_by("-year")
        )
        tasks.append(
            HomeTask(
                title=_("Draft plans to publish"),
                count=len(drafts),
                url=reverse("planning:plan_list"),
                icon="journal-text",
                tone="primary",
                items=[(p.title, p.get_absolute_url()) for p in drafts[:3]],
            )
        )
        # "200+" past 200: a city has 140,000 delayed projects, and counting
        # them costs a tenth of a second on every visit to the home page.
        delayed = KeyWorkProject.objects.visible_to(user).filter(
            status=KeyWorkProject.Status.DELAYED,
            plan__status=WorkPlan.Status.PUBLISHED,
        )
        tasks.append(
            HomeTask(
                title=_("Delayed key-work projects"),
                count=capped_count(delayed.order_by("due_date", "title", "pk")),
                url=reverse("planning:project_list") + "?status=delayed",
                icon="exclamation-triangle",
                tone="danger",
            )
        )
    return tasks


def waiting_count(user) -> int:
    """Reports waiting for the reviewer's decision, at every level below them;
    "200+" past 200. Counted in the review queue's order, along the index
    report_status_submitted: an exact count of a city's waiting reports makes
    the database join and sort every one of them (90 ms)."""
    waiting = ProgressReport.objects.reviewable_by(user).filter(
        status=ProgressReport.Status.SUBMITTED
    )
    return capped_count(waiting.order_by("submitted_at", "pk"))


def proposals_count(user) -> int:
    """Self-chosen projects waiting for the reviewer's approval ("200+" past
    200): the rows of the project list's ``?origin=to_decide``."""
    awaiting = KeyWorkProject.objects.proposals_awaiting(user)
    return capped_count(awaiting.order_by("due_date", "title", "pk"))


def _cadre_tasks(user) -> list[HomeTask]:
    today = timezone.localdate()
    slots = outstanding_slots(union_ids=[user.union_id], today=today)
    late = [s for s in slots if s.state == "late"]
    returned = [s for s in slots if s.state == "returned"]
    due = [s for s in slots if s.state in ("due", "draft")]
    url = reverse("planning:progress_home")

    def items(chosen):
        return [
            (
                f"{s.project.title} · {s.period.label}",
                reverse("planning:report_entry", args=[s.project.pk])
                + f"?period={s.period.start:%Y-%m-%d}",
            )
            for s in chosen[:3]
        ]

    return [
        HomeTask(
            title=_("Returned progress reports to correct"),
            count=len(returned),
            url=url,
            icon="arrow-return-left",
            tone="warning",
            items=items(returned),
        ),
        HomeTask(
            title=_("Late progress reports"),
            count=len(late),
            url=url,
            icon="alarm",
            tone="danger",
            items=items(late),
        ),
        HomeTask(
            title=_("Progress reports due"),
            count=len(due),
            url=url,
            icon="pencil-square",
            tone="primary",
            items=items(due),
        ),
    ]
