from django.urls import path

from . import lookups, views

app_name = "unions"

urlpatterns = [
    path("unions/", views.union_list, name="union_list"),
    path("unions/lookup/", lookups.union_lookup, name="union_lookup"),
    path("unions/new/", views.union_create, name="union_create"),
    path("unions/export.xlsx", views.union_export, name="union_export"),
    path("unions/import/", views.union_import, name="union_import"),
    path(
        "unions/import/confirm/",
        views.union_import_confirm,
        name="union_import_confirm",
    ),
    path(
        "unions/import/template.xlsx",
        views.union_import_template,
        name="union_import_template",
    ),
    path("unions/<int:pk>/", views.union_detail, name="union_detail"),
    path("unions/<int:pk>/edit/", views.union_edit, name="union_edit"),
    path(
        "unions/<int:pk>/deactivate/", views.union_deactivate, name="union_deactivate"
    ),
    path("unions/<int:pk>/activate/", views.union_activate, name="union_activate"),
    path("unions/<int:pk>/terms/new/", views.term_create, name="term_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
    path("terms/", views.term_dashboard, name="term_dashboard"),
    path("terms/list/", views.term_list, name="term_list"),
    path("terms/<int:pk>/", views.term_detail, name="term_detail"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/officers/new/", views.position_add, name="position_add"),
    path("terms/changes/", views.change_list, name="change_list"),
    path("terms/changes/new/", views.change_create, name="change_create"),
    path("terms/changes/<int:pk>/", views.change_detail, name="change_detail"),
    path(
        "terms/changes/<int:pk>/steps/<slug:step>/",
        views.change_step,
        name="change_step",
    ),
    path("terms/changes/<int:pk>/cancel/", views.change_cancel, name="change_cancel"),
    path(
        "terms/changes/documents/<int:pk>/",
        views.step_document,
        name="step_document",
    ),
]
