"""The floor of the benchmark: the cheapest page the stack can serve.

It goes through everything a real page pays for (every middleware, the session,
authentication, the context processors and one template compiled once per process,
as the cached loader keeps the pages' templates) and nothing else, so each page's
throughput can be printed as a ratio to it. Wired only by ``bench/urls.py`` (the
bench's settings, ``bench/settings.py``); production never loads this package.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
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
    return HttpResponse(_floor_template().render({}, request))
