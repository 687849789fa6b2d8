from django.contrib.auth.backends import ModelBackend


class UnionModelBackend(ModelBackend):
    """Loads the user's union with the user: every page needs it for the access rule."""

    def get_user(self, user_id):
        from .models import User

        try:
            user = User._default_manager.select_related("union").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
