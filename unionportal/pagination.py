"""A paginator that never counts millions of rows.

Django's ``Paginator`` runs ``SELECT COUNT(*)`` over the whole filtered list before
it reads a page. At city scale a list can hold millions of rows (2.7 M progress
reports), and the count then costs seconds while the page itself costs
milliseconds. ``CappedPaginator`` reads the page first, with one row more than it
shows, so that it knows whether a next page exists; when that page is the last,
the count is known without counting. Otherwise it counts at most ``cap + 1`` rows
(``SELECT COUNT(*) FROM (... LIMIT cap + 1)``): below the cap ``count`` is exact;
past it, ``count`` is the cap and ``count_is_capped`` is true ("1–25 of more
than 200"), and pages past the cap can still be read one after the other.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet

# Pages say "more than 200" past this many rows. The count reads the first rows
# in the page's order, and so walks the same index as the page as long as it
# stops early: asked for 1,000 rows, PostgreSQL prefers to read and sort every
# candidate (90 ms among a city's projects, 100 ms among its waiting reports).
DEFAULT_CAP = 200
# No list is read this deep; a larger page number (?page=9223372036854775807) would
# overflow the database's OFFSET, so it is answered as a page past the end.
MAX_PAGE = 1_000_000


class CappedPage(Page):
    """A page that knows from its extra row whether a next page exists."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def start_index(self) -> int:
        if not self.object_list:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedPaginator(Paginator):
    """``Paginator`` that reads the page before counting, and counts at most
    ``cap`` rows (see the module)."""

    cap = DEFAULT_CAP

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if cap is not None:
            self.cap = int(cap)

    @cached_property
    def _counted(self) -> int:
        """The number of rows, counted up to ``cap + 1`` at most (unless a page
        that reaches the end has been read: then it is known)."""
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # The first cap + 1 rows in the page's own order: the database walks
            # the index it walks for the page, and stops there. (Without the
            # order it may choose a path that meets the wanted rows only at the
            # end, e.g. this year's reports after millions of older ones.) The
            # columns and annotations are dropped, unless they group the rows.
            if rows.query.group_by is None and not rows.query.distinct:
                rows = rows.values("pk")
            return rows[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @cached_property
    def count(self) -> int:
        if self.count_is_capped:
            return self.cap
        return self._counted

    @property
    def count_is_capped(self) -> bool:
        """True when there are more rows than ``count`` says."""
        return self._counted > self.cap and not self._reached_end

    _reached_end = False

    def validate_number(self, number):
        """An integer of 1 or more; whether such a page has rows shows when it is
        read (so that no count is needed first)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > MAX_PAGE:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def get_page(self, number):
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        more = len(rows) > self.per_page
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        if not more and "_counted" not in self.__dict__:
            # This page is the last one: every row before it plus its own.
            self._counted = bottom + len(rows)
            self._reached_end = True
        return CappedPage(rows[: self.per_page], number, self, more=more)


class CountAtLeast(int):
    """A count that stopped at its cap: it compares as the cap and reads "200+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


def capped_count(queryset: QuerySet, cap: int = DEFAULT_CAP) -> int:
    """The number of rows of ``queryset``, or ``CountAtLeast(cap)`` past ``cap``.

    Counts the first ``cap + 1`` rows in the queryset's order, so give it the
    order of an index that serves its filter (see ``CappedPaginator._counted``).
    """
    counted = queryset.values("pk")[: cap + 1].count()
    return CountAtLeast(cap) if counted > cap else counted
