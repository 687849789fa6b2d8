from datetime import date

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from unionportal.access import scope_filter
from unionportal.forms import apply_service_errors as apply_errors  # noqa: F401
from unionportal.htmx import is_partial_request
from unions.models import Union


def union_scope(user):
    """The unions in the user's subtree."""
    return Union.objects.filter(scope_filter(user, ""))


def unions_below(user, union: Union):
    """Active unions strictly below ``union`` that the user may see."""
    return union_scope(user).filter(
        Q(path__startswith=union.path) & ~Q(pk=union.pk), is_active=True
    )


def parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc


def htmx_redirect(request, url: str):
    """A redirect that htmx follows as a full page load."""
    if is_partial_request(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
