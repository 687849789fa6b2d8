"""Self-chosen projects (自选项目): proposed by a union's cadre, approved or returned
by the reviewers of the union above."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import get_visible_or_404

from ..forms import ProposalDecisionForm, ProposalForm
from ..models import KeyWorkProject
from ..services import proposals
from .common import apply_errors


@login_required
def project_propose(request):
    """A cadre proposes a key-work project of their own union."""
    user = request.user
    if not proposals.can_propose(user):
        raise PermissionDenied
    plans = proposals.proposal_plans(user).select_related("owner")
    form = ProposalForm(request.POST or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        plan = data.pop("plan")
        try:
            project = proposals.project_propose(
                owner=user.union, plan=plan, data=data, by=user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The project was proposed; the union above will approve it."),
            )
            return redirect(project.get_absolute_url())
    return render(
        request,
        "planning/project_propose.html",
        {"form": form, "project": None, "has_plans": plans.exists()},
    )


@login_required
def project_proposal_edit(request, pk):
    """The proposing union corrects its proposal (a returned one goes back up)."""
    project = get_visible_or_404(
        KeyWorkProject.objects.select_related("owner", "plan"), request.user, pk=pk
    )
    user = request.user
    if not (
        project.self_chosen
        and project.owner_id == user.union_id
        and proposals.can_propose(user)
        and not project.counts
    ):
        raise PermissionDenied
    form = ProposalForm(request.POST or None, instance=project, plans=None)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.project_proposal_update(
                project=project, data=form.cleaned_data, by=user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The proposal was saved and sent again."))
            return redirect(project.get_absolute_url())
    return render(
        request,
        "planning/project_propose.html",
        {"form": form, "project": project, "has_plans": True},
    )


@login_required
@require_POST
def project_proposal_decide(request, pk):
    """The union above approves (``approve``) or returns the proposal."""
    project = get_visible_or_404(
        KeyWorkProject.objects.select_related("owner", "plan"), request.user, pk=pk
    )
    if not proposals.can_decide(project=project, user=request.user):
        raise PermissionDenied
    form = ProposalDecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            proposals.project_proposal_decide(
                project=project,
                by=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The project was approved.")
                if approve
                else _("The proposal was returned to the union."),
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(project.get_absolute_url())
