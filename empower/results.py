"""Results against targets: the rules, as pure functions (no database, no report).

A logframe's periods are a year (``2026``), a quarter (``2026-Q3``) or a month (``2026-07``).
The services (:mod:`empower.services.results`) apply these rules to what they write; the results
report (:mod:`empower.reports.results`) applies them to what it reads. The definitions are in
``docs/kpis.md`` ("Results against targets") and ``docs/results.md``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from empower.errors import InvalidInput
from empower.vocab import Aggregation, Direction

__all__ = [
    "MANUAL",
    "Period",
    "Thresholds",
    "achievement",
    "aggregate",
    "above_commitment",
    "check_kpi_key",
    "check_target_period",
    "days_behind",
    "expected_by",
    "prorate",
    "status",
]

MANUAL = "manual"
"""The ``kpi`` of an indicator the database cannot compute: its results are recorded by hand."""

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_KPI_KEY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


@dataclass(frozen=True, order=True)
class Period:
    """A year, a quarter or a month: its months are ``first`` .. ``last`` (month indexes,
    ``year * 12 + month - 1``)."""

    first: int
    last: int
    label: str

    @classmethod
    def parse(cls, text: str, *, field: str = "period") -> Period:
        """Read ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``; anything else is an ``InvalidInput``
        (``period.invalid``) naming the field and the value."""
        raw = text.strip() if isinstance(text, str) else ""
        for pattern, kind in ((_YEAR, "year"), (_QUARTER, "quarter"), (_MONTH, "month")):
            match = pattern.match(raw)
            if not match:
                continue
            year = int(match.group(1))
            if year < 1900:
                break
            if kind == "year":
                return cls(year * 12, year * 12 + 11, f"{year:04d}")
            number = int(match.group(2))
            if kind == "quarter":
                first = year * 12 + (number - 1) * 3
                return cls(first, first + 2, f"{year:04d}-Q{number}")
            if 1 <= number <= 12:
                index = year * 12 + number - 1
                return cls(index, index, f"{year:04d}-{number:02d}")
        raise InvalidInput(f"{field}: '{text}' is not a period (YYYY, YYYY-Qn or YYYY-MM, "
                           "e.g. 2026, 2026-Q3, 2026-07)", code="period.invalid",
                           params={"value": str(text)}, field=field, value=text)

    @property
    def kind(self) -> str:
        if self.first == self.last:
            return "month"
        return "quarter" if self.last - self.first == 2 else "year"

    @property
    def start(self) -> date:
        return date(self.first // 12, self.first % 12 + 1, 1)

    @property
    def end(self) -> date:
        year, month = self.last // 12, self.last % 12 + 1
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def length(self) -> int:
        """Its number of months."""
        return self.last - self.first + 1

    def months(self) -> list[str]:
        """Its months as ``YYYY-MM``, oldest first."""
        return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(self.first, self.last + 1)]

    def contains(self, other: Period) -> bool:
        return self.first <= other.first and other.last <= self.last

    def __str__(self) -> str:
        return self.label


def check_kpi_key(kpi: str, known: Iterable[str] | None = None, *, field: str = "kpi") -> str:
    """An indicator's source: ``manual`` or a KPI key (snake case); with ``known`` (the report's
    catalogue, when the caller has it) a key must be one of them. ``InvalidInput``
    ``indicator.unknown_kpi`` otherwise."""
    key = kpi.strip().lower() if isinstance(kpi, str) else ""
    if key == MANUAL:
        return key
    known_keys = None if known is None else set(known)
    if not _KPI_KEY.match(key) or (known_keys is not None and key not in known_keys):
        raise InvalidInput(f"{field}: '{kpi}' is neither 'manual' nor a KPI of the report "
                           "(docs/kpis.md)", code="indicator.unknown_kpi",
                           params={"value": str(kpi)}, field=field, value=kpi)
    return key


def check_target_period(period: Period, program: str, starts: date, ends: date | None, *,
                        field: str = "period") -> None:
    """A target's (or a manual result's) period lies inside its program's dates: it may not
    start before the program's first month nor end after its last one (a program without an
    end date runs on). ``InvalidInput`` ``target.period_outside_program`` otherwise."""
    first = starts.year * 12 + starts.month - 1
    last = None if ends is None else ends.year * 12 + ends.month - 1
    if period.first < first or (last is not None and period.last > last):
        raise InvalidInput(
            f"{field}: {period} is outside program {program}'s dates ({starts.isoformat()} to "
            f"{ends.isoformat() if ends else '...'})", code="target.period_outside_program",
            params={"period": str(period), "program": program, "start": starts,
                    "end": ends.isoformat() if ends else "..."}, field=field, value=str(period))


def aggregate(aggregation: Aggregation | str, values: Sequence[float | None]) -> float | None:
    """A period's value from its months' (or sub-periods') values, oldest first: a flow is
    their sum (``None`` when none is known), a stock the last known one."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    if Aggregation(aggregation) is Aggregation.FLOW:
        return float(sum(known))
    return float(known[-1])


def prorate(value: float, baseline: float | None, aggregation: Aggregation | str | None,
            elapsed: int, total: int) -> float:
    """The share of a target due after ``elapsed`` of its ``total`` months.

    A flow's target is due evenly over its months; a stock moves evenly from its baseline (0
    when none is given) to its value; a rate (``aggregation`` None: shares, medians) is a level
    to hold, never pro-rated."""
    if aggregation is None or total <= 0 or elapsed >= total:
        return float(value)
    fraction = max(elapsed, 0) / total
    if Aggregation(aggregation) is Aggregation.FLOW:
        return float(value) * fraction
    start = float(baseline or 0)
    return start + (float(value) - start) * fraction


def achievement(actual: float | None, target: float | None,
                direction: Direction | str) -> float | None:
    """The share of the target achieved: ``actual / target`` when higher is better,
    ``target / actual`` when lower is. ``None`` when it cannot be said (no actual, no target, or
    a zero to divide by: a lower-is-better actual of 0 is read as fully achieved, 1.0)."""
    if actual is None or target is None:
        return None
    if Direction(direction) is Direction.HIGHER:
        return None if target == 0 else round(actual / target, 4)
    if actual == 0:
        return 1.0
    return round(target / actual, 4)


@dataclass(frozen=True)
class Thresholds:
    """A status is green from ``green`` of the pro-rated target (1.0: 100 %), amber from
    ``amber`` (0.8), red below (``EMPOWER_RESULTS_GREEN``, ``EMPOWER_RESULTS_AMBER``)."""

    green: float = 1.0
    amber: float = 0.8

    def __post_init__(self) -> None:
        if not 0 < self.amber <= self.green:
            raise InvalidInput(f"results thresholds: amber {self.amber} must be above 0 and at "
                               f"most green {self.green}", code="results.bad_thresholds",
                               params={"amber": self.amber, "green": self.green})


def status(share: float | None, thresholds: Thresholds | None = None) -> str | None:
    """``green``, ``amber`` or ``red`` for a share of the target achieved; ``None`` without one."""
    limits = thresholds or Thresholds()
    if share is None:
        return None
    if share >= limits.green:
        return "green"
    return "amber" if share >= limits.amber else "red"


def above_commitment(committed_centimes: int, received_centimes: int) -> int:
    """What partners gave beyond their commitment (centimes, 0 when within it). Accepted and
    flagged, never refused: a partner may give more than it signed for."""
    return max(received_centimes - committed_centimes, 0)


def expected_by(committed_centimes: int, signed_on: date, ends_on: date | None,
                on: date) -> int | None:
    """What an agreement's schedule expects received by ``on``: the commitment paid evenly from
    the signature to the end date (all of it from the end date on). ``None`` for an agreement
    without an end date (no schedule to be behind)."""
    if ends_on is None:
        return None
    if on >= ends_on:
        return committed_centimes
    if on < signed_on:
        return 0
    span = max((ends_on - signed_on).days, 1)
    return committed_centimes * (on - signed_on).days // span


def days_behind(committed_centimes: int, received_centimes: int, signed_on: date,
                ends_on: date | None, on: date) -> int | None:
    """How many days the partner is behind its schedule on ``on``: ``on`` minus the day by
    which the schedule expected what it has given so far (0 when on time or ahead). ``None``
    without a schedule (no end date, or nothing committed)."""
    if ends_on is None or committed_centimes <= 0:
        return None
    if received_centimes >= committed_centimes:
        return 0
    span = max((ends_on - signed_on).days, 1)
    due_day = signed_on + timedelta(days=span * received_centimes // committed_centimes)
    return max((on - due_day).days, 0)
