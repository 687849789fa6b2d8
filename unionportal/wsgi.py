import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

application = get_wsgi_application()

# Before the first request (and, with gunicorn's --preload, before the workers are
# forked): see unionportal/warmup.py.
from unionportal.warmup import warm  # noqa: E402

warm()
