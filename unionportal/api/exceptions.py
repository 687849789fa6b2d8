"""One error body for every API failure, with a stable machine-readable code:

    {"error": {"code": "validation_error",
               "message": "Check the fields listed.",
               "fields": {"name": ["This field is required."]}}}

``fields`` appears only for invalid input; ``retry_after`` (seconds) only when the
client is throttled. Messages are translated; codes never are.
"""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

# Service errors with one of these codes mean "the object's state forbids this"
# (a locked period, a report no longer a draft): 409 rather than 400.
CONFLICT_CODES = frozenset(
    {
        "locked",
        "published",
        "period_locked",
        "period_closed",
        "invalid_state",
        "invalid_transition",
    }
)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The object was changed by someone else since you read it. Read it again "
        "and repeat your change."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "Send the ETag of the version you read in an If-Match header, so that a "
        "change made meanwhile by someone else is not overwritten."
    )
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's current state does not allow this.")
    default_code = "conflict"


STATUS_CODES = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "throttled",
}


def _django_error_codes(exc: DjangoValidationError) -> set:
    errors = (
        [e for field in exc.error_dict.values() for e in field]
        if hasattr(exc, "error_dict")
        else exc.error_list
    )
    return {e.code for e in errors}


def _flatten(value) -> list[str]:
    if isinstance(value, Mapping):
        return [m for v in value.values() for m in _flatten(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _flatten(v)]
    return [str(value)]


def error_body(code: str, message, fields=None, **extra) -> dict:
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return {"error": body}


def _validation_body(detail, code: str = "validation_error") -> dict:
    if not isinstance(detail, Mapping):
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    fields = {}
    general: list[str] = []
    for key, value in detail.items():
        if key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS):
            general.extend(_flatten(value))
        else:
            fields[key] = value if isinstance(value, list | Mapping) else [value]
    message = " ".join(general) or _("The data sent is not valid: see the fields.")
    return error_body(code, message, fields)


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; its
        # answer would be an HTML 400 page.
        return Response(
            error_body(
                "too_large",
                _("The request body is larger than %(limit)s bytes.")
                % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            ),
            status=413,
        )
    if isinstance(exc, DjangoValidationError):
        codes = _django_error_codes(exc)
        detail = as_serializer_error(exc)
        set_rollback()
        if codes and codes <= CONFLICT_CODES:
            code = next(iter(codes)) if len(codes) == 1 else "conflict"
            return Response(_validation_body(detail, code), status=409)
        return Response(_validation_body(detail), status=400)
    if isinstance(exc, Http404):
        # Django's message names the model; a stranger learns nothing from ours.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None

    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    code = getattr(exc.detail, "code", None) or STATUS_CODES.get(
        exc.status_code, exc.default_code
    )
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        headers["Retry-After"] = str(wait)
        body = error_body(code, exc.detail, retry_after=wait)
    else:
        detail = exc.detail
        message = (
            " ".join(_flatten(detail)) if isinstance(detail, list | dict) else detail
        )
        body = error_body(code, message)
    return Response(body, status=exc.status_code, headers=headers)
