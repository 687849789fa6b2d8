from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.urls import accounts_patterns

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include((accounts_patterns, "accounts"))),
    path("", include("unions.urls")),
    path("", include("planning.urls")),
    path("", include("assessments.urls")),
    path("api/", include("unionportal.api_urls")),
]

# Django's admin answers only at a path the deployment chooses (DJANGO_ADMIN_PATH),
# so that its sign-in page is not where every scanner looks; unset, it is not served.
if settings.DJANGO_ADMIN_PATH:
    urlpatterns.append(path(settings.DJANGO_ADMIN_PATH, admin.site.urls))

handler403 = "unionportal.views.permission_denied"
handler404 = "unionportal.views.page_not_found"
handler500 = "unionportal.views.server_error"
