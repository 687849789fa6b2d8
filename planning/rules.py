"""Pure rules of key work: reporting periods, deadlines and the derived status.

No database access here, so every boundary can be tested with plain dates.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

MONTHLY = "monthly"
QUARTERLY = "quarterly"

NOT_STARTED = "not_started"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
DELAYED = "delayed"
COMPLETED = "completed"

# A project more than this many points behind an even pace from start to due date
# is at risk: a quarter of the work is the most a unit can plausibly catch up on.
RISK_MARGIN = Decimal(25)


@dataclass(frozen=True)
class ReportingPeriod:
    start: date
    end: date
    deadline: date
    frequency: str

    @property
    def label(self) -> str:
        """A month as the tables write dates ("2026-05"), a quarter in
        the reader's words: "2026年第四季度", "2026 Q4" (the notifications' phrase)."""
        if self.frequency == QUARTERLY:
            return _("%(year)s Q%(quarter)s") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        return f"{self.start.year}-{self.start.month:02d}"


def period_bounds(frequency: str, day: date) -> tuple[date, date]:
    """The first and last day of the reporting period that contains ``day``."""
    if frequency == QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
    else:
        first_month = last_month = day.month
    start = date(day.year, first_month, 1)
    end = date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return start, end


def period_for(frequency: str, day: date, due_days: int) -> ReportingPeriod:
    start, end = period_bounds(frequency, day)
    return ReportingPeriod(start, end, end + timedelta(days=due_days), frequency)


def periods_between(
    frequency: str, first: date, last: date, due_days: int
) -> list[ReportingPeriod]:
    """Every reporting period that overlaps the days from ``first`` to ``last``."""
    periods = []
    day = first
    while day <= last:
        period = period_for(frequency, day, due_days)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return periods


def expected_periods(
    *,
    frequency: str,
    due_days: int,
    start: date,
    due: date,
    completed_on: date | None,
    until: date,
) -> list[ReportingPeriod]:
    """The periods a unit owes a report for: from the project's start to its due
    date (or the day it was completed), among those that have begun by ``until``."""
    last = min(due, completed_on or due, until)
    if last < start:
        return []
    return periods_between(frequency, start, last, due_days)


def completion_share(achieved, target) -> Decimal:
    """A project's share done, min(achieved ÷ target, 1), as a Decimal: the one
    completion formula of the key-work indicator and the dashboards alike (docs/
    design.md §4). No target or nothing achieved counts as 0."""
    if not target:
        return Decimal(0)
    return min(Decimal(achieved or 0) / Decimal(target), Decimal(1))


def derived_percent(achieved, target) -> Decimal | None:
    """Achieved value as a percent of the target (not capped), or None."""
    if achieved is None or not target:
        return None
    return (Decimal(achieved) * 100 / Decimal(target)).quantize(Decimal("0.1"))


def expected_percent(*, start: date, due: date, today: date) -> Decimal:
    """Where an even pace would be on ``today``: 0 before the start, 100 on the due day."""
    if today < start:
        return Decimal(0)
    span = (due - start).days + 1
    elapsed = min((today - start).days + 1, span)
    return Decimal(elapsed * 100) / Decimal(span)


def derive_status(*, percent, start: date, due: date, today: date) -> str:
    """The one rule for a project's status.

    - completed: 100 % or more, whatever the dates;
    - delayed: past the due date and not complete;
    - at risk: more than RISK_MARGIN points behind an even pace (on the due day
      itself an even pace means 100 %, so anything at or below 75 % is at risk);
    - not started: nothing done yet and not (yet) at risk;
    - on track: otherwise.
    """
    percent = Decimal(percent or 0)
    if percent >= 100:
        return COMPLETED
    if today > due:
        return DELAYED
    if expected_percent(start=start, due=due, today=today) - percent >= RISK_MARGIN:
        return AT_RISK
    if percent <= 0:
        return NOT_STARTED
    return ON_TRACK
