"""Backup and restore of a whole portal: the PostgreSQL database and uploaded files.

    make backup                       # → backups/unionportal-YYYYmmdd-HHMMSS.tar.gz
    make restore FILE=backups/...     # into an EMPTY database named by DATABASE_URL

Run as ``python -m unionportal.backup backup|restore`` with the server's environment
(DATABASE_URL, MEDIA_ROOT, SECRET_KEY...), the same one the portal runs with.

The archive holds ``database.dump`` (``pg_dump -Fc``), ``media/`` (every uploaded
file) and ``manifest.json``: the row count of every table and the SHA-256 of every
file. The counts are taken in the same database snapshot that pg_dump copies, so a
restore can check that every row came back even when the portal was busy during the
backup. The database is dumped before the files are copied: a file uploaded while
the backup runs may be in the archive without its row, never the other way round.

A restore refuses a database that already has tables, refuses an archive that would
write outside its folders, restores in one transaction (a failure leaves the database
empty), puts the files back, then checks the counts and checksums.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

FORMAT_VERSION = 1
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, config: dict) -> "Database":
        if not config.get("ENGINE", "").endswith("postgresql"):
            raise BackupError(
                "Backups need PostgreSQL: set DATABASE_URL=postgres://... "
                f"(the configured engine is {config.get('ENGINE') or 'none'})."
            )
        return cls(
            name=config["NAME"],
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        import environ

        return cls.from_settings(environ.Env.db_url_config(url))

    def client_args(self) -> list[str]:
        args = []
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        if self.user:
            args += ["--username", self.user]
        return args

    def client_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self):
        import psycopg2

        return psycopg2.connect(
            dbname=self.name,
            host=self.host or None,
            port=self.port or None,
            user=self.user or None,
            password=self.password or None,
        )


def _tables(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE'
          AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY table_schema, table_name
        """
    )
    return list(cursor.fetchall())


def table_row_counts(cursor) -> dict[str, int]:
    """Rows of every table, keyed "schema.table"."""
    from psycopg2 import sql

    counts = {}
    for schema, table in _tables(cursor):
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(root: Path) -> dict[str, dict]:
    """Every regular file under ``root``: relative path → size and SHA-256."""
    files = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(root).as_posix()
            files[relative] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    return files


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed program, arguments built here
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout}")


def backup(
    *,
    database: Database,
    media_root: Path,
    directory: Path,
    now: datetime | None = None,
) -> Path:
    """Writes one dated archive of the database and the uploaded files; returns it."""
    for program in ("pg_dump", "pg_restore"):
        if shutil.which(program) is None:
            raise BackupError(
                f"{program} is not installed (apt-get install postgresql-client)."
            )
    stamp = (now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"unionportal-{stamp}.tar.gz"
    if target.exists():
        raise BackupError(f"{target} already exists; wait a second and run it again.")
    with tempfile.TemporaryDirectory(prefix="unionportal-backup-") as work:
        work_dir = Path(work)
        dump = work_dir / DUMP_NAME
        connection = database.connect()
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                # pg_dump copies the snapshot this transaction holds, so the counts
                # below describe exactly the rows in the dump.
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={dump}",
                        *database.client_args(),
                        database.name,
                    ],
                    env=database.client_env(),
                    what="pg_dump",
                )
                counts = table_row_counts(cursor)
        finally:
            connection.rollback()
            connection.close()
        files = media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now().astimezone().isoformat(),
            "database": database.name,
            "tables": counts,
            "files": files,
        }
        (work_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work_dir / MANIFEST_NAME, arcname=MANIFEST_NAME)
            archive.add(dump, arcname=DUMP_NAME)
            for relative in files:
                archive.add(media_root / relative, arcname=f"{MEDIA_DIR}/{relative}")
        # Renamed only when complete: a crash never leaves a truncated archive that
        # looks like a good one.
        partial.rename(target)
    return target


