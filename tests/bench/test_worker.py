import json

from celery import shared_task

from unions.models import Union


@shared_task(name="tests.bench.count_unions")
def count_unions_task():
    return Union.objects.count() + Union.objects.filter(is_active=True).count()


def test_worker_hooks_write_the_figures_of_each_task(tmp_path, monkeypatch, db):
    import bench.worker  # noqa: F401 - connects the measuring hooks

    monkeypatch.setenv("BENCH_TASK_STATS", str(tmp_path))
    count_unions_task.delay()
    (record_file,) = tmp_path.glob("*.json")
    record = json.loads(record_file.read_text())
    assert record["task"] == "tests.bench.count_unions"
    assert record["queries"] == 2
    assert record["peak_rss_mb"] > 0


def test_worker_hooks_stay_silent_without_a_folder(tmp_path, monkeypatch, db):
    import bench.worker  # noqa: F401

    monkeypatch.delenv("BENCH_TASK_STATS", raising=False)
    monkeypatch.chdir(tmp_path)
    count_unions_task.delay()
    assert list(tmp_path.iterdir()) == []


def test_worker_hooks_leave_no_query_counter_behind(db):
    from django.db import connection

    from bench.worker import QueryCounter

    count_unions_task.delay()
    assert not any(isinstance(w, QueryCounter) for w in connection.execute_wrappers)
