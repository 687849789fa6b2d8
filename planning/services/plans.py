"""Plans, their items, handing items out to units, projects and milestones."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unions.models import Union

from .. import rules
from ..models import KeyWorkProject, Milestone, PlanItem, ProgressReport, WorkPlan
from . import notify

PLAN_FIELDS = (
    "title",
    "year",
    "description",
    "reporting_frequency",
    "report_due_days",
)
ITEM_FIELDS = (
    "category",
    "title",
    "description",
    "target_value",
    "target_unit",
    "weight",
    "due_date",
)
PROJECT_FIELDS = (
    "title",
    "category",
    "responsible_person",
    "responsible_user",
    "target_value",
    "target_unit",
    "weight",
    "start_date",
    "due_date",
)


def _set(obj, data: dict, fields) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _check_unique_year(plan: WorkPlan) -> None:
    clash = WorkPlan.objects.filter(owner_id=plan.owner_id, year=plan.year)
    if plan.pk:
        clash = clash.exclude(pk=plan.pk)
    if clash.exists():
        raise ValidationError(
            {
                "year": _("This union already has a plan for %(year)s.")
                % {"year": plan.year}
            }
        )


def plan_create(*, owner: Union, data: dict) -> WorkPlan:
    plan = WorkPlan(owner=owner)
    _set(plan, data, PLAN_FIELDS)
    _check_unique_year(plan)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_update(*, plan: WorkPlan, data: dict) -> WorkPlan:
    if not plan.allows("edit"):
        raise ValidationError(_("A closed plan cannot be changed."))
    _set(plan, data, PLAN_FIELDS)
    _check_unique_year(plan)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_publish(*, plan: WorkPlan) -> WorkPlan:
    if not plan.allows("publish"):
        raise ValidationError(_("Only a draft plan can be published."))
    if not plan.items.exists():
        raise ValidationError(_("Add at least one item before publishing the plan."))
    plan.status = WorkPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.full_clean()
    plan.save()
    projects_refresh(projects=plan.projects.all(), notify_delays=False)
    notify.work_handed_out(
        projects=list(plan.projects.select_related("owner")), by_union=plan.owner
    )
    return plan


@transaction.atomic
def plan_close(*, plan: WorkPlan) -> WorkPlan:
    if not plan.allows("close"):
        raise ValidationError(_("Only a published plan can be closed."))
    plan.status = WorkPlan.Status.CLOSED
    plan.closed_at = timezone.now()
    plan.full_clean()
    plan.save()
    return plan


def _plan_editable(plan: WorkPlan) -> None:
    if not plan.allows("edit"):
        raise ValidationError(_("A closed plan cannot be changed."))


def item_save(*, item: PlanItem, data: dict) -> PlanItem:
    _plan_editable(item.plan)
    _set(item, data, ITEM_FIELDS)
    if not item.pk and not item.order:
        item.order = item.plan.items.count() + 1
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def _give_each(
    unions: list[Union], *, work, existing, start: date, **fields
) -> tuple[list[KeyWorkProject], int]:
    """A project of ``work`` (a plan item, or a project handed down as itself)
    for each union that has none yet: its title, category, target, weight and
    due date, from ``start``. Returns the new projects and how many unions were
    skipped."""
    if start > work.due_date:
        raise ValidationError(
            {"start_date": _("The start cannot be after the item's due date.")}
        )
    existing = set(existing)
    created = []
    skipped = 0
    for union in {u.pk: u for u in unions}.values():
        if union.pk in existing:
            skipped += 1
            continue
        project = KeyWorkProject(
            owner=union,
            title=work.title,
            category=work.category,
            target_value=work.target_value,
            target_unit=work.target_unit,
            weight=work.weight,
            start_date=start,
            due_date=work.due_date,
            **fields,
        )
        project.full_clean()
        project.save()
        project_refresh(project=project, notify_delay=False)
        created.append(project)
    return created, skipped


def item_hand_out(
    *,
    item: PlanItem,
    unions: list[Union],
    start_date: date | None = None,
    responsible_person: str = "",
    by_union: Union | None = None,
) -> tuple[list[KeyWorkProject], int]:
    """Gives each union its own project for ``item`` with the item's default target.

    Unions that already have a project for the item keep it (no duplicate).
    Returns the new projects and how many unions were skipped.
    """
    _plan_editable(item.plan)
    start = start_date or date(item.plan.year, 1, 1)
    created, skipped = _give_each(
        unions,
        work=item,
        existing=item.projects.values_list("owner_id", flat=True),
        start=start,
        plan=item.plan,
        item=item,
        responsible_person=responsible_person,
    )
    if item.plan.status == WorkPlan.Status.PUBLISHED:
        # Units of a draft plan hear of their work when the plan is published.
        notify.work_handed_out(projects=created, by_union=by_union or item.plan.owner)
    return created, skipped


@transaction.atomic
def project_hand_down(
    *, project: KeyWorkProject, unions: list[Union], start_date: date | None = None
) -> tuple[list[KeyWorkProject], int]:
    """Hands a union's own project down to units below it (分解下达): each gets its
    own project of the same plan item, as the district's hand-out does, and hears
    of it. Units that already have a project of the item keep it. An approved
    self-chosen project, which runs no item, is handed down as itself."""
    owner = project.owner
    if owner.is_grassroots:
        raise ValidationError(_("A grassroots union has no units to hand work to."))
    outside = [
        u for u in unions if not (u.path.startswith(owner.path) and u.pk != owner.pk)
    ]
    if outside or any(not u.is_active for u in unions):
        raise ValidationError(
            {
                "unions": _("Hand work only to active units below %(union)s.")
                % {"union": owner.name}
            }
        )
    if project.item_id is not None:
        return item_hand_out(
            item=project.item,
            unions=unions,
            start_date=start_date or project.start_date,
            by_union=owner,
        )
    return _self_chosen_hand_down(
        project=project, unions=unions, start=start_date or project.start_date
    )


def _self_chosen_hand_down(
    *, project: KeyWorkProject, unions: list[Union], start: date
) -> tuple[list[KeyWorkProject], int]:
    """An approved self-chosen project runs no plan item: each unit gets a copy
    of the project itself (its target, unit, weight and due date), handed out
    to it (not self-chosen by it), once."""
    if project.proposal_status != KeyWorkProject.Proposal.APPROVED:
        raise ValidationError(
            _("A self-chosen project is handed down once it has been approved.")
        )
    created, skipped = _give_each(
        unions,
        work=project,
        existing=project.handed_down.values_list("owner_id", flat=True),
        start=start,
        plan=project.plan,
        handed_down_from=project,
    )
    notify.work_handed_out(projects=created, by_union=project.owner)
    return created, skipped


@transaction.atomic
def project_update(
    *, project: KeyWorkProject, data: dict, participants=None
) -> KeyWorkProject:
    _plan_editable(project.plan)
    _set(project, data, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    if participants is not None:
        project.participants.set([u for u in participants if u.pk != project.owner_id])
    project_refresh(project=project)
    return project


def _latest_owner_approved(project: KeyWorkProject) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(
            project=project,
            union_id=project.owner_id,
            status=ProgressReport.Status.APPROVED,
        )
        .order_by("-period_start")
        .first()
    )


def project_refresh(
    *,
    project: KeyWorkProject,
    today: date | None = None,
    latest: ProgressReport | None = None,
    use_latest: bool = False,
    notify_delay: bool = True,
) -> KeyWorkProject:
    """Recomputes the derived progress and status; saves only when they changed.

    Progress comes from the owner union's latest approved report; participants'
    reports are kept and reviewed but do not move the project's own figures.
    """
    today = today or timezone.localdate()
    if not use_latest:
        latest = _latest_owner_approved(project)
    percent = latest.percent_complete if latest else 0
    achieved = latest.achieved_value if latest else None
    completed_on = project.completed_on
    if percent is not None and percent >= 100:
        completed_on = completed_on or (latest.period_end if latest else today)
    else:
        completed_on = None
    status = rules.derive_status(
        percent=percent or 0,
        start=project.start_date,
        due=project.due_date,
        today=today,
    )
    before = (
        project.status,
        project.percent_complete,
        project.achieved_value,
        project.completed_on,
    )
    after = (status, percent or 0, achieved, completed_on)
    if before == after:
        return project
    became_delayed = (
        status == rules.DELAYED and project.status != rules.DELAYED and project.pk
    )
    (
        project.status,
        project.percent_complete,
        project.achieved_value,
        project.completed_on,
    ) = after
    project.save(
        update_fields=[
            "status",
            "percent_complete",
            "achieved_value",
            "completed_on",
            "updated_at",
        ]
    )
    if (
        became_delayed
        and notify_delay
        and project.plan.status == WorkPlan.Status.PUBLISHED
    ):
        notify.project_delayed(project=project)
    return project


def projects_refresh(
    *, projects=None, today: date | None = None, notify_delays: bool = True
) -> int:
    """Refreshes many projects (the daily job: a due date passing changes status).

    Two queries to read, then one write per project whose status changed.
    """
    today = today or timezone.localdate()
    if projects is None:
        # Proposals not approved yet are left alone (nobody hears they are late).
        projects = KeyWorkProject.objects.counted().filter(
            plan__status=WorkPlan.Status.PUBLISHED
        )
    projects = list(projects.select_related("plan", "responsible_user"))
    latest = {}
    approved = ProgressReport.objects.filter(
        project__in=[p.pk for p in projects],
        status=ProgressReport.Status.APPROVED,
    ).order_by("project_id", "period_start")
    for report in approved:
        latest[(report.project_id, report.union_id)] = report
    changed = 0
    for project in projects:
        before = project.status
        project_refresh(
            project=project,
            today=today,
            latest=latest.get((project.pk, project.owner_id)),
            use_latest=True,
            notify_delay=notify_delays,
        )
        changed += before != project.status
    return changed


def _milestones_changed(project_id: int) -> None:
    """A milestone is part of its project's plan of work: changing one moves the
    project's ``updated_at`` on (no history record of its own), so that what is
    kept under the project's last change (its page's history panel, the
    planning data version) is computed afresh."""
    KeyWorkProject.objects.filter(pk=project_id).update(updated_at=timezone.now())


@transaction.atomic
def milestone_save(*, milestone: Milestone, data: dict) -> Milestone:
    _plan_editable(milestone.project.plan)
    for name in ("title", "due_date", "done_on"):
        if name in data:
            setattr(milestone, name, data[name])
    milestone.full_clean()
    milestone.save()
    _milestones_changed(milestone.project_id)
    return milestone


@transaction.atomic
def milestone_toggle(*, milestone: Milestone, today: date | None = None) -> Milestone:
    _plan_editable(milestone.project.plan)
    milestone.done_on = None if milestone.done_on else (today or timezone.localdate())
    milestone.save(update_fields=["done_on"])
    _milestones_changed(milestone.project_id)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone) -> None:
    _plan_editable(milestone.project.plan)
    project_id = milestone.project_id
    milestone.delete()
    _milestones_changed(project_id)
