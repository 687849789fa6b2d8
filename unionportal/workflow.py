"""One workflow table per stateful model, one mechanism for all of them.

A model lists its workflow in ``TRANSITIONS``: each action and the statuses it may
start from. ``allows(action)`` is what its services check before acting;
``allowed_actions(user)`` is what its pages and API offer: the actions its status
allows, for someone who may change the object (``objects.editable_by(user)``). So
a rule such as "a closed or published period can be reopened" is written once.
"""

from django.db import models


class Workflow(models.Model):
    """Mixed into a model with a ``status`` field, ``TRANSITIONS`` and a queryset
    with ``editable_by(user)``."""

    TRANSITIONS: dict[str, tuple] = {}

    class Meta:
        abstract = True

    def allows(self, action: str) -> bool:
        """Whether the object's status lets ``action`` start (whoever asks)."""
        return self.status in self.TRANSITIONS[action]

    def allowed_actions(self, user, *, editable: bool | None = None) -> frozenset[str]:
        """What ``user`` may do with the object now: what its status allows, for
        someone who may change it (one query unless ``editable`` is given)."""
        if editable is None:
            editable = type(self).objects.editable_by(user).filter(pk=self.pk).exists()
        if not editable:
            return frozenset()
        return frozenset(action for action in self.TRANSITIONS if self.allows(action))
