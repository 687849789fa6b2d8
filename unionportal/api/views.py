from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from .exceptions import error_body
from .permissions import PortalPermission


class ReadsOpenWritesSignedIn(PortalPermission):
    """Anyone may read that nothing is here; a write is answered as on every API
    endpoint first (401 anonymous, 403 read-only or without a CSRF token)."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or super().has_permission(request, view)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([ReadsOpenWritesSignedIn])
def not_found(request, *args, **kwargs):
    """Any other address under /api/: the API's own 404 body, not the HTML page."""
    raise NotFound


def error_page(status: int) -> JsonResponse:
    """The API's error body for an error raised before a view ran (middleware)."""
    exc = {403: PermissionDenied, 404: NotFound}[status]()
    return JsonResponse(error_body(exc.detail.code, exc.detail), status=status)
