"""The bell's unread count, kept in the cache per person.

Every page shows it, and counting costs a query a page. The count is forgotten
when it can change: a notification saved or deleted through the ORM (signals in
``accounts/signals.py``) and notifications marked read (``notification_mark_read``,
a bulk update that sends no signal), at once and again once the transaction
has committed, so that a page read meanwhile cannot keep the old count. The
timeout bounds what no signal sees (rows written by a bulk load).
"""

from contextlib import suppress

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 300  # seconds


def _key(user_id: int) -> str:
    return f"unread:{user_id}"


def unread_count(user) -> int:
    from .models import Notification

    try:
        count = cache.get(_key(user.pk))
    except Exception:  # the cache (Redis) is down: the page still answers
        count = None
    if count is None:
        count = Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count()
        with suppress(Exception):  # the cache is down: counted again next time
            cache.set(_key(user.pk), count, TIMEOUT)
    return count


def forget_unread(user_id: int) -> None:
    def forget():
        with suppress(Exception):  # the cache is down: nothing kept to forget
            cache.delete(_key(user_id))

    # At once, and again once committed: a page read between the two would
    # otherwise keep the count from before the transaction.
    forget()
    transaction.on_commit(forget)
