"""Writing a report's rows with PostgreSQL's COPY (or bulk inserts elsewhere)."""

from itertools import islice

from django.db import connection

from ..models import (
    QuarterReportRow,
)
from .lines import Line, _json_text

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


class _CopySource:
    """A file-like view of an iterator of COPY text lines, read by ``copy_expert``.

    Each read hands over the next few hundred whole lines, whatever size was asked
    for: psycopg2 sends what it is given, and cutting the text to the asked size
    would copy the rest of the buffer on every read (seconds for a city quarter).
    """

    LINES_PER_READ = 200

    def __init__(self, lines):
        self._lines = iter(lines)

    def read(self, size: int = -1) -> str:
        return "".join(islice(self._lines, self.LINES_PER_READ))

    readline = read


ROW_COLUMNS = (
    "report_id",
    "unit_id",
    "peer_group",
    "peer_union_id",
    "base",
    "bonus",
    "deduction",
    "total",
    "veto",
    "grade",
    "rank",
    "previous_total",
    "change",
    "previous_rank",
    "overdue_months",
    "key_work_ratio",
    "categories",
    "indicators",
)


def _copy_line(report_id: int, line: Line) -> str:
    values = (
        report_id,
        line.unit.pk,
        line.peer_group,
        line.peer_union_id,
        line.base,
        line.bonus,
        line.deduction,
        line.total,
        line.veto,
        line.grade,
        line.rank,
        line.previous_total,
        line.change,
        line.previous_rank,
        line.overdue_months,
        line.key_work_ratio,
        _json_text(line.categories),
        line.indicators_json,
    )
    return "\t".join([_copy_value(v) for v in values]) + "\n"


def write_rows(report, lines: list[Line]) -> int:
    """Replaces the report's rows with the lines (inside the caller's transaction).

    On PostgreSQL the rows go in with one COPY (a city quarter's 15,000 rows of
    JSON detail in about a second); elsewhere with ``bulk_create`` in big batches.
    The caller has checked, under a lock, that the period is not locked.
    """
    QuarterReportRow.objects.filter(report=report).delete()
    if connection.vendor != "postgresql":
        QuarterReportRow.objects.bulk_create(
            (line.as_row(report) for line in lines), batch_size=2000
        )
        return len(lines)
    fields = {f.column for f in QuarterReportRow._meta.concrete_fields}
    if fields - {"id"} != set(ROW_COLUMNS):
        raise RuntimeError("QuarterReportRow has changed: update engine.ROW_COLUMNS")
    table = connection.ops.quote_name(QuarterReportRow._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ROW_COLUMNS)
    source = _CopySource(_copy_line(report.pk, line) for line in lines)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", source)
    return len(lines)
