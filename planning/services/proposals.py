"""Self-chosen projects (自选项目): a union proposes a key-work project of its own,
the union above approves or returns it; once approved it counts like any project."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unions.models import Union

from ..models import KeyWorkProject, WorkPlan
from ..querysets import _writing_cadre
from . import notify
from .plans import PROJECT_FIELDS, _set, project_refresh

Proposal = KeyWorkProject.Proposal


def proposal_plans(user):
    """The published plans a cadre's union may add a project of its own to: those
    of its own union and of the unions above it."""
    if not _writing_cadre(user):
        return WorkPlan.objects.none()
    ids = [int(pk) for pk in user.union.path.strip("/").split("/") if pk]
    return WorkPlan.objects.filter(status=WorkPlan.Status.PUBLISHED, owner_id__in=ids)


def can_propose(user) -> bool:
    """Cadres of an active union that has a union above it (who approves)."""
    return _writing_cadre(user) and user.union.parent_id is not None


@transaction.atomic
def project_propose(*, owner: Union, plan: WorkPlan, data: dict, by) -> KeyWorkProject:
    """A cadre proposes a project of their own union; the reviewers above hear."""
    if not can_propose(by) or by.union_id != owner.pk:
        raise PermissionDenied
    if not proposal_plans(by).filter(pk=plan.pk).exists():
        raise ValidationError(
            {"plan": _("Choose a published plan of your union or above.")}
        )
    project = KeyWorkProject(
        plan=plan,
        owner=owner,
        self_chosen=True,
        proposal_status=Proposal.PROPOSED,
        proposed_by=by,
    )
    _set(project, data, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    project_refresh(project=project, notify_delay=False)
    notify.project_proposed(project=project)
    return project


@transaction.atomic
def project_proposal_update(
    *, project: KeyWorkProject, data: dict, by
) -> KeyWorkProject:
    """The proposing union corrects a proposed or returned project; a returned one
    goes back to the union above."""
    project = KeyWorkProject.objects.select_for_update().get(pk=project.pk)
    if not (
        project.self_chosen
        and can_propose(by)
        and by.union_id == project.owner_id
        and project.proposal_status in KeyWorkProject.NOT_COUNTED
    ):
        raise PermissionDenied
    _set(project, data, PROJECT_FIELDS)
    again = project.proposal_status == Proposal.RETURNED
    project.proposal_status = Proposal.PROPOSED
    project.proposed_by = by
    project.full_clean()
    project.save()
    if again:
        notify.project_proposed(project=project)
    return project


def can_decide(*, project: KeyWorkProject, user) -> bool:
    return (
        KeyWorkProject.objects.proposals_decidable_by(user)
        .filter(pk=project.pk)
        .exists()
    )


@transaction.atomic
def project_proposal_decide(
    *, project: KeyWorkProject, by, approve: bool, comment: str = ""
) -> KeyWorkProject:
    """The union above approves a proposed project or returns it with a comment."""
    if not can_decide(project=project, user=by):
        raise PermissionDenied
    project = (
        KeyWorkProject.objects.select_for_update(of=("self",))
        .select_related("plan", "owner")
        .get(pk=project.pk)
    )
    comment = (comment or "").strip()
    if project.proposal_status != Proposal.PROPOSED:
        raise ValidationError(_("Only a proposed project can be approved or returned."))
    if not approve and not comment:
        raise ValidationError(
            {"comment": _("Say what must change when returning a proposal.")}
        )
    project.proposal_status = Proposal.APPROVED if approve else Proposal.RETURNED
    project.proposal_comment = comment
    project.decided_by, project.decided_at = by, timezone.now()
    project.full_clean()
    project.save()
    if approve:
        project_refresh(project=project)
    notify.proposal_decided(project=project, approved=approve)
    return project
