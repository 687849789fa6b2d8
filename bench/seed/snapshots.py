"""Quarter-report snapshots of the quarters before the benchmark's quarter.

They are computed by the real engine (``assessments.engine``), so the dashboards
and "change since last quarter" read true results; the rows are written with COPY
and the report files (.xlsx, .pdf) are not made: the benchmark's own job makes
those for its quarter.
"""

import datetime

from django.db import transaction

from assessments import engine
from assessments.models import Period, QuarterReport, QuarterReportRow
from bench.copy import CopyTable, text

from .world import World

ROW_FIELDS = [
    "id",
    "report",
    "unit",
    "peer_group",
    "peer_union",
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
]


def build_snapshots(world: World, log) -> int:
    """Builds the published quarters' reports, oldest first; returns rows written."""
    wanted = [
        period_id
        for period_id, _scheme, _y, _q, _level, status in world.counts[
            "quarter_periods"
        ]
        if status == "published"
    ]
    periods = (
        Period.objects.filter(pk__in=wanted)
        .select_related("scheme__owner")
        .order_by("start", "scheme__unit_level")
    )
    written = 0
    for period in periods:
        started = datetime.datetime.now(tz=datetime.UTC)
        rules = engine.scheme_rules(period.scheme)
        lines = engine.compute_quarter(period, rules)
        summary = engine.summarise(lines, rules)
        with transaction.atomic():
            report = QuarterReport.objects.create(
                period=period,
                scheme_version=period.scheme.version,
                rules=rules,
                status=QuarterReport.Status.DONE,
                progress=100,
                summary=summary,
                unit_count=len(lines),
                requested_at=world.now,
                started_at=world.now,
                finished_at=world.now,
                is_published=True,  # the seed's snapshots are of published periods
                published_at=world.now,
            )
            first = world.take_ids(QuarterReportRow, len(lines))
            table = CopyTable(QuarterReportRow, ROW_FIELDS, now=world.now)
            written += table.load(
                "\t".join(text(getattr(row, _attname(name))) for name in ROW_FIELDS)
                for row in _rows(lines, report, first)
            )
        seconds = (datetime.datetime.now(tz=datetime.UTC) - started).total_seconds()
        log(
            f"  snapshot {period.scheme.year} {period.kind} "
            f"{period.scheme.unit_level}: {len(lines)} rows in {seconds:.1f} s"
        )
    return written


def _attname(name: str) -> str:
    field = QuarterReportRow._meta.get_field(name)
    return field.attname


def _rows(lines, report, first):
    for offset, line in enumerate(lines):
        row = line.as_row(report)
        row.pk = first + offset
        yield row
