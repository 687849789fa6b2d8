from django.contrib.auth import views as auth_views
from django.urls import path

from . import import_views, password_reset, token_views, views
from .forms import LoginForm

urlpatterns = [
    path(
        "accounts/login/",
        views.PortalLoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        views.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # A forgotten password, by e-mail (accounts/password_reset.py).
    path(
        "accounts/password/reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

accounts_patterns = [
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("profile/tokens/new/", token_views.token_create, name="token_create"),
    path(
        "profile/tokens/<int:pk>/revoke/",
        token_views.token_revoke,
        name="token_revoke",
    ),
    path("notifications/", views.notification_list, name="notification_list"),
    path(
        "notifications/settings/",
        views.notification_settings,
        name="notification_settings",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        views.notifications_read_all,
        name="notifications_read_all",
    ),
    path("administration/", views.admin_home, name="admin_home"),
    path("administration/users/", views.user_list, name="user_list"),
    path("administration/users/new/", views.user_create, name="user_create"),
    path("administration/users/<int:pk>/", views.user_edit, name="user_edit"),
    path(
        "administration/users/import/",
        import_views.user_import,
        name="user_import",
    ),
    path(
        "administration/users/import/confirm/",
        import_views.user_import_confirm,
        name="user_import_confirm",
    ),
    path(
        "administration/users/import/template.xlsx",
        import_views.user_import_template_download,
        name="user_import_template",
    ),
    path("administration/audit/", views.audit_list, name="audit_list"),
]
