"""Pagination of long registry lists without counting the whole county."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Counting past this many rows tells the user nothing a filter would not: pages show
# "10000+" instead of a COUNT(*) over the whole county on every page view.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator that counts at most COUNT_CAP + 1 rows (a LIMITed subquery)."""

    cap = COUNT_CAP

    @cached_property
    def raw_count(self) -> int:
        # Unordered: any cap + 1 matching rows will do, so no sort of the whole match.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.raw_count, self.cap)

    @property
    def capped(self) -> bool:
        return self.raw_count > self.cap

    @property
    def count_display(self) -> str:
        return f"{self.cap}+" if self.capped else str(self.count)

    def page(self, number: Any) -> Any:
        """The page's rows in two steps: first their keys, sorted from the index alone,
        then those rows with their joins. Sorting whole joined rows made a county's
        birth list take half a second; sorting narrow index entries takes a tenth."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = list(self.object_list.filter(pk__in=keys)) if keys else []
        return self._get_page(rows, number, self)
