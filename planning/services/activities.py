"""Featured carrier activities: campaigns, their items, and the events unions hold."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ActivityEvent, Campaign, CampaignItem

CAMPAIGN_FIELDS = ("title", "description", "year", "is_active")
EVENT_FIELDS = (
    "union",
    "item",
    "kind",
    "date",
    "title",
    "place",
    "participants",
    "trainees",
    "media_level",
    "link",
    "narrative",
)


def campaign_save(*, campaign: Campaign, data: dict) -> Campaign:
    for name in CAMPAIGN_FIELDS:
        if name in data:
            setattr(campaign, name, data[name])
    campaign.full_clean()
    campaign.save()
    return campaign


def campaign_item_save(*, item: CampaignItem, data: dict) -> CampaignItem:
    for name in ("title", "description"):
        if name in data:
            setattr(item, name, data[name])
    if not item.pk and not item.order:
        item.order = item.campaign.items.count() + 1
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def event_save(*, event: ActivityEvent, data: dict, by) -> ActivityEvent:
    """Records or changes an event; fields that do not belong to its kind are
    cleared so that, say, a training session never counts as publicity."""
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    if event.union_id and not event.union.is_active:
        raise ValidationError(
            _("%(union)s is deactivated: its records can be read but not changed.")
            % {"union": event.union.name},
            code="union_inactive",
        )
    if event.item_id and not event.item.campaign.is_active and not event.pk:
        raise ValidationError(
            {"item": _("This campaign is closed; choose an item of an active one.")}
        )
    if event.kind != ActivityEvent.Kind.TRAINING:
        event.trainees = 0
    if event.kind != ActivityEvent.Kind.PUBLICITY:
        event.media_level = ""
    if event.created_by_id is None:
        event.created_by = by
    event.full_clean()
    event.save()
    return event
