from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """Activates the language a signed-in user chose, over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A person whose password someone else chose (an administrator, the bulk user
    import) chooses their own before using the portal: every page but the password
    change itself, signing out and the language switch leads there."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed: set[str] | None = None

    def _allowed_paths(self) -> set[str]:
        if self._allowed is None:
            names = [
                "password_change",
                "password_change_done",
                "logout",
                "accounts:set_language",
            ]
            self._allowed = {reverse(name) for name in names}
        return self._allowed

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path not in self._allowed_paths()
        ):
            if request.method == "GET":
                messages.info(
                    request,
                    _("Choose a password of your own before you go on."),
                )
            return redirect("password_change")
        return self.get_response(request)
