from django.db import models
from django.db.models import Case, CharField, Q, Value, When

from unionportal.roles import Role


def _is_admin(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)


class UnionQuerySet(models.QuerySet):
    def search(self, value: str):
        """Unions whose name (either language) or code holds ``value``."""
        from unionportal.search import union_match

        return self.filter(union_match(value))

    def visible_to(self, user):
        from unionportal.access import scope_filter

        return self.filter(scope_filter(user, ""))

    def editable_by(self, user):
        """Admins change the unions in their scope; nobody else does."""
        if not (user.is_authenticated and user.has_role(Role.ADMIN)):
            return self.none()
        return self.visible_to(user)

    def active(self):
        return self.filter(is_active=True)

    def descendants_of(self, union, *, include_self: bool = True):
        qs = self.filter(path__startswith=union.path)
        return qs if include_self else qs.exclude(pk=union.pk)


class _ScopedByUnion(models.QuerySet):
    """Rows that belong to a union: seen within the user's subtree, changed by admins."""

    union_field = "union"

    def visible_to(self, user):
        from unionportal.access import scope_filter

        return self.filter(scope_filter(user, self.union_field))

    def editable_by(self, user):
        if not _is_admin(user):
            return self.none()
        return self.visible_to(user)


class PersonQuerySet(_ScopedByUnion):
    pass


class PositionQuerySet(_ScopedByUnion):
    def current(self):
        return self.filter(is_current=True)

    def ordered_by_role(self):
        """Chair first, then vice-chairs, members, funds review, women's committee."""
        from .models import Position

        order = Case(
            *[
                When(role=value, then=Value(index))
                for index, value in enumerate(Position.Role.values)
            ],
            default=Value(99),
        )
        return self.annotate(role_order=order).order_by("role_order", "person__name")


def status_expression(at):
    """The status of a term on day ``at`` as SQL; mirrors ``OfficeTerm.status_at``."""
    from .dates import due_cutoff

    return Case(
        When(
            Q(actual_end__isnull=False) & Q(actual_end__lte=at),
            then=Value("closed"),
        ),
        When(planned_end__lt=at, then=Value("overdue")),
        When(planned_end__lte=due_cutoff(at), then=Value("due")),
        default=Value("current"),
        output_field=CharField(),
    )


class OfficeTermQuerySet(_ScopedByUnion):
    def open(self):
        return self.filter(closed=False)

    def with_status(self, at):
        """Annotates ``status_today``: the term's status on day ``at``."""
        return self.annotate(status_today=status_expression(at))

    def with_status_in(self, statuses, at):
        return self.with_status(at).filter(status_today__in=list(statuses))


class TermChangeQuerySet(_ScopedByUnion):
    def active(self):
        return self.exclude(state__in=self.model.FINAL_STATES)

    def editable_by(self, user):
        """Admins in scope, and cadres of the union itself, take steps of a change.

        Which step a cadre may take is decided by ``workflow.can_take_step``.
        """
        if not user.is_authenticated:
            return self.none()
        if _is_admin(user):
            return self.visible_to(user)
        if user.has_role(Role.CADRE) and user.union_id:
            return self.filter(union_id=user.union_id)
        return self.none()


class TermChangeStepQuerySet(_ScopedByUnion):
    union_field = "change__union"
