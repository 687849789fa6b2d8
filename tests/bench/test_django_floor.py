"""bench/django_floor: the minimal Django project make bench measures the pages
against. Run in a subprocess, since it is a project of its own."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_django_floor_serves_signed_in_users_a_twenty_row_page(tmp_path):
    env = {
        **os.environ,
        "DJANGO_FLOOR_DATABASE_URL": f"sqlite:///{tmp_path / 'floor.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.django_floor.prepare", "--sessions", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    line = completed.stdout.strip().splitlines()[-1]
    assert line.startswith("BENCH_JSON ")
    figures = json.loads(line[len("BENCH_JSON ") :])
    assert figures["status"] == 200
    assert len(figures["cookies"]) == 3
    assert len(set(figures["cookies"])) == 3
    # The session and the user: database sessions, nothing cached.
    assert figures["queries"] == 2
    assert figures["bytes"] > 1000


def test_the_django_floor_loads_nothing_of_the_portal():
    code = (
        "import os, sys; os.environ['DJANGO_FLOOR_DATABASE_URL']='sqlite://:memory:';"
        "import bench.django_floor.wsgi;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'accounts','unions','planning','assessments','unionportal'}))"
    )
    completed = subprocess.run(  # noqa: S603 - a fixed snippet
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
