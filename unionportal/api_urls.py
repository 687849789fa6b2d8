from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments.api import register as assessments_api
from planning.api import register as planning_api
from unionportal.api.router import build_router
from unionportal.api.views import not_found
from unions.api import register as unions_api

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP forbids inline.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path(
        "v1/", include(build_router((unions_api, planning_api, assessments_api)).urls)
    ),
    re_path(r"^", not_found, name="api-not-found"),
]
