"""Bulk loading with PostgreSQL's COPY, for the benchmark seed.

``CopyTable(Model, ["id", "union_id", ...])`` names the columns the seed writes; every
other concrete column gets its model default (``auto_now`` fields the seed's clock),
so a field added to a model later with a default needs no change here. A field with
no default that the seed does not write stops the seed with its name.

Rows are written as COPY text lines ("\\t" between values, "\\N" for NULL). Values
the seed makes itself (numbers, dates, generated names) hold no tab, newline or
backslash and are formatted directly; ``text()`` escapes anything else.
"""

import datetime
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection, models

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value) -> str:
    """A value as one COPY text field."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(
            _ESCAPES
        )
    if isinstance(value, int | float | Decimal):
        return str(value)
    return str(value).translate(_ESCAPES)


def _default(field: models.Field, now: datetime.datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now.date() if type(field) is models.DateField else now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise LookupError(
        f"{field.model.__name__}.{field.name} has no default: the bench seed must "
        "write it (bench/seed.py)."
    )


class _LineFile:
    """A file-like view of an iterator of COPY lines, read by ``copy_expert``."""

    def __init__(self, lines: Iterator[str], batch: int = 4000):
        self._lines = lines
        self._batch = batch
        self._buffer = ""
        self.rows = 0

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buffer) < size:
            chunk = []
            for line in self._lines:
                chunk.append(line)
                if len(chunk) >= self._batch:
                    break
            if not chunk:
                break
            self.rows += len(chunk)
            self._buffer += "".join(chunk)
        if size < 0:
            out, self._buffer = self._buffer, ""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    readline = read


class CopyTable:
    """COPY into one model's table: the seed gives the leading columns of each line,
    the model's defaults fill the rest."""

    def __init__(self, model, fields: list[str], *, now: datetime.datetime):
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        given = [meta.get_field(name) for name in fields]
        given_columns = {field.column for field in given}
        self.columns = [field.column for field in given]
        rest = []
        for field in meta.concrete_fields:
            if field.column in given_columns:
                continue
            if field.primary_key:
                raise LookupError(f"{model.__name__}: the seed must give the id.")
            rest.append((field.column, text(_default(field, now))))
        self.columns += [column for column, _value in rest]
        self.suffix = "".join(f"\t{value}" for _column, value in rest) + "\n"

    def load(self, lines: Iterable[str]) -> int:
        """COPY the lines (leading values joined by tabs, no newline); returns rows."""
        suffix = self.suffix
        source = _LineFile(line + suffix for line in lines)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {connection.ops.quote_name(self.table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, source, size=1 << 20)
        return source.rows


def through_table(model, field_name: str):
    """The auto-created many-to-many table of ``model.field_name``."""
    return model._meta.get_field(field_name).remote_field.through


def drop_secondary_indexes(models_: Iterable) -> list[str]:
    """Drops the indexes of these tables that no constraint owns and returns their
    definitions, for ``create_indexes`` after the load: building an index once over
    loaded rows is several times faster than growing it row by row. Call inside
    the transaction that loads, so a failure restores them."""
    tables = sorted({model._meta.db_table for model in models_})
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT i.indisprimary
              AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
              )
            ORDER BY 1
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def create_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)
