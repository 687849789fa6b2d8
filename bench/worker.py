"""The production Celery app with measuring hooks, for the benchmark's worker.

``make bench`` starts the worker line of the Procfile with ``-A bench.worker``
instead of ``-A unionportal``: the same app, tasks and settings, plus two signal
handlers. Around every task they count the queries on the default connection, reset
and then read the peak resident memory of the process running it (a prefork child),
and write the figures as ``<task id>.json`` into the folder named by
``BENCH_TASK_STATS``. Nothing here runs in production, where the Procfile loads
``unionportal.celery`` directly.
"""

import json
import os
import resource
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun

from unionportal.celery import app

__all__ = ["app"]

_running: dict[str, dict] = {}


class QueryCounter:
    """A ``connection.execute_wrapper`` that only counts."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def proc_status_kb(field: str, pid: int | str = "self") -> int:
    """A ``kB`` line of /proc/<pid>/status (VmRSS, VmHWM), 0 where there is none."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def reset_peak_rss() -> bool:
    """Sets the process's VmHWM back to its current RSS (Linux ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


@task_prerun.connect
def _start(task_id=None, task=None, **kwargs):
    from django.db import connection

    counter = QueryCounter()
    connection.execute_wrappers.append(counter)
    _running[task_id] = {
        "counter": counter,
        "started": time.perf_counter(),
        "rss_start_kb": proc_status_kb("VmRSS"),
        "peak_reset": reset_peak_rss(),
    }


@task_postrun.connect
def _finish(task_id=None, task=None, args=None, kwargs=None, state=None, **extra):
    from django.db import connection

    running = _running.pop(task_id, None)
    if running is None:
        return
    seconds = time.perf_counter() - running["started"]
    counter = running["counter"]
    if counter in connection.execute_wrappers:
        connection.execute_wrappers.remove(counter)
    peak_kb = proc_status_kb("VmHWM")
    if not running["peak_reset"]:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    folder = os.environ.get("BENCH_TASK_STATS")
    if not folder:
        return
    record = {
        "task": getattr(task, "name", ""),
        "task_id": task_id,
        "args": list(args or []),
        "kwargs": dict(kwargs or {}),
        "state": state,
        "seconds": round(seconds, 3),
        "queries": counter.count,
        "rss_start_mb": round(running["rss_start_kb"] / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "pid": os.getpid(),
    }
    path = Path(folder) / f"{task_id}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, default=str), encoding="utf-8")
    temporary.rename(path)
