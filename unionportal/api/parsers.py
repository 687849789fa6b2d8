"""The API's JSON parser: every bad body is a 400 in the API's one error format."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from unionportal.text import strip_control_deep


class PortalJSONParser(JSONParser):
    """DRF's JSONParser, cleaning control characters out of every string, with two
    answers it lacks.

    A body nested deeper than Python's recursion limit (2 KB of ``[`` is enough)
    makes the json module raise RecursionError, and a body larger than
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` would be read whole: both become a ParseError,
    which the exception handler renders as JSON.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            too_big = limit is not None and length and int(length) > limit
        except ValueError:
            too_big = False
        if too_big:
            raise ParseError(
                _("The request body is larger than %(limit)s bytes.") % {"limit": limit}
            )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON body is nested too deeply.")) from exc
        # Control characters never reach a service (unionportal/text.py).
        return strip_control_deep(data)
