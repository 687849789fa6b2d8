"""The API of key work: plans and their items, projects, progress reports and their
review, campaigns and activity events.

Reads are scoped by the planning querysets; every write calls a function of
``planning.services``, which holds the rules (plan states, the report workflow,
the version check, the derived project status).
"""

from .activities import ActivityEventViewSet, CampaignViewSet
from .plans import PlanItemViewSet, WorkPlanViewSet
from .projects import ProjectViewSet
from .proposals import ProjectProposalViewSet
from .reports import ProgressReportViewSet


def register(router) -> None:
    router.register("plans", WorkPlanViewSet, basename="plan")
    router.register("plan-items", PlanItemViewSet, basename="plan-item")
    router.register("projects", ProjectViewSet, basename="project")
    router.register(
        "project-proposals", ProjectProposalViewSet, basename="project-proposal"
    )
    router.register("progress-reports", ProgressReportViewSet, basename="report")
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("activity-events", ActivityEventViewSet, basename="event")
