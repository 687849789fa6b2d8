"""The one access rule of the portal.

Visibility follows the union tree: a user sees the union they belong to and every
union below it (a district reviewer the whole district, a grassroots cadre only their
own union). What a user may change depends on their roles and is answered by each
model's ``editable_by(user)`` queryset method, which starts from ``visible_to``.

Views fetch objects only through the helpers here:
- not visible: 404, so a stranger cannot tell that the object exists;
- visible but not changeable: 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from unionportal.roles import Role


def scope_filter(user, union_field: str = "union") -> Q:
    """A Q that keeps the rows whose ``union_field`` lies in the user's subtree.

    ``union_field`` is the path from the filtered model to a Union ("" for Union
    itself, "owner" for a project, "unit" for a score...).
    """
    prefix = f"{union_field}__" if union_field else ""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser and user.union_id is None:
        return Q()
    if user.union_id is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}path__startswith": user.union.path})


def union_in_scope(user, union) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.union_id is None:
        return True
    return bool(user.union_id) and union.path.startswith(user.union.path)


def get_visible_or_404(queryset: QuerySet, user, **lookup):
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_editable_or_403(queryset: QuerySet, user, **lookup):
    """404 when the object is not visible, 403 when it is visible but not editable."""
    obj = get_visible_or_404(queryset, user, **lookup)
    ensure_editable(queryset, user, obj)
    return obj


def ensure_editable(queryset: QuerySet, user, obj) -> None:
    if not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied


def role_required(*roles: str):
    """403 unless the signed-in user holds one of ``roles``.

    Use with ``login_required`` above it, so that anonymous users are sent to sign in.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def writer_required(view):
    """403 for read-only users (leaders) on any request that changes data."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and request.user.is_read_only
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


ADMIN = Role.ADMIN
LEADER = Role.LEADER
REVIEWER = Role.REVIEWER
CADRE = Role.CADRE
