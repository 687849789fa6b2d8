"""`make backup` and `make restore`: every row and every uploaded file comes back.

The round trip runs on the PostgreSQL server named by DATABASE_URL, in databases of
its own (trust_backup_src, trust_backup_dst), through the real make targets.
"""

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.conftest import require_or_skip
from unionportal.backup import (
    BackupError,
    Database,
    restore,
    table_row_counts,
)

BASE_DIR = Path(settings.BASE_DIR)
SOURCE_DB = "trust_backup_src"
TARGET_DB = "trust_backup_dst"

UPLOADS = {
    "evidence/2026/q1/training-photo.jpg": b"\xff\xd8\xff\xe0" + os.urandom(40_000),
    "evidence/2026/q1/签到表.pdf": b"%PDF-1.7\n" + os.urandom(120_000),
    "reports/2026-Q1.xlsx": b"PK\x03\x04" + os.urandom(3_000),
    "empty-dir-sibling/notes.txt": b"",
}


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        require_or_skip(
            "REQUIRE_SERVICES", "backup tests need DATABASE_URL=postgres://"
        )
    return url


def _url_for(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _admin_connection(url: str):
    connection = Database.from_url(_url_for(url, "postgres")).connect()
    connection.autocommit = True
    return connection


def _recreate(url: str, *names: str) -> None:
    connection = _admin_connection(url)
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _drop(url: str, *names: str) -> None:
    connection = _admin_connection(url)
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def _env(database_url: str, media_root: Path, **extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")
    }
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        DEBUG="1",
        **extra,
    )
    return env


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed commands
        command,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of all its rows' contents."""
    from psycopg2 import sql

    connection = Database.from_url(url).connect()
    result = {}
    with connection.cursor() as cursor:
        counts = table_row_counts(cursor)
        for qualified, count in counts.items():
            schema, table = qualified.split(".", 1)
            cursor.execute(
                sql.SQL(
                    "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                    " FROM {}.{} t"
                ).format(sql.Identifier(schema), sql.Identifier(table))
            )
            result[qualified] = (count, cursor.fetchone()[0])
    connection.close()
    return result


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Seeds the demo into a fresh database, backs it up and restores it elsewhere."""
    url = _server_url()
    source_url, target_url = _url_for(url, SOURCE_DB), _url_for(url, TARGET_DB)
    _recreate(url, SOURCE_DB, TARGET_DB)
    work = tmp_path_factory.mktemp("backup")
    source_media, target_media = work / "media-src", work / "media-dst"
    for relative, content in UPLOADS.items():
        path = source_media / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    env = _env(source_url, source_media, BACKUP_DIR=str(work / "backups"))
    for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
        result = _run([sys.executable, "manage.py", *command], env)
        assert result.returncode == 0, result.stderr
    backup_run = _run(["make", "--no-print-directory", "backup"], env)
    assert backup_run.returncode == 0, backup_run.stdout + backup_run.stderr
    archives = list((work / "backups").glob("unionportal-*.tar.gz"))
    restore_run = _run(
        ["make", "--no-print-directory", "restore", f"FILE={archives[0]}"],
        _env(target_url, target_media),
    )
    yield {
        "url": url,
        "source_url": source_url,
        "target_url": target_url,
        "source_media": source_media,
        "target_media": target_media,
        "archives": archives,
        "backup": backup_run,
        "restore": restore_run,
    }
    _drop(url, SOURCE_DB, TARGET_DB)


def test_backup_writes_one_dated_archive(round_trip):
    assert len(round_trip["archives"]) == 1
    assert re.fullmatch(
        r"unionportal-\d{8}-\d{6}\.tar\.gz", round_trip["archives"][0].name
    )


def test_archive_holds_the_dump_the_manifest_and_every_file(round_trip):
    with tarfile.open(round_trip["archives"][0]) as archive:
        names = set(archive.getnames())
        dump = archive.extractfile("database.dump").read(5)
    assert dump == b"PGDMP"  # pg_dump's custom format
    assert "manifest.json" in names
    assert {f"media/{relative}" for relative in UPLOADS} <= names


def test_restore_reports_success(round_trip):
    assert round_trip["restore"].returncode == 0, round_trip["restore"].stderr
    assert "all checked" in round_trip["restore"].stdout


def test_restore_brings_back_every_row_of_every_table(round_trip):
    source = _table_fingerprints(round_trip["source_url"])
    target = _table_fingerprints(round_trip["target_url"])
    assert source["public.unions_union"][0] > 40
    assert source["public.accounts_user"][0] >= 5
    assert target == source


def test_restore_brings_back_every_uploaded_file_byte_for_byte(round_trip):
    for relative, content in UPLOADS.items():
        assert (round_trip["target_media"] / relative).read_bytes() == content


def test_restore_refuses_a_database_that_is_not_empty(round_trip):
    before = _table_fingerprints(round_trip["source_url"])
    result = _run(
        [
            "make",
            "--no-print-directory",
            "restore",
            f"FILE={round_trip['archives'][0]}",
        ],
        _env(round_trip["source_url"], round_trip["source_media"]),
    )
    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert _table_fingerprints(round_trip["source_url"]) == before


def test_restore_without_a_file_explains_the_usage():
    result = _run(["make", "--no-print-directory", "restore"], dict(os.environ))
    assert result.returncode != 0
    assert "Usage: make restore FILE=" in result.stdout


# --- refusals that need no database -------------------------------------------------

NEVER_CONNECTED = Database(name="never_used", host="192.0.2.1", port="1")


def _archive_with(tmp_path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "unionportal-20260101-000000.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def test_restore_refuses_an_archive_that_writes_outside_its_folders(tmp_path):
    archive = _archive_with(
        tmp_path,
        {
            "manifest.json": b'{"format": 1, "tables": {}, "files": {}}',
            "database.dump": b"PGDMP",
            "media/../../escaped.txt": b"owned",
        },
    )
    with pytest.raises(BackupError, match="unexpected entry"):
        restore(
            archive_path=archive, database=NEVER_CONNECTED, media_root=tmp_path / "m"
        )
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "unionportal-20260101-000000.tar.gz"
    bogus.write_bytes(b"not a tar file at all")
    with pytest.raises(BackupError, match="not a readable backup"):
        restore(archive_path=bogus, database=NEVER_CONNECTED, media_root=tmp_path)


def test_restore_refuses_an_archive_without_a_dump(tmp_path):
    archive = _archive_with(
        tmp_path, {"manifest.json": b'{"format": 1, "tables": {}, "files": {}}'}
    )
    with pytest.raises(BackupError, match="lacks"):
        restore(archive_path=archive, database=NEVER_CONNECTED, media_root=tmp_path)


def test_backup_explains_that_it_needs_postgresql():
    with pytest.raises(BackupError, match="need PostgreSQL"):
        Database.from_settings({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
