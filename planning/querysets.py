"""Who sees and who changes what in planning (see unionportal/access.py).

Plans and campaigns belong to the district and are seen by every union below it
once published; projects and reports follow the tree through their owner and
participating unions; a unit reports only for its own union, never for children.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from unionportal.access import scope_filter, union_in_scope
from unionportal.roles import Role


def _ancestor_and_self_ids(user) -> list[int]:
    """The user's union and the unions above it (read from the materialised path)."""
    if not user.is_authenticated or user.union_id is None:
        return []
    return [int(part) for part in user.union.path.strip("/").split("/") if part]


def _is_admin(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)


def _writing_cadre(user) -> bool:
    """A cadre of an active union: the cadres of a deactivated union still read
    their union's work but no longer write it (reports, events)."""
    return bool(
        user.is_authenticated
        and user.has_role(Role.CADRE)
        and user.union_id
        and user.union.is_active
    )


def _is_superuser_without_union(user) -> bool:
    return user.is_authenticated and user.is_superuser and user.union_id is None


class WorkPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published and closed plans of the user's union or a union above it, or in
        the user's subtree; drafts only to administrators of the owner."""
        if not user.is_authenticated:
            return self.none()
        shown = Q(status__in=_plan_shown()) & (
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


def _plan_shown():
    """Plans whose projects and reports the unions see (drafts: administrators
    only); read late, the models import this module."""
    from .models import WorkPlan

    return WorkPlan.COUNTED_STATUSES


def _published():
    from .models import WorkPlan

    return WorkPlan.Status.PUBLISHED


def _has_wide_scope(user) -> bool:
    """A city or district union's subtree holds most of the projects."""
    from unions.models import Union

    return user.union.kind in (Union.Kind.CITY, Union.Kind.DISTRICT)


def _projects_in_scope(user) -> Q:
    """Projects whose owner or a participant lies in the user's subtree.

    Written in the form the database answers fastest for the scope's size. For a
    city or district, most projects are in scope: a test on the joined owner,
    with the participants looked up only for the projects it leaves out, lets a
    list stop after its first page. For a sub-district or a grassroots union, a
    handful are: their ids, gathered through the indexes on the owner and on the
    participants, spare scanning every project of the city (130 ms).
    """
    from .models import KeyWorkProject

    through = KeyWorkProject.participants.through
    if _has_wide_scope(user):
        taking_part = through.objects.filter(
            scope_filter(user, "union"), keyworkproject_id=OuterRef("pk")
        )
        return scope_filter(user, "owner") | Q(Exists(taking_part))
    owned = (
        KeyWorkProject.objects.filter(scope_filter(user, "owner"))
        .order_by()
        .values("pk")
    )
    taking_part = (
        through.objects.filter(scope_filter(user, "union"))
        .order_by()
        .values("keyworkproject_id")
    )
    return Q(pk__in=owned.union(taking_part, all=True))


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects whose owner or a participant lies in the user's subtree, of a
        published or closed plan (drafts: administrators only)."""
        if not user.is_authenticated:
            return self.none()
        if _is_superuser_without_union(user):
            in_scope = Q()
        elif user.union_id is None:
            return self.none()
        else:
            in_scope = _projects_in_scope(user)
        plan_shown = Q(plan__status__in=_plan_shown())
        if _is_admin(user):
            plan_shown = Q()
        return self.filter(in_scope & plan_shown)

    def editable_by(self, user):
        """Administrators change the projects in their scope."""
        if not _is_admin(user):
            return self.none()
        return self.visible_to(user).filter(scope_filter(user, "owner"))

    def counted(self):
        """Projects that count (reports, completion): all but self-chosen projects
        not approved (yet) by the union above."""
        from .models import KeyWorkProject

        return self.exclude(proposal_status__in=KeyWorkProject.UNCOUNTED_PROPOSALS)

    def proposals_decidable_by(self, user):
        """Self-chosen projects the user approves or returns: reviewers of a union
        strictly above the proposing union (as for its progress reports)."""
        if not (user.is_authenticated and user.has_role(Role.REVIEWER)):
            return self.none()
        if _is_superuser_without_union(user):
            return self.visible_to(user).filter(self_chosen=True)
        if user.union_id is None:
            return self.none()
        return (
            self.visible_to(user)
            .filter(self_chosen=True, owner__path__startswith=user.union.path)
            .exclude(owner_id=user.union_id)
        )

    def proposals_awaiting(self, user):
        """Self-chosen projects proposed and waiting for the user's decision:
        what the reviewer's home page counts and the project list's
        ``?origin=to_decide`` shows."""
        return self.proposals_decidable_by(user).filter(
            proposal_status=self.model.Proposal.PROPOSED
        )

    def of_union(self, union_id):
        """Projects the union owns or takes part in (no children)."""
        from .models import KeyWorkProject

        through = KeyWorkProject.participants.through
        ids = through.objects.filter(union_id=union_id).values("keyworkproject_id")
        return self.filter(Q(owner_id=union_id) | Q(pk__in=ids))

    def reportable_by(self, user):
        """Cadres report on the projects of a published plan that their own union
        owns or takes part in."""
        if not _writing_cadre(user):
            return self.none()
        return (
            self.visible_to(user)
            .of_union(user.union_id)
            .filter(plan__status=_published())
            .counted()
        )

    def milestones_editable_by(self, user):
        """Administrators in scope, and cadres of the owner union."""
        if not user.is_authenticated:
            return self.none()
        rule = Q(pk__in=self.editable_by(user).values("pk"))
        if user.has_role(Role.CADRE) and user.union_id:
            rule |= Q(owner_id=user.union_id, plan__status=_published())
        return self.visible_to(user).filter(rule)

    def hand_down_by(self, user):
        """Projects ``user`` may hand down to the units below their owner: of a
        published plan, owned by a union that has units below (not a grassroots
        union), for the owner's reviewers or an administrator in scope."""
        from unions.models import Union

        if not user.is_authenticated:
            return self.none()
        rules = []
        if _is_admin(user):
            rules.append(scope_filter(user, "owner"))
        if user.has_role(Role.REVIEWER) and user.union_id:
            rules.append(Q(owner_id=user.union_id))
        if not rules:
            return self.none()
        # Combined one by one: an empty Q (a superuser's whole scope) must not be
        # dropped by "|" with another condition.
        if any(not rule for rule in rules):
            who = Q()
        else:
            who = rules[0]
            for rule in rules[1:]:
                who |= rule
        return (
            self.visible_to(user)
            .filter(plan__status=_published())
            # A self-chosen project once approved: then it counts like any other.
            .counted()
            .exclude(owner__kind__in=Union.GRASSROOTS_KINDS)
            .filter(who)
        )


def project_permissions(project, user, participant_ids) -> dict[str, bool]:
    """What ``user`` may do with ``project``: the answers of ``editable_by``,
    ``reportable_by`` and ``milestones_editable_by`` for one project already
    fetched through ``visible_to(user)`` with its plan and owner, worked out from
    its fields instead of a query each (the project page's buttons)."""
    admin_in_scope = _is_admin(user) and union_in_scope(user, project.owner)
    cadre_union = user.union_id if _writing_cadre(user) else None
    from .models import WorkPlan  # models import this module

    published = project.plan.status == WorkPlan.Status.PUBLISHED
    counts = project.counts
    own = bool(cadre_union) and project.owner_id == cadre_union
    # A union with reviewers hands its own projects down to the units below it
    # (分解下达), as the district hands out its plan: its reviewers do, or an
    # administrator whose scope holds it. Grassroots unions have no units below.
    reviewer_of_owner = (
        user.has_role(Role.REVIEWER) and user.union_id == project.owner_id
    )
    return {
        "edit": admin_in_scope,
        "report": published
        and counts
        and (own or (bool(cadre_union) and cadre_union in participant_ids)),
        "milestones": admin_in_scope or (published and own),
        "hand_down": published
        and counts
        and not project.owner.is_grassroots
        and (admin_in_scope or reviewer_of_owner),
    }


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
        if user.union_id is not None and _has_wide_scope(user):
            # The project is visible (owner or a participant in scope, plan shown)
            # and the report's union or the project's owner is in scope; that is,
            # the owner is in scope, or the union and a participant are. Written
            # as joins for a city or a district: the list of visible projects
            # would be most of the city's (225,000), hashed before the first row.
            through = KeyWorkProject.participants.through
            taking_part = through.objects.filter(
                scope_filter(user, "union"), keyworkproject_id=OuterRef("project_id")
            )
            plan_shown = (
                Q() if _is_admin(user) else Q(project__plan__status__in=_plan_shown())
            )
            return self.filter(
                plan_shown
                & (
                    scope_filter(user, "project__owner")
                    | (scope_filter(user, "union") & Q(Exists(taking_part)))
                )
            )
        projects = KeyWorkProject.objects.visible_to(user).values("pk")
        return self.filter(
            Q(project__in=projects)
            & (scope_filter(user, "union") | scope_filter(user, "project__owner"))
        )

    def of_visible_project(self, project, user):
        """The reports on ``project`` that ``visible_to(user)`` holds, for a
        project already fetched through ``KeyWorkProject.visible_to(user)`` with
        its owner: all of them when the owner is in scope, else those of the
        unions in scope; without visible_to's subquery of visible projects."""
        reports = self.filter(project_id=project.pk)
        if union_in_scope(user, project.owner):
            return reports
        return reports.filter(scope_filter(user, "union"))

    def editable_by(self, user):
        """The cadres of the reporting union, while the report is a draft or was
        returned and the plan is still published."""
        from .models import ProgressReport

        if not _writing_cadre(user):
            return self.none()
        return self.visible_to(user).filter(
            union_id=user.union_id,
            status__in=ProgressReport.EDITABLE_STATUSES,
            project__plan__status=_published(),
        )

    def reviewable_by(self, user):
        """Reports of unions strictly below the reviewer's union."""
        if not (user.is_authenticated and user.has_role(Role.REVIEWER)):
            return self.none()
        if _is_superuser_without_union(user):
            return self.visible_to(user).filter(project__plan__status=_published())
        if user.union_id is None:
            return self.none()
        # visible_to(user) restricted to reporting unions strictly below the user
        # and to published plans, simplified: with the reporting union in scope and
        # the plan published, a report is visible exactly when its project's owner
        # or one of its participants is in scope. Written without visible_to's list
        # of visible projects, which a city-wide reviewer's queue would build
        # whole (225,000 projects) before reading its first page.
        from .models import KeyWorkProject

        through = KeyWorkProject.participants.through
        taking_part = through.objects.filter(
            scope_filter(user, "union"), keyworkproject_id=OuterRef("project_id")
        )
        return self.filter(
            Q(union__path__startswith=user.union.path)
            & ~Q(union_id=user.union_id)
            & Q(project__plan__status=_published())
            & (scope_filter(user, "project__owner") | Q(Exists(taking_part)))
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
        if _writing_cadre(user):
            rule |= Q(union_id=user.union_id)
        if _is_admin(user):
            rule |= scope_filter(user, "union")
        return self.visible_to(user).filter(rule)
