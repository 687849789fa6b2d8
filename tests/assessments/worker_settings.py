"""Settings of the Celery workers started by test_worker.py: the portal's own, with
the default queue set to the test's queue, so that a job a worker enqueues itself
(the report's files job, sent when the snapshot commits) reaches the test's
workers and no other."""

import os

from unionportal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")
