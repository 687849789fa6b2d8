"""What the audit log can record: each app registers its own kinds of event.

The audit log (``AuditEvent``) lives in accounts, the lowest app, so that every app
can write to it; the kinds of event belong to the app whose rule they record. Sign-in,
password and role events are accounts' own (``AuditEvent.Kind``); the assessments
app registers the period events (closed, published, locked, reopened) from its
``ready()``. The field's choices are this registry, read when asked for, so a new
kind needs no migration of accounts.
"""

from django.db import models

_KINDS: dict[str, object] = {}


def register_audit_kinds(kinds: type[models.TextChoices]) -> None:
    """Adds an app's ``TextChoices`` of audit kinds; a code is registered once."""
    for value, label in kinds.choices:
        if value in _KINDS and _KINDS[value] is not label:
            raise ValueError(f"The audit kind {value!r} is registered twice")
        _KINDS[value] = label


def audit_kind_choices() -> list[tuple[str, object]]:
    """Every registered kind as (code, lazy label), in registration order."""
    return list(_KINDS.items())
