"""Report months and the date arithmetic the KPI definitions need.

A report is for one calendar month; every KPI compares dated facts with the month's ``start``
and ``end`` (its first and last day). Age is in whole years at ``end``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from empower.errors import InvalidInput

__all__ = ["AGE_BANDS", "Month", "age_band", "age_band_cutoffs", "survival_cutoff"]

# Lower bound of each band, oldest first (the order the SQL CASE tests them in).
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("55+", 55), ("45-54", 45), ("35-44", 35), ("25-34", 25), ("18-24", 0))
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


def age_band_cutoffs(end: date) -> list[tuple[str, date]]:
    """For each band but the youngest, the latest birth date of a woman in it (or older) at ``end``.

    ``age_on(birth, end) >= n`` exactly when ``birth <= cutoff(n)``, so the database can band ages
    with plain date comparisons (a birthday on 29 February counts on 1 March, as in ``age_on``).
    """
    cutoffs = []
    for band, years in AGE_BANDS[:-1]:
        year = end.year - years
        day = min(end.day, calendar.monthrange(year, end.month)[1])
        cutoffs.append((band, date(year, end.month, day)))
    return cutoffs


def age_band(birth_date: date, end: date) -> str:
    """The age band of a woman born on ``birth_date`` at ``end``."""
    for band, cutoff in age_band_cutoffs(end):
        if birth_date <= cutoff:
            return band
    return AGE_BANDS[-1][0]


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
