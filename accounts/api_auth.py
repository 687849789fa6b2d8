"""How programs sign in to the API: ``Authorization: Token <key>``.

Pages' htmx uses the session (with its CSRF check) instead; both give the same
user, with the same roles and scope.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .tokens import api_token_authenticate

KEYWORD = "Token"


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Token <key>”.")
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid or revoked token, or the user is inactive.")
            )
        user = token.user
        # As on the pages, the language the user chose wins over the browser's.
        if user.language:
            translation.activate(user.language)
            request._request.LANGUAGE_CODE = translation.get_language()
        return user, token

    def authenticate_header(self, request):
        # Makes unauthenticated requests answer 401 (with this challenge), not 403.
        return KEYWORD


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser session, with Django's CSRF check on writes."""


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _(
                    "A personal token from your profile page, sent as "
                    "“Authorization: Token <key>”."
                )
            ),
        }


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
