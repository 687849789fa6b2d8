from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def stamp(instance, by=None, reason: str = "", limit: int = 100):
    """Tells django-simple-history who made the change (and why) outside a request."""
    if by is not None and getattr(by, "pk", None):
        instance._history_user = by
    if reason:
        instance._change_reason = reason[:limit] if limit else reason
    return instance


def refuse_if_locked(period) -> None:
    if period.is_locked:
        raise ValidationError(
            _("This period is locked: nothing in it can change."), code="locked"
        )
