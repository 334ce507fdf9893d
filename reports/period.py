"""Report months and the date arithmetic the KPI definitions need.

A report is for one calendar month; every KPI compares dated facts with the month's ``start``
and ``end`` (its first and last day). Age is in whole years at ``end``, in the bands of
:data:`empower.predicates.AGE_BANDS`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from empower.errors import InvalidInput

__all__ = ["VISIT_WINDOW_DAYS", "Month", "survival_cutoff", "visit_window_start"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. ``Month.parse("2026-10")``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read ``YYYY-MM``; anything else is an :class:`InvalidInput` naming the value."""
        match = _MONTH.match(text.strip()) if isinstance(text, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise InvalidInput(f"month: '{text}' is not a month written YYYY-MM (e.g. 2026-10)",
                               code="report.bad_month", params={"value": str(text)},
                               field="month", value=text)
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> Month:
        """The month ``months`` later (negative: earlier)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def survival_cutoff(month: Month) -> date:
    """``end - 12 months``: the last day of the same month a year earlier."""
    return month.shift(-12).end


VISIT_WINDOW_DAYS = 90
"""A funded business counts as visited when coached in the 90 days ending on the month's end."""


def visit_window_start(month: Month) -> date:
    """``end - 89 days``: the first day of the 90 days ending on ``end`` (both included)."""
    return month.end - timedelta(days=VISIT_WINDOW_DAYS - 1)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
