"""Serving the portal for the benchmark: its databases, the gunicorn and Celery
processes of the Procfile, and the Django floor's own gunicorn."""

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import (
    BENCH,
    CONNECTIONS,
    PYTHON,
    ROOT,
    STATIC_IGNORE,
    BenchError,
    free_port,
    http_status,
    log,
    parse_json_line,
    procfile_argv,
    replace_option,
    static_fingerprint,
    wait_until,
)


class Serving:
    """The processes a run starts and stops (mixed into ``bench.run.Bench``)."""

    # --- environment ------------------------------------------------------------

    def database_url(self, scale: str) -> str:
        parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        if not parts.scheme.startswith("postgres"):
            raise BenchError("DATABASE_URL must name a PostgreSQL server.")
        return urllib.parse.urlunsplit(
            parts._replace(path=f"/{self.args.db_prefix}{scale}")
        )

    def env(self, database_url: str, **extra) -> dict:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            DEBUG="false",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            SECURE_HSTS_SECONDS="0",
            # The portal's settings plus the bench's app and floor page.
            DJANGO_SETTINGS_MODULE="bench.settings",
            STATIC_ROOT=str(BENCH / ".static"),
            MEDIA_ROOT=str(BENCH / ".media"),
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            # The API's per-user throttle would answer 429 under load; it still runs.
            API_THROTTLE_USER="100000000/min",
            PYTHONUNBUFFERED="1",
        )
        # As the README says for a machine shared with PostgreSQL: cores + 1.
        env.setdefault("WEB_WORKERS", str((os.cpu_count() or 1) + 1))
        env.update(extra)
        return env

    def manage(self, database_url: str, *argv, timeout: float = 900) -> str:
        command = [PYTHON, "manage.py", *argv]
        completed = subprocess.run(  # noqa: S603 - our own manage.py
            command,
            cwd=ROOT,
            env=self.env(database_url),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(
                f"manage.py {' '.join(argv)} failed:\n{completed.stdout[-3000:]}"
                f"\n{completed.stderr[-3000:]}"
            )
        return completed.stdout

    def probe(self, database_url: str, *argv, timeout: float = 900, **extra) -> dict:
        completed = subprocess.run(  # noqa: S603 - our own module
            [PYTHON, "-m", "bench.probe", *argv],
            cwd=ROOT,
            env=self.env(database_url, **extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(
                f"probe {' '.join(argv)} failed:\n{completed.stdout[-3000:]}"
                f"\n{completed.stderr[-3000:]}"
            )
        return parse_json_line(completed.stdout)

    def ensure_database(self, database_url: str, *, fresh: bool = False) -> None:
        """Creates the bench database when missing; ``fresh`` drops it first (the
        tiny seed is remade every run, and a database migrated by another
        checkout of the code may hold migrations this one does not have)."""
        import psycopg2

        parts = urllib.parse.urlsplit(database_url)
        name = parts.path.lstrip("/")
        server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        connection = psycopg2.connect(server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                if fresh:
                    log(f"dropping database {name} (made afresh at this scale)")
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    log(f"creating database {name}")
                    cursor.execute(f'CREATE DATABASE "{name}"')
                cursor.execute("SHOW server_version")
                self.results["machine"]["postgresql"] = cursor.fetchone()[0]
        finally:
            connection.close()

    def prepare(self, scale: str) -> str:
        """Migrated and seeded database of ``scale``; returns its URL."""
        url = self.database_url(scale)
        self.ensure_database(url, fresh=scale == "tiny")
        log(f"{scale}: migrate")
        self.manage(url, "migrate", "--no-input", "-v0")
        log(f"{scale}: seed_bench (reused when complete)")
        started = time.perf_counter()
        # The tiny seed takes seconds: made afresh (in a new database), it always
        # matches the code.
        fresh = ["--reset"] if scale == "tiny" else []
        output = self.manage(
            url, "seed_bench", "--scale", scale, "--json", *fresh, timeout=3600
        )
        seed = parse_json_line(output)
        seed["wall_seconds"] = round(time.perf_counter() - started, 1)
        self.results.setdefault("seed", {})[scale] = seed
        if seed.get("reused"):
            log(f"{scale}: reused the existing seed")
        else:
            log(f"{scale}: seeded in {seed['seconds']} s")
        return url

    def collectstatic(self, url: str) -> None:
        fingerprint = static_fingerprint()
        marker = BENCH / ".static" / ".fingerprint"
        if marker.exists() and marker.read_text() == fingerprint:
            return
        log("collectstatic (once; kept in bench/.static)")
        ignores = [arg for name in STATIC_IGNORE for arg in ("-i", name)]
        self.manage(url, "collectstatic", "--no-input", "-v0", "--clear", *ignores)
        marker.write_text(fingerprint)

    # --- processes -------------------------------------------------------------

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        output = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - the Procfile's own command
            argv,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)

    def start_web(self, url: str) -> tuple[subprocess.Popen, str]:
        port = free_port()
        env = self.env(url)
        argv = procfile_argv("web", env)
        argv = replace_option(argv, "--bind", f"127.0.0.1:{port}")
        self.results["settings"]["gunicorn"] = " ".join(argv)
        log(f"gunicorn: {' '.join(argv)}")
        process = self.start("gunicorn", argv, env)
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: http_status(f"{base}/healthz") == 200,
            timeout=90,
            what="gunicorn to answer /healthz",
            process=process,
        )
        return process, base

    def prepare_django_floor(self) -> dict:
        """Migrates the minimal Django project's database (``<prefix>django_floor``
        on the same server) and signs in one user per connection."""
        url = self.database_url("django_floor")
        self.ensure_database(url)
        completed = subprocess.run(  # noqa: S603 - our own module
            [
                PYTHON,
                "-m",
                "bench.django_floor.prepare",
                "--sessions",
                str(CONNECTIONS),
            ],
            cwd=ROOT,
            env=self.django_floor_env(url),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(
                f"the Django floor's preparation failed:\n{completed.stdout[-3000:]}"
                f"\n{completed.stderr[-3000:]}"
            )
        target = parse_json_line(completed.stdout)
        if target.get("status") != 200:
            raise BenchError(f"the Django floor answered {target.get('status')}")
        target.update(name="Django floor", role="floor1", url=url)
        return target

    def django_floor_env(self, url: str) -> dict:
        return self.env(
            url,
            DJANGO_SETTINGS_MODULE="bench.django_floor.settings",
            DJANGO_FLOOR_DATABASE_URL=url,
        )

    def start_django_floor(self, url: str) -> tuple[subprocess.Popen, str]:
        """The minimal project under the Procfile's gunicorn line, the same options
        as the portal's (workers, threads, --preload, --max-requests, access log)."""
        port = free_port()
        env = self.django_floor_env(url)
        argv = procfile_argv("web", env)
        argv = [
            "bench.django_floor.wsgi:application" if a.endswith(":application") else a
            for a in argv
        ]
        argv = replace_option(argv, "--bind", f"127.0.0.1:{port}")
        self.results["settings"]["gunicorn_django_floor"] = " ".join(argv)
        process = self.start("gunicorn-django-floor", argv, env)
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: http_status(f"{base}/floor/") == 302,
            timeout=90,
            what="the Django floor's gunicorn to answer",
            process=process,
        )
        return process, base

    def start_worker(self, url: str, stats: Path) -> subprocess.Popen:
        env = self.env(url, BENCH_TASK_STATS=str(stats))
        argv = procfile_argv("worker", env)
        argv = replace_option(argv, "-A", "bench.worker")
        argv += ["--hostname", f"bench{os.getpid()}@%h"]
        self.results["settings"]["worker"] = " ".join(argv)
        log(f"worker: {' '.join(argv)}")
        name = f"worker-{stats.name}"
        process = self.start(name, argv, env)
        logfile = self.logs / f"{name}.log"
        wait_until(
            lambda: " ready." in logfile.read_text(errors="replace"),
            timeout=90,
            what="the Celery worker to be ready",
            process=process,
        )
        return process

    # --- measuring ---------------------------------------------------------------
