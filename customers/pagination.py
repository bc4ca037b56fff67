"""A paginator that counts no further than it needs to.

Counting every customer that matches a broad search ("a" over 100,000 customers)
reads them all; a person never pages that far, and refines the search instead.
So the count stops a little past the requested page (past page 20 at the
least): below that the list says how many there are, above it "more than".
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: Rows counted at the least before saying "more than".
COUNT_CAP = 1_000
#: The highest page number read from a request.
MAX_PAGE = 1_000_000


class CappedPaginator(Paginator):
    """``counter``, when given, counts the rows up to a limit (``counter(limit)``)
    instead of the queryset's ``count()``: for a count written out in SQL."""

    def __init__(
        self,
        object_list,
        per_page: int,
        *,
        cap: int | None = None,
        counter: Callable[[int], int] | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.counter = counter
        self._limit = self.cap + 1

    def get_page(self, number) -> Page:
        self._count_past(number)
        return super().get_page(number)

    def page(self, number) -> Page:
        self._count_past(number)
        return super().page(number)

    @staticmethod
    def wanted(number) -> int:
        """The page number asked for, as a page to count past (1 when it is not
        a number)."""
        try:
            # No further than a page PostgreSQL can count to (a LIMIT is a bigint):
            # a page past the end is shown as the last one.
            return min(max(1, int(number)), MAX_PAGE)
        except (TypeError, ValueError):
            return 1

    def limit_for(self, wanted: int) -> int:
        """How far to count for page ``wanted``: past the page after it, and past
        the cap."""
        return max(self.cap, (wanted + 1) * self.per_page) + 1

    def _count_past(self, number) -> None:
        """Count far enough to know that the page after the wanted one exists, so
        that the wanted page, when it exists, is shown whole."""
        limit = self.limit_for(self.wanted(number))
        if limit > self._limit and ("count" not in self.__dict__ or self.is_capped):
            self._limit = limit
            for name in ("count", "num_pages"):
                self.__dict__.pop(name, None)

    @cached_property
    def count(self) -> int:
        """The number of rows, up to the limit (the limit: at least that many)."""
        if self.counter is not None:
            return self.counter(self._limit)
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # The primary keys only: whatever the rows carry, counting them is the same.
            return rows.values("pk").order_by()[: self._limit].count()
        return min(len(rows), self._limit)

    @property
    def is_capped(self) -> bool:
        """More rows than counted: the count is a lower bound."""
        return self.count >= self._limit

    @property
    def counted(self) -> int:
        """What the page can say for sure: exactly, or "more than" this many."""
        return self.count - 1 if self.is_capped else self.count

    @property
    def known_pages(self) -> int:
        """Whole pages known to exist ("page 3 of more than 20")."""
        return self.counted // self.per_page if self.is_capped else self.num_pages