def _extract(archive_path: Path, into: Path) -> dict:
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist.")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive.getmembers():
                name = Path(member.name)
                allowed = member.name in (MANIFEST_NAME, DUMP_NAME) or (
                    name.parts and name.parts[0] == MEDIA_DIR
                )
                if (
                    name.is_absolute()
                    or ".." in name.parts
                    or not allowed
                    or not (member.isfile() or member.isdir())
                ):
                    raise BackupError(
                        f"The archive holds an unexpected entry ({member.name!r}); "
                        "it was not made by `make backup` and is refused."
                    )
            # The "data" filter refuses links, devices and paths outside ``into``.
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path} is not a readable backup: {exc}") from exc
    manifest_path = into / MANIFEST_NAME
    if not manifest_path.is_file() or not (into / DUMP_NAME).is_file():
        raise BackupError(f"{archive_path} lacks {MANIFEST_NAME} or {DUMP_NAME}.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{archive_path} has an unknown format {manifest.get('format')}."
        )
    return manifest


def restore(*, archive_path: Path, database: Database, media_root: Path) -> dict:
    """Restores an archive into an empty database and MEDIA_ROOT; returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="unionportal-restore-") as work:
        work_dir = Path(work)
        manifest = _extract(archive_path, work_dir)
        connection = database.connect()
        try:
            with connection.cursor() as cursor:
                existing = _tables(cursor)
        finally:
            connection.close()
        if existing:
            raise BackupError(
                f"The database {database.name!r} is not empty ({len(existing)} tables). "
                "Restore only into a new, empty database: "
                f"createdb {database.name}_restored and point DATABASE_URL at it."
            )
        extracted_media = work_dir / MEDIA_DIR
        conflicts = [
            relative
            for relative, info in manifest["files"].items()
            if (media_root / relative).exists()
            and _sha256(media_root / relative) != info["sha256"]
        ]
        if conflicts:
            raise BackupError(
                f"{len(conflicts)} files in {media_root} differ from the backup "
                f"(first: {conflicts[0]}); restore into an empty MEDIA_ROOT."
            )
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={database.name}",
                *database.client_args(),
                str(work_dir / DUMP_NAME),
            ],
            env=database.client_env(),
            what="pg_restore",
        )
        for relative in manifest["files"]:
            destination = media_root / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(extracted_media / relative, destination)
    verify(manifest=manifest, database=database, media_root=media_root)
    return manifest


def verify(*, manifest: dict, database: Database, media_root: Path) -> None:
    """Raises BackupError unless every row and file of ``manifest`` is in place."""
    connection = database.connect()
    try:
        with connection.cursor() as cursor:
            counts = table_row_counts(cursor)
    finally:
        connection.close()
    wrong_tables = {
        table: (expected, counts.get(table))
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    if wrong_tables:
        raise BackupError(f"Row counts differ after the restore: {wrong_tables}")
    files = media_files(media_root)
    wrong_files = [
        relative
        for relative, info in manifest["files"].items()
        if files.get(relative, {}).get("sha256") != info["sha256"]
    ]
    if wrong_files:
        raise BackupError(f"Files differ after the restore: {wrong_files[:5]}")


def _configured() -> tuple[Database, Path]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")
    from django.conf import settings

    return Database.from_settings(settings.DATABASES["default"]), Path(
        settings.MEDIA_ROOT
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m unionportal.backup")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a dated archive")
    make.add_argument("--dir", default=os.environ.get("BACKUP_DIR", "backups"))
    back = commands.add_parser(
        "restore", help="restore an archive into an empty database"
    )
    back.add_argument("file")
    args = parser.parse_args(argv)
    try:
        database, media_root = _configured()
        if args.command == "backup":
            path = backup(
                database=database, media_root=media_root, directory=Path(args.dir)
            )
            print(f"Backup written: {path}")
        else:
            manifest = restore(
                archive_path=Path(args.file), database=database, media_root=media_root
            )
            print(
                f"Restored {sum(manifest['tables'].values())} rows in "
                f"{len(manifest['tables'])} tables and {len(manifest['files'])} files "
                f"into {database.name}; all checked."
            )
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
