import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .home import home_tasks_for

logger = logging.getLogger(__name__)


@login_required
def home(request):
    tasks = home_tasks_for(request.user)
    return render(
        request,
        "unionportal/home.html",
        {
            "tasks": [t for t in tasks if t.count],
            "quiet_tasks": [t for t in tasks if not t.count],
        },
    )


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down" to a load balancer
        logger.exception("health check: database unreachable")
        return "unavailable"
    return "ok"


def _broker_state() -> str:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.warning("health check: broker unreachable", exc_info=True)
        return "unavailable"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    database = _database_state()
    broker = _broker_state()
    healthy = database == "ok"
    body = {
        "status": "ok"
        if healthy and broker != "unavailable"
        else ("degraded" if healthy else "error"),
        "database": database,
        "broker": broker,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def permission_denied(request, exception=None):
    if request.path_info.startswith("/api/"):
        from .api.views import error_page

        return error_page(403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
