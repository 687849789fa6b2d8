from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("assessments/", views.assessments_home, name="home"),
    # schemes, categories, indicators, not-applicable marks
    path("assessments/schemes/", views.scheme_list, name="scheme_list"),
    path("assessments/schemes/new/", views.scheme_create, name="scheme_create"),
    path("assessments/schemes/copy/", views.scheme_copy, name="scheme_copy"),
    path("assessments/schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("assessments/schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path(
        "assessments/schemes/<int:pk>/<slug:action>/",
        views.scheme_action,
        name="scheme_action",
    ),
    path(
        "assessments/schemes/<int:scheme_pk>/categories/new/",
        views.category_create,
        name="category_create",
    ),
    path(
        "assessments/categories/<int:pk>/edit/",
        views.category_edit,
        name="category_edit",
    ),
    path(
        "assessments/categories/<int:pk>/delete/",
        views.category_delete,
        name="category_delete",
    ),
    path(
        "assessments/schemes/<int:scheme_pk>/indicators/new/",
        views.indicator_create,
        name="indicator_create",
    ),
    path(
        "assessments/indicators/<int:pk>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "assessments/indicators/<int:pk>/delete/",
        views.indicator_delete,
        name="indicator_delete",
    ),
    path(
        "assessments/indicators/<int:indicator_pk>/not-applicable/",
        views.exemption_create,
        name="exemption_create",
    ),
    path(
        "assessments/not-applicable/<int:pk>/delete/",
        views.exemption_delete,
        name="exemption_delete",
    ),
    # periods
    path(
        "assessments/schemes/<int:scheme_pk>/periods/new/",
        views.period_create,
        name="period_create",
    ),
    path("assessments/periods/<int:pk>/", views.period_detail, name="period_detail"),
    path(
        "assessments/periods/<int:pk>/close/",
        views.period_close_confirm,
        name="period_close",
    ),
    path(
        "assessments/periods/<int:pk>/reopen/",
        views.period_reopen,
        name="period_reopen",
    ),
    path(
        "assessments/periods/<int:pk>/build/", views.report_build, name="report_build"
    ),
    path(
        "assessments/periods/<int:pk>/report-status/",
        views.report_status,
        name="report_status",
    ),
    path(
        "assessments/periods/<int:pk>/report-files/",
        views.report_files_build,
        name="report_files_build",
    ),
    path(
        "assessments/periods/<int:pk>/units/<int:union_pk>/",
        views.unit_scoring,
        name="unit_scoring",
    ),
    path(
        "assessments/periods/<int:pk>/units/<int:union_pk>/totals/",
        views.unit_scoring_totals,
        name="unit_scoring_totals",
    ),
    path(
        "assessments/periods/<int:pk>/import/",
        views.score_import,
        name="score_import",
    ),
    path(
        "assessments/periods/<int:pk>/import/confirm/",
        views.score_import_confirm,
        name="score_import_confirm",
    ),
    path(
        "assessments/periods/<int:pk>/import/template.xlsx",
        views.score_import_template,
        name="score_import_template",
    ),
    path(
        "assessments/periods/<int:pk>/<slug:action>/",
        views.period_action,
        name="period_action",
    ),
    path(
        "assessments/scores/<int:pk>/evidence/",
        views.score_evidence,
        name="score_evidence",
    ),
    # results
    path(
        "assessments/scorecard/<int:union_pk>/",
        views.unit_scorecard,
        name="unit_scorecard",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/late/", views.who_is_late, name="who_is_late"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/files/", views.report_files, name="report_files"),
    path(
        "reports/<int:pk>/download/<slug:kind>/",
        views.report_download,
        name="report_download",
    ),
    path(
        "reports/<int:pk>/notice.docx",
        views.report_notice,
        name="report_notice",
    ),
]
