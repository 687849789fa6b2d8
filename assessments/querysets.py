"""Who sees and changes assessment data, and the guard that keeps locked periods still.

Schemes belong to a district (their ``owner``); they assess the unions below it.
A user sees a scheme when its owner is their own union, one above it (the scheme
that assesses them) or one below it (their scope). Scores, exemptions and report
rows follow the assessed unit, so visibility is the union tree of ``unit``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionportal.roles import Role

LOCKED = "locked"

LOCKED_MESSAGE = _("This period is locked: nothing in it can change.")
PUBLISHED_MESSAGE = _(
    "The results of this period are published: reopen the period (with a reason) "
    "before changing them."
)


def _user_union_chain(user) -> list[int]:
    """The user's union and every union above it."""
    if not user.is_authenticated or user.union_id is None:
        return []
    return [*user.union.ancestor_ids, user.union_id]


def _is_global(user) -> bool:
    return user.is_authenticated and user.is_superuser and user.union_id is None


def scheme_scope(user, owner_field: str = "owner") -> Q:
    """Schemes owned by the user's union, a union above it, or one in its scope."""
    from unionportal.access import scope_filter

    if _is_global(user):
        return Q()
    chain = _user_union_chain(user)
    return Q(**{f"{owner_field}_id__in": chain}) | scope_filter(user, owner_field)


class LockGuardQuerySet(models.QuerySet):
    """Refuses bulk writes that would touch a locked period.

    ``lock_path`` is the lookup from the model to ``Period.status``. Model ``save``
    and ``delete`` check the same rule, so admin actions, imports, tasks and the API
    all meet it whatever route they take.
    """

    lock_path = "period__status"
    # The period statuses in which rows may not change (the models' PeriodGuard
    # says the same for single rows).
    frozen = (LOCKED,)

    def _refuse_if_frozen(self) -> None:
        statuses = set(
            self.filter(**{f"{self.lock_path}__in": self.frozen})
            .values_list(self.lock_path, flat=True)
            .distinct()
        )
        if LOCKED in statuses:
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        if statuses:
            raise ValidationError(PUBLISHED_MESSAGE, code="published")

    def update(self, **kwargs):
        self._refuse_if_frozen()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_frozen()
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        ids = [obj.pk for obj in objs]
        self.model._default_manager.filter(pk__in=ids)._refuse_if_frozen()
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if self._new_rows_touch_locked(objs):
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        return super().bulk_create(objs, *args, **kwargs)

    def _new_rows_touch_locked(self, objs) -> bool:
        """Whether rows about to be created belong to a locked period."""
        from .models import Period

        field, _, rest = self.lock_path.partition("__")
        if not rest:  # the period itself: a new period is never locked yet
            return any(getattr(obj, field, None) == LOCKED for obj in objs)
        parent_ids = {getattr(obj, f"{field}_id") for obj in objs}
        if field == "period":
            return Period.objects.filter(pk__in=parent_ids, status=LOCKED).exists()
        # "report__period__status": the parents are quarter reports.
        return Period.objects.filter(reports__pk__in=parent_ids, status=LOCKED).exists()


class SchemeQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(scheme_scope(user))

    def editable_by(self, user):
        """Administrators change the schemes their union (or one below it) owns."""
        from unionportal.access import scope_filter

        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "owner"))


class CategoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(scheme_scope(user, "scheme__owner"))

    def editable_by(self, user):
        from unionportal.access import scope_filter

        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "scheme__owner"))


class IndicatorQuerySet(CategoryQuerySet):
    pass


class ExemptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from unionportal.access import scope_filter

        if not user.is_authenticated:
            return self.none()
        return self.filter(scope_filter(user, "unit"))

    def editable_by(self, user):
        from unionportal.access import scope_filter

        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.visible_to(user).filter(
            scope_filter(user, "indicator__scheme__owner")
        )


class PeriodQuerySet(LockGuardQuerySet):
    lock_path = "status"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(scheme_scope(user, "scheme__owner"))

    def editable_by(self, user):
        """Administrators of the owning union run a period's status."""
        from unionportal.access import scope_filter

        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "scheme__owner"))


class ScoreQuerySet(LockGuardQuerySet):
    # A published score stays as published until the period is reopened.
    frozen = (LOCKED, "published")

    def visible_to(self, user):
        from unionportal.access import scope_filter

        if not user.is_authenticated:
            return self.none()
        return self.filter(scope_filter(user, "unit"))

    def self_editable_by(self, user):
        """A cadre enters their own union's self-scores while the period is open."""
        if not (user.is_authenticated and user.has_role(Role.CADRE) and user.union_id):
            return self.none()
        from .models import Period  # the models import this module

        return self.filter(unit_id=user.union_id, period__status=Period.Status.OPEN)

    def reviewable_by(self, user):
        """A reviewer reviews units strictly below their union, before publication."""
        from unionportal.access import scope_filter

        from .models import Period  # the models import this module

        if not (user.is_authenticated and user.has_role(Role.REVIEWER)):
            return self.none()
        return (
            self.filter(scope_filter(user, "unit"))
            .exclude(unit_id=user.union_id)
            .filter(period__status__in=(Period.Status.OPEN, Period.Status.CLOSED))
        )

    def editable_by(self, user):
        return self.filter(
            Q(pk__in=self.self_editable_by(user).values("pk"))
            | Q(pk__in=self.reviewable_by(user).values("pk"))
        )


class QuarterReportQuerySet(LockGuardQuerySet):
    def visible_to(self, user):
        """Whole reports (every unit's rank) are for district leaders, admins and
        reviewers whose scope covers the scheme's owner."""
        from unionportal.access import scope_filter

        if not (
            user.is_authenticated
            and user.has_role(Role.LEADER, Role.ADMIN, Role.REVIEWER)
        ):
            return self.none()
        return self.filter(scope_filter(user, "period__scheme__owner"))

    def editable_by(self, user):
        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.visible_to(user)


class ReportRowQuerySet(LockGuardQuerySet):
    lock_path = "report__period__status"

    def visible_to(self, user):
        from unionportal.access import scope_filter

        if not user.is_authenticated:
            return self.none()
        return self.filter(scope_filter(user, "unit"))

    def editable_by(self, user):
        return self.none()


class ReportFileQuerySet(LockGuardQuerySet):
    lock_path = "report__period__status"
