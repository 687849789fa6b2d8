"""Who sees and who changes what in planning (see unionportal/access.py).

Plans and campaigns belong to the district and are seen by every union below it
once published; projects and reports follow the tree through their owner and
participating unions; a unit reports only for its own union, never for children.
"""

from django.db import models
from django.db.models import Q

from unionportal.access import scope_filter


def _ancestor_and_self_ids(user) -> list[int]:
    """The user's union and the unions above it (read from the materialised path)."""
    if not user.is_authenticated or user.union_id is None:
        return []
    return [int(part) for part in user.union.path.strip("/").split("/") if part]


def _is_admin(user) -> bool:
    return user.is_authenticated and user.has_role("admin")


def _is_superuser_without_union(user) -> bool:
    return user.is_authenticated and user.is_superuser and user.union_id is None


class WorkPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published and closed plans of the user's union or a union above it, or in
        the user's subtree; drafts only to administrators of the owner."""
        if not user.is_authenticated:
            return self.none()
        shown = Q(status__in=["published", "closed"]) & (
            Q(owner_id__in=_ancestor_and_self_ids(user)) | scope_filter(user, "owner")
        )
        if _is_admin(user):
            shown |= scope_filter(user, "owner")
        return self.filter(shown)

    def editable_by(self, user):
        if not _is_admin(user):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "owner"))


class PlanItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import WorkPlan

        return self.filter(plan__in=WorkPlan.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import WorkPlan

        return self.filter(plan__in=WorkPlan.objects.editable_by(user).values("pk"))


def _participant_project_ids(user):
    from .models import KeyWorkProject

    through = KeyWorkProject.participants.through
    return through.objects.filter(scope_filter(user, "union")).values(
        "keyworkproject_id"
    )


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects whose owner or a participant lies in the user's subtree, of a
        published or closed plan (drafts: administrators only)."""
        if not user.is_authenticated:
            return self.none()
        in_scope = scope_filter(user, "owner") | Q(
            pk__in=_participant_project_ids(user)
        )
        if _is_superuser_without_union(user):
            in_scope = Q()
        plan_shown = Q(plan__status__in=["published", "closed"])
        if _is_admin(user):
            plan_shown = Q()
        return self.filter(in_scope & plan_shown)

    def editable_by(self, user):
        """Administrators change the projects in their scope."""
        if not _is_admin(user):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "owner"))

    def of_union(self, union_id):
        """Projects the union owns or takes part in (no children)."""
        from .models import KeyWorkProject

        through = KeyWorkProject.participants.through
        ids = through.objects.filter(union_id=union_id).values("keyworkproject_id")
        return self.filter(Q(owner_id=union_id) | Q(pk__in=ids))

    def reportable_by(self, user):
        """Cadres report on the projects of a published plan that their own union
        owns or takes part in."""
        if not (user.is_authenticated and user.has_role("cadre") and user.union_id):
            return self.none()
        return (
            self.visible_to(user)
            .of_union(user.union_id)
            .filter(plan__status="published")
        )

    def milestones_editable_by(self, user):
        """Administrators in scope, and cadres of the owner union."""
        if not user.is_authenticated:
            return self.none()
        rule = Q(pk__in=self.editable_by(user).values("pk"))
        if user.has_role("cadre") and user.union_id:
            rule |= Q(owner_id=user.union_id, plan__status="published")
        return self.visible_to(user).filter(rule)


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import KeyWorkProject

        return self.filter(
            project__in=KeyWorkProject.objects.visible_to(user).values("pk")
        )

    def editable_by(self, user):
        from .models import KeyWorkProject

        return self.filter(
            project__in=KeyWorkProject.objects.milestones_editable_by(user).values("pk")
        )


class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports on a visible project, by a union in scope or on a project whose
        owner is in scope (an owner sees its participants' reports)."""
        from .models import KeyWorkProject

        if not user.is_authenticated:
            return self.none()
        projects = KeyWorkProject.objects.visible_to(user).values("pk")
        return self.filter(
            Q(project__in=projects)
            & (scope_filter(user, "union") | scope_filter(user, "project__owner"))
        )

    def editable_by(self, user):
        """The cadres of the reporting union, while the report is a draft or was
        returned and the plan is still published."""
        if not (user.is_authenticated and user.has_role("cadre") and user.union_id):
            return self.none()
        return self.visible_to(user).filter(
            union_id=user.union_id,
            status__in=["draft", "returned"],
            project__plan__status="published",
        )

    def reviewable_by(self, user):
        """Reports of unions strictly below the reviewer's union."""
        if not (user.is_authenticated and user.has_role("reviewer")):
            return self.none()
        if _is_superuser_without_union(user):
            return self.visible_to(user).filter(project__plan__status="published")
        if user.union_id is None:
            return self.none()
        return (
            self.visible_to(user)
            .filter(union__path__startswith=user.union.path)
            .exclude(union_id=user.union_id)
            .filter(project__plan__status="published")
        )


class EvidenceFileQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import ActivityEvent, ProgressReport

        reports = ProgressReport.objects.visible_to(user).values("pk")
        events = ActivityEvent.objects.visible_to(user).values("pk")
        return self.filter(Q(report__in=reports) | Q(event__in=events))

    def editable_by(self, user):
        from .models import ActivityEvent, ProgressReport

        reports = ProgressReport.objects.editable_by(user).values("pk")
        events = ActivityEvent.objects.editable_by(user).values("pk")
        return self.filter(Q(report__in=reports) | Q(event__in=events))


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every union under the owner takes part in its campaigns."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(owner_id__in=_ancestor_and_self_ids(user)) | scope_filter(user, "owner")
        )

    def editable_by(self, user):
        if not _is_admin(user):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "owner"))


class ActivityEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, "union"))

    def editable_by(self, user):
        """Cadres of the event's union, and administrators in scope."""
        if not user.is_authenticated:
            return self.none()
        rule = Q(pk__in=[])
        if user.has_role("cadre") and user.union_id:
            rule |= Q(union_id=user.union_id)
        if _is_admin(user):
            rule |= scope_filter(user, "union")
        return self.visible_to(user).filter(rule)
