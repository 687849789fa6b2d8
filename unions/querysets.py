from django.db import models


class UnionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from unionportal.access import scope_filter

        return self.filter(scope_filter(user, ""))

    def editable_by(self, user):
        """Admins change the unions in their scope; nobody else does."""
        if not (user.is_authenticated and user.has_role("admin")):
            return self.none()
        return self.visible_to(user)

    def active(self):
        return self.filter(is_active=True)

    def descendants_of(self, union, *, include_self: bool = True):
        qs = self.filter(path__startswith=union.path)
        return qs if include_self else qs.exclude(pk=union.pk)
