from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.access import (
    ADMIN,
    get_editable_or_403,
    get_visible_or_404,
    role_required,
    scope_filter,
)
from unionportal.history import history_rows
from unionportal.htmx import is_partial_request, render_page_or_partial
from unionportal.pagination import CappedPaginator
from unionportal.roles import Role

from ..filters import EventFilter
from ..forms import CampaignForm, CampaignItemForm, EventForm, EvidenceForm
from ..models import ActivityEvent, Campaign, CampaignItem
from ..selectors import with_evidence_counts
from ..services import activities
from ..services import reports as report_services
from .common import apply_errors, union_scope


def _items_for(user):
    return (
        CampaignItem.objects.filter(
            campaign__in=Campaign.objects.visible_to(user).values("pk")
        )
        .select_related("campaign")
        .order_by("campaign__title", "order", "pk")
    )


def _can_record(user) -> bool:
    return user.has_role(Role.CADRE, ADMIN) and bool(user.union_id or user.is_superuser)


@login_required
def activity_home(request):
    user = request.user
    visible_events = ActivityEvent.objects.visible_to(user)
    year = timezone.localdate().year
    # Each item's events in the user's scope, tested on the joined event's union:
    # "event in (the visible events)" made a city's count run for minutes.
    in_scope = scope_filter(user, "events__union")
    campaigns = (
        Campaign.objects.visible_to(user)
        .filter(is_active=True)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=CampaignItem.objects.order_by("order", "pk").annotate(
                    n_events=Count("events", filter=in_scope)
                    if in_scope
                    else Count("events")
                ),
            )
        )
    )
    event_filter = EventFilter(
        request.GET or None,
        queryset=visible_events.select_related("union", "item__campaign"),
        user=user,
        items=_items_for(user),
    )
    qs = event_filter.qs if event_filter.is_bound else event_filter.queryset
    page = CappedPaginator(qs.order_by("-date", "-pk"), 20).get_page(
        request.GET.get("page")
    )
    page.object_list = with_evidence_counts(page.object_list, to="event")
    totals = visible_events.filter(date__year=year).aggregate(
        activities=Count("pk", filter=Q(kind=ActivityEvent.Kind.ACTIVITY)),
        trainings=Count("pk", filter=Q(kind=ActivityEvent.Kind.TRAINING)),
        trainees=Sum("trainees", filter=Q(kind=ActivityEvent.Kind.TRAINING)),
        publicity=Count("pk", filter=Q(kind=ActivityEvent.Kind.PUBLICITY)),
    )
    return render_page_or_partial(
        request,
        "planning/activity_home.html",
        "planning/partials/event_rows.html",
        {
            "campaigns": campaigns,
            "filter": event_filter,
            "page": page,
            "totals": totals,
            "year": year,
            "can_record": _can_record(user),
            "can_manage": user.has_role(ADMIN),
        },
    )


def _campaign_form(request, campaign):
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = activities.campaign_save(
                campaign=campaign, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("planning:campaign_detail", campaign.pk)
    return render(
        request,
        "planning/campaign_form.html",
        {"form": form, "campaign": campaign},
    )


@login_required
@role_required(ADMIN)
def campaign_create(request):
    from .plans import _plan_owner

    return _campaign_form(request, Campaign(owner=_plan_owner(request.user)))


@login_required
def campaign_edit(request, pk):
    campaign = get_editable_or_403(Campaign.objects.all(), request.user, pk=pk)
    return _campaign_form(request, campaign)


@login_required
def campaign_detail(request, pk):
    user = request.user
    visible_events = ActivityEvent.objects.visible_to(user)
    campaign = get_visible_or_404(
        Campaign.objects.select_related("owner").prefetch_related(
            Prefetch(
                "items",
                queryset=CampaignItem.objects.order_by("order", "pk").annotate(
                    n_events=Count(
                        "events", filter=Q(events__in=visible_events.values("pk"))
                    ),
                    n_participants=Sum(
                        "events__participants",
                        filter=Q(events__in=visible_events.values("pk")),
                    ),
                ),
            )
        ),
        user,
        pk=pk,
    )
    can_edit = Campaign.objects.editable_by(user).filter(pk=campaign.pk).exists()
    form = None
    if can_edit:
        form = CampaignItemForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                activities.campaign_item_save(
                    item=CampaignItem(campaign=campaign), data=form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The item was added."))
                return redirect("planning:campaign_detail", campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied
    recent = (
        visible_events.filter(item__campaign=campaign)
        .select_related("union", "item")
        .order_by("-date", "-pk")[:10]
    )
    return render(
        request,
        "planning/campaign_detail.html",
        {
            "campaign": campaign,
            "can_edit": can_edit,
            "form": form,
            "recent": recent,
            "can_record": _can_record(user),
        },
    )


def _recordable_unions(user):
    """Cadres record for their own union; administrators for any union in scope."""
    if user.has_role(ADMIN):
        return union_scope(user).filter(is_active=True)
    return union_scope(user).filter(pk=user.union_id)


def _event_form(request, event):
    user = request.user
    form = EventForm(
        request.POST or None,
        instance=event,
        unions=_recordable_unions(user),
        items=_items_for(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = activities.event_save(event=event, data=form.cleaned_data, by=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect(event)
    return render(request, "planning/event_form.html", {"form": form, "event": event})


@login_required
def event_create(request):
    if not _can_record(request.user):
        raise PermissionDenied
    initial_kind = request.GET.get("kind")
    event = ActivityEvent()
    if initial_kind in ActivityEvent.Kind.values:
        event.kind = initial_kind
    item = request.GET.get("item")
    if item and item.isdigit():
        event.item = _items_for(request.user).filter(pk=int(item)).first()
    return _event_form(request, event)


@login_required
def event_edit(request, pk):
    event = get_editable_or_403(ActivityEvent.objects.all(), request.user, pk=pk)
    return _event_form(request, event)


@login_required
def event_detail(request, pk):
    user = request.user
    event = get_visible_or_404(
        ActivityEvent.objects.select_related(
            "union", "item__campaign", "created_by"
        ).prefetch_related("evidence"),
        user,
        pk=pk,
    )
    can_edit = ActivityEvent.objects.editable_by(user).filter(pk=event.pk).exists()
    return render(
        request,
        "planning/event_detail.html",
        {
            "event": event,
            "can_edit": can_edit,
            "evidence": list(event.evidence.all()),
            "evidence_form": EvidenceForm() if can_edit else None,
            "upload_url": reverse("planning:event_evidence_upload", args=[event.pk]),
            "history": history_rows(
                (
                    lambda r: _("Activity"),
                    ActivityEvent.history.filter(id=event.pk).select_related(
                        "history_user"
                    ),
                ),
                limit=10,
            ),
        },
    )


@login_required
@require_POST
def event_evidence_upload(request, pk):
    event = get_editable_or_403(ActivityEvent.objects.all(), request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report_services.evidence_attach(
                file=form.cleaned_data["file"], by=request.user, event=event
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = EvidenceForm()
    if is_partial_request(request):
        return render(
            request,
            "planning/partials/evidence_panel.html",
            {
                "evidence": list(event.evidence.all()),
                "evidence_form": form,
                "editable": True,
                "upload_url": reverse(
                    "planning:event_evidence_upload", args=[event.pk]
                ),
            },
        )
    if form.errors:
        messages.error(
            request, " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    else:
        messages.success(request, _("The file was attached."))
    return redirect(event)
