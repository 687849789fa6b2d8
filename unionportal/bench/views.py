"""The floor of the benchmark: the cheapest page the stack can serve.

It goes through everything a real page pays for (every middleware, the session,
authentication, the context processors and one template compiled once per process,
as the cached loader keeps the pages' templates) and nothing else, so each page's
throughput can be printed as a ratio to it. Wired in ``unionportal/urls.py`` only
when ``settings.BENCH_FLOOR`` is true; the view checks again so that it can never
answer in production.
"""

from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.template import engines
from django.views.decorators.http import require_GET

FLOOR_TEMPLATE = """{% load i18n %}<!doctype html>
<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8">
<title>{% translate "Union Work Portal" %}</title></head>
<body><main><p>{{ user.get_username }}</p></main></body></html>
"""


@cache
def _floor_template():
    return engines["django"].from_string(FLOOR_TEMPLATE)


@login_required
@require_GET
def floor(request):
    if not settings.BENCH_FLOOR:
        raise Http404
    return HttpResponse(_floor_template().render({}, request))
