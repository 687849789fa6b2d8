"""The OpenAPI description: every operation documents the errors it can answer,
all in the one error body of ``exceptions.py``, so that generated clients (and
schemathesis) know every status the API may send."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_("A stable machine-readable code, e.g. “not_found”.")
    )
    message = serializers.CharField(help_text=_("A translated message for people."))
    fields = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text=_("For invalid input: the messages of each field."),
    )
    retry_after = serializers.IntegerField(
        required=False, help_text=_("When throttled: seconds to wait.")
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERRORS = {
    "400": _("Invalid input: see error.fields."),
    "401": _("No valid credentials: send “Authorization: Token <key>”."),
    "403": _("Visible to you, but your roles do not allow this."),
    "404": _("Not found, or not visible to you."),
    "409": _("The object's state (a locked period, a finished workflow) forbids it."),
    "412": _("If-Match does not match: someone changed the object meanwhile."),
    "415": _("Send the body as JSON."),
    "428": _("If-Match is required for this change."),
    "429": _("Too many requests: wait error.retry_after seconds."),
}

COMMON = ("400", "401", "403", "404", "429")
WRITE = ("409", "415")
UPDATE = ("412", "428")


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = list(COMMON)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += WRITE
        if self.method in ("PUT", "PATCH"):
            codes += UPDATE
        elif self.method in ("POST", "DELETE") and self._accepts_if_match():
            codes.append("412")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERRORS[code]),
                    code,
                    direction=direction,
                )
        return dict(sorted(responses.items()))

    def _accepts_if_match(self) -> bool:
        return any(
            getattr(p, "name", None) == "If-Match"
            for p in self.get_override_parameters()
        )
