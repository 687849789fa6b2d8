from django.urls import path

from .views import activities, plans, progress, projects, proposals

app_name = "planning"

urlpatterns = [
    # plans
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/import/", plans.plan_import, name="plan_import"),
    path(
        "plans/import/template.xlsx",
        plans.plan_import_template,
        name="plan_import_template",
    ),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/publish/", plans.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan_close"),
    path("plans/<int:pk>/export.xlsx", plans.plan_export, name="plan_export"),
    path("plans/<int:pk>/hand-out/", plans.plan_hand_out, name="plan_hand_out"),
    path("plans/<int:pk>/items/new/", plans.item_create, name="item_create"),
    path("plans/items/<int:pk>/edit/", plans.item_edit, name="item_edit"),
    # projects
    path("projects/", projects.project_list, name="project_list"),
    path("projects/propose/", proposals.project_propose, name="project_propose"),
    path(
        "projects/<int:pk>/proposal/edit/",
        proposals.project_proposal_edit,
        name="project_proposal_edit",
    ),
    path(
        "projects/<int:pk>/proposal/decide/",
        proposals.project_proposal_decide,
        name="project_proposal_decide",
    ),
    path("projects/export.xlsx", projects.project_export, name="project_export"),
    path(
        "projects/<int:pk>/hand-down/",
        projects.project_hand_down,
        name="project_hand_down",
    ),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path(
        "projects/<int:pk>/milestones/new/",
        projects.milestone_create,
        name="milestone_create",
    ),
    path(
        "projects/milestones/<int:pk>/toggle/",
        projects.milestone_toggle,
        name="milestone_toggle",
    ),
    path(
        "projects/milestones/<int:pk>/delete/",
        projects.milestone_delete,
        name="milestone_delete",
    ),
    # progress reports and review
    path("progress/", progress.progress_home, name="progress_home"),
    path(
        "progress/projects/<int:pk>/report/",
        progress.report_entry,
        name="report_entry",
    ),
    path("progress/reports/<int:pk>/", progress.report_detail, name="report_detail"),
    path(
        "progress/reports/<int:pk>/evidence/",
        progress.report_evidence_upload,
        name="report_evidence_upload",
    ),
    path(
        "progress/reports/<int:pk>/review/",
        progress.report_review,
        name="report_review",
    ),
    path("progress/late/", progress.late_reports, name="late_reports"),
    path("progress/due/", progress.due_reports, name="due_reports"),
    path("progress/review/", progress.review_queue, name="review_queue"),
    path("progress/review/bulk/", progress.review_bulk, name="review_bulk"),
    path("evidence/<int:pk>/", progress.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", progress.evidence_delete, name="evidence_delete"),
    # featured carrier activities, training and publicity
    path("activities/", activities.activity_home, name="activity_home"),
    path(
        "activities/campaigns/new/",
        activities.campaign_create,
        name="campaign_create",
    ),
    path(
        "activities/campaigns/<int:pk>/",
        activities.campaign_detail,
        name="campaign_detail",
    ),
    path(
        "activities/campaigns/<int:pk>/edit/",
        activities.campaign_edit,
        name="campaign_edit",
    ),
    path("activities/events/new/", activities.event_create, name="event_create"),
    path("activities/events/<int:pk>/", activities.event_detail, name="event_detail"),
    path("activities/events/<int:pk>/edit/", activities.event_edit, name="event_edit"),
    path(
        "activities/events/<int:pk>/evidence/",
        activities.event_evidence_upload,
        name="event_evidence_upload",
    ),
]
