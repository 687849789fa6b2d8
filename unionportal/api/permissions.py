"""The portal's one access rule, for the API.

- anonymous: 401 (the ``WWW-Authenticate: Token`` challenge);
- read-only users (leaders): 403 on every write;
- objects are fetched from ``Model.objects.visible_to(user)`` (404 when unseen), and
  writes check ``editable_by(user)`` or the action's own queryset (403 when seen but
  not changeable): see ``PortalViewSet.get_object_for``.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


class PortalPermission(BasePermission):
    message = _("Your roles allow you to read, not to change anything.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return not user.is_read_only
