from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny

from .exceptions import error_body


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def not_found(request, *args, **kwargs):
    """Any other address under /api/: the API's own 404 body, not the HTML page."""
    raise NotFound


def error_page(status: int) -> JsonResponse:
    """The API's error body for an error raised before a view ran (middleware)."""
    exc = {403: PermissionDenied, 404: NotFound}[status]()
    return JsonResponse(error_body(exc.detail.code, exc.detail), status=status)
