import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

app = Celery("unionportal")
# Every Celery option lives in Django settings under the CELERY_ prefix, so the
# embedded (eager) mode and a real broker are switched by one environment variable.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
