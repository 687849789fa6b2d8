"""What every part of the bench seed shares: the scale, the calendar, the ids and
a fast deterministic source of "random" numbers.

Every random choice is ``unit(a, b, c)``: a hash of the row's own numbers and the
fixed ``SEED``, so any row can be regenerated alone and the whole seed is the same
on every run for the same day (no generator state to keep in step between passes).
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from bench.scales import Scale

SEED = 20261125
CODE_PREFIX = "BENCH"
USER_PREFIX = "bench_"
_MASK = 0xFFFFFFFF


def unit(a: int, b: int = 0, c: int = 0) -> float:
    """A number in [0, 1) fixed by (a, b, c) and SEED (a 32-bit integer hash)."""
    x = (a * 0x9E3779B1 + b * 0x85EBCA77 + c * 0xC2B2AE3D + SEED) & _MASK
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & _MASK
    x ^= x >> 12
    x = (x * 0x297A2D39) & _MASK
    x ^= x >> 15
    return x / 4294967296.0


@dataclass
class UnionRow:
    id: int
    code: str
    kind: str
    parent_id: int | None
    path: str
    depth: int
    district: int  # index of its district (0 for the city itself)
    subdistrict: int | None = None  # index of its sub-district within the district
    number: int = 0  # index among its siblings

    @property
    def is_grassroots(self) -> bool:
        return self.kind in ("enterprise", "community")


@dataclass
class World:
    scale: Scale
    today: datetime.date
    now: datetime.datetime
    next_ids: dict = field(default_factory=dict)
    unions: list[UnionRow] = field(default_factory=list)
    root: UnionRow | None = None
    districts: list[UnionRow] = field(default_factory=list)
    subdistricts: list[UnionRow] = field(default_factory=list)
    grassroots: list[UnionRow] = field(default_factory=list)
    personas: dict[str, int] = field(default_factory=dict)
    unit_user: dict[int, int] = field(default_factory=dict)
    persons_of: dict[int, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _stamps: dict = field(default_factory=dict, repr=False)

    @property
    def years(self) -> list[int]:
        last = self.today.year
        return list(range(last - self.scale.years + 1, last + 1))

    @property
    def current_quarter(self) -> tuple[int, int]:
        return self.today.year, (self.today.month - 1) // 3 + 1

    @property
    def bench_quarter(self) -> tuple[int, int]:
        """The last quarter that has ended: the one the benchmark's job builds."""
        year, quarter = self.current_quarter
        return (year - 1, 4) if quarter == 1 else (year, quarter - 1)

    def take_ids(self, model, count: int) -> int:
        """Reserves ``count`` ids of ``model``'s table; returns the first."""
        table = model._meta.db_table
        if table not in self.next_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}"  # noqa: S608 - a model's table name
                )
                self.next_ids[table] = cursor.fetchone()[0]
        first = self.next_ids[table]
        self.next_ids[table] = first + count
        return first

    def at(self, day: datetime.date, hour: int = 10) -> str:
        """A local timestamp on ``day`` as COPY text."""
        key = (day, hour)
        if key not in self._stamps:
            moment = datetime.datetime.combine(day, datetime.time(hour))
            self._stamps[key] = timezone.make_aware(moment).isoformat()
        return self._stamps[key]


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * quarter - 2, 1)
    if quarter == 4:
        end = datetime.date(year, 12, 31)
    else:
        end = datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)
    return start, end


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return start, following - datetime.timedelta(days=1)
