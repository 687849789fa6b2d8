"""The kinds of notification and how each reads, in the reader's language.

A notification is stored as a kind and its parameters (ids, names, dates, numbers),
never as translated text: the page renders it in the reader's language and the
e-mail in the recipient's, whenever each happens. Each app registers the kinds it
sends from its ``AppConfig.ready()``; this module knows none of them, so the accounts
app stays below the others.

A kind's ``render(params)`` returns ``(title, body)`` and runs inside the reader's
active language: it builds its sentences with ``gettext`` at that moment.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    NOW = "now", _("At once (portal and e-mail)")
    DIGEST = "digest", _("In the portal, e-mail once a day")
    OFF = "off", _("Off")


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: Promise  # what the person chooses a delivery for, on the profile page
    render: Callable[[dict], tuple[str, str]]
    # Kinds a person must not switch off (none so far) would say False here.
    can_switch_off: bool = True


# The text of notifications made before kinds existed, kept as it was written.
TEXT = "text"

_KINDS: dict[str, NoticeKind] = {}


def register(code: str, *, label: Promise, render, can_switch_off=True) -> None:
    """Called once per kind from an app's ``ready()``."""
    _KINDS[code] = NoticeKind(code, label, render, can_switch_off)


def kinds() -> list[NoticeKind]:
    return list(_KINDS.values())


def get_kind(code: str) -> NoticeKind | None:
    return _KINDS.get(code)


def bilingual(obj) -> dict:
    """A name kept in both languages (an object with ``name_zh`` and ``name_en``,
    like a union), for parameters that the reader's language picks from."""
    return {"zh": obj.name_zh, "en": obj.name_en or obj.name_zh}


def pick(value) -> str:
    """The reader's-language side of a ``bilingual`` value (a plain value as is)."""
    if isinstance(value, dict):
        if (get_language() or "").startswith("en") and value.get("en"):
            return value["en"]
        return value.get("zh", "")
    return str(value)


def render(notification) -> tuple[str, str]:
    """Title and body of ``notification`` in the active language."""
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return notification.title, notification.body
    try:
        return kind.render(notification.params or {})
    except (KeyError, TypeError, ValueError):
        # Parameters written by an older release that this one reads differently:
        # the stored fallback text still says what happened.
        return notification.title, notification.body
