"""bench/run.py: the parts that need no servers."""

import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_web_command_is_the_procfile_line_with_its_defaults(run):
    argv = run.procfile_argv("web", {"WEB_WORKERS": "5"})
    assert argv[0].endswith("gunicorn")
    assert argv[argv.index("--workers") + 1] == "5"
    # One-threaded (sync) workers unless WEB_THREADS says otherwise (README).
    assert argv[argv.index("--threads") + 1] == "1"
    argv = run.procfile_argv("web", {"WEB_THREADS": "2"})
    assert argv[argv.index("--threads") + 1] == "2"


def test_worker_command_is_the_procfile_line(run):
    argv = run.procfile_argv("worker", {})
    assert argv[argv.index("-A") + 1] == "unionportal"


def test_replace_option_swaps_the_value_of_an_option(run):
    argv = run.replace_option(["g", "--bind", "127.0.0.1:8000", "-w"], "--bind", "x:1")
    assert argv == ["g", "--bind", "x:1", "-w"]


def test_replace_option_adds_a_missing_option(run):
    assert run.replace_option(["g"], "-A", "app") == ["g", "-A", "app"]


def test_bench_refuses_politely_without_a_database(run, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    assert run.main(["--scale", "tiny"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


def test_bench_refuses_politely_without_redis(run, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert run.main(["--scale", "tiny"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def test_bench_uses_its_own_database_on_the_given_server(run, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/live")
    bench = run.Bench(
        run.argparse.Namespace(scale="city", duration=0, db_prefix="bench_")
    )
    assert bench.database_url("city") == "postgres://u:p@db.example:5433/bench_city"


def test_table_marks_a_page_over_its_targets(run):
    results = {
        "scale": "tiny",
        "date": "2026-11-25",
        "machine": {"cores": 2, "cpu": "x"},
        "floor": {"path": "/bench/floor/", "rps": 100, "queries": 4, "before": {}},
        "pages": [
            {
                "name": "slow",
                "role": "leader",
                "rps": 10,
                "p50_ms": 100,
                "p95_ms": 400,
                "p99_ms": 500,
                "floor_ratio": 0.1,
                "queries": 30,
            }
        ],
    }
    assert "| slow | leader | 10 |" in run.table(results)
    assert run.misses(run.table(results))


def test_table_compares_each_page_with_the_django_floor(run):
    page = {
        "name": "list",
        "role": "reviewer",
        "rps": 30,
        "p50_ms": 20,
        "p95_ms": 100,
        "p99_ms": 120,
        "p99_over_p50": 6.0,
        "floor_ratio": 0.5,
        "x_django_floor": 0.1,
        "queries": 5,
    }
    results = {
        "scale": "tiny",
        "date": "2026-12-03",
        "machine": {"cores": 2, "cpu": "x"},
        "floor": {"path": "/bench/floor/", "rps": 150, "x_django_floor": 0.5},
        "django_floor": {"path": "/floor/", "rps": 300, "p95_ms": 30, "runs": []},
        "pages": [page],
    }
    text = run.table(results)
    assert (
        "| list | reviewer | 30 | 20 | 100 | 120 | 6.0 | 0.10 | 0.50 | 5 | MISS |"
        in text
    )
    assert "0.50 × the Django floor (MISS" in text
    page.update(p99_over_p50=1.2, x_django_floor=0.3)
    results["floor"]["x_django_floor"] = 0.9
    text = run.table(results)
    assert "| 0.30 | 0.50 | 5 | ok |" in text
    assert "0.90 × the Django floor (ok" in text


def test_three_builds_give_their_median_and_max(run):
    builds = [
        {"wall_seconds": s, "floor_ratio": s / 2, "peak_rss_mb": m, "units": 10}
        for s, m in ((9.0, 100), (12.0, 90), (10.0, 120))
    ]
    summary = run.summarise_builds(builds)
    assert summary["wall_seconds"] == 10.0
    assert summary["wall_seconds_max"] == 12.0
    assert summary["wall_seconds_each"] == [9.0, 12.0, 10.0]
    assert summary["floor_ratio_max"] == 6.0
    assert summary["peak_rss_mb"] == 120
    assert len(summary["builds"]) == 3


def test_web_command_logs_each_requests_time(run):
    # Each access-log line ends with the request's milliseconds, so that a p99
    # spike in the bench can be found in bench/.logs/gunicorn.log.
    argv = run.procfile_argv("web", {})
    log_format = argv[argv.index("--access-logformat") + 1]
    assert log_format.endswith("%(M)sms")
    assert '"%(r)s"' in log_format
