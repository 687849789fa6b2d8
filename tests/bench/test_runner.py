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
