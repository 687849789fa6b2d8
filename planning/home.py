"""What planning asks of the user on the home page (constant number of queries)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.home import HomeTask

from .models import KeyWorkProject, ProgressReport, WorkPlan
from .selectors import outstanding_slots


def home_tasks(user) -> list[HomeTask]:
    tasks: list[HomeTask] = []
    if user.has_role("cadre") and user.union_id:
        tasks.extend(_cadre_tasks(user))
    if user.has_role("reviewer"):
        waiting = ProgressReport.objects.reviewable_by(user).filter(status="submitted")
        count = waiting.count()
        tasks.append(
            HomeTask(
                title=_("Progress reports waiting for your review"),
                count=count,
                url=reverse("planning:review_queue"),
                icon="clipboard-check",
                tone="primary",
            )
        )
    if user.has_role("admin"):
        drafts = list(
            WorkPlan.objects.editable_by(user).filter(status="draft").order_by("-year")
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
        delayed = KeyWorkProject.objects.visible_to(user).filter(
            status="delayed", plan__status="published"
        )
        tasks.append(
            HomeTask(
                title=_("Delayed key-work projects"),
                count=delayed.count(),
                url=reverse("planning:project_list") + "?status=delayed",
                icon="exclamation-triangle",
                tone="danger",
            )
        )
    return tasks


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
