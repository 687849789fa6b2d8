"""Optimistic concurrency: a detail GET answers with an ``ETag``; a PUT or PATCH must
send it back in ``If-Match``. A change made meanwhile by someone else changes the
ETag, so the second writer gets 412 instead of silently overwriting the first.

The ETag is a digest of the row's stored values, so it does not depend on the
serializer, the language of the response or the fields a client asked for.
"""

import hashlib

from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .exceptions import PreconditionFailed, PreconditionRequired


def etag_for(obj) -> str:
    parts = [
        f"{field.attname}={field.value_to_string(obj)}"
        for field in obj._meta.concrete_fields
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def check_if_match(request, obj, *, required: bool) -> None:
    header = request.headers.get("If-Match")
    if not header:
        if required:
            raise PreconditionRequired
        return
    tags = parse_etags(header)
    if "*" in tags:
        return
    if etag_for(obj) not in tags:
        raise PreconditionFailed


IF_MATCH = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=_("The ETag of the version read with GET; a stale one answers 412."),
)

IF_MATCH_OPTIONAL = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_("Optional: the ETag of the version read; a stale one answers 412."),
)

ETAG_HEADER = OpenApiParameter(
    name="ETag",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description=_("The version of the object; send it back in If-Match."),
)
