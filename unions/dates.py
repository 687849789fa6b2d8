"""Calendar arithmetic for office terms.

Terms run for whole years from their start, and fall due six months before their
planned end. Adding months keeps the day of the month where it exists and falls back
to the month's last day otherwise, so a term that starts on 29 February ends on
28 February of a common year.
"""

import calendar
from datetime import date

DUE_MONTHS = 6


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def planned_end_for(start: date, years: int) -> date:
    """The anniversary of ``start`` after ``years`` years (29 Feb → 28 Feb)."""
    return add_months(start, 12 * years)


def due_from(planned_end: date) -> date:
    """The first day a term counts as due: six months before its planned end."""
    return add_months(planned_end, -DUE_MONTHS)


def due_cutoff(at: date) -> date:
    """The latest planned end that is already due on ``at``.

    ``due_from(end) <= at`` holds exactly for ``end <= due_cutoff(at)``, which lets a
    query compare the stored planned end with one constant instead of computing
    month arithmetic in SQL.
    """
    cutoff = add_months(at, DUE_MONTHS)
    if is_month_end(at):
        # Every end whose six-months-earlier day clamps to this month's last day.
        return month_end(cutoff)
    return cutoff


def whole_months_after(start: date, at: date) -> int:
    """How many whole months have passed from ``start`` to ``at`` (0 if not after)."""
    if at <= start:
        return 0
    months = (at.year - start.year) * 12 + (at.month - start.month)
    if add_months(start, months) > at:
        months -= 1
    return max(months, 0)
