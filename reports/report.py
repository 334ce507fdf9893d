"""Build a monthly report: extract, compute, and record what it was computed from."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from empower.reports.extract import Scope, extract
from empower.reports.figures import HEADLINE, compute_figures
from empower.reports.period import Month
from sqlalchemy import text

import empower
from empower.db import Database

__all__ = ["MonthlyReport", "build_monthly_report"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class MonthlyReport:
    """The figures of one month, with the inputs that make them reproducible."""

    month: Month
    scope: Scope
    threshold: int
    figures: dict[str, dict[str, Any]]
    checksum: str
    generated_at: datetime
    version: str = empower.__version__
    # headline KPI -> [(month, figure)], oldest first; only for the published formats
    trend: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: month, generated_at, kpis, plus the inputs that produced them."""
        return {
            "month": str(self.month),
            "generated_at": self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "filters": self.scope.as_dict(),
            "library_version": self.version,
            "small_cell_threshold": self.threshold,
            "checksum": self.checksum,
            "kpis": self.figures,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)


def build_monthly_report(db: Database, month: Month | str, *, scope: Scope | None = None,
                         threshold: int = 5, trend: bool = False,
                         progress: Progress | None = None,
                         now: datetime | None = None) -> MonthlyReport:
    """Compute every KPI for ``month`` (and, with ``trend``, 12 months of headline KPIs).

    Reads in one read-only unit of work, so the figures and the checksum describe one
    consistent state of the database.
    """
    month = Month.parse(month) if isinstance(month, str) else month
    scope = scope or Scope()
    say = progress or _quiet
    with db.unit_of_work(readonly=True) as uow:
        if uow.dialect == "postgresql":
            # PostgreSQL's default gives each query its own snapshot; the report's queries must
            # all see the same one. (An SQLite read transaction already holds one snapshot.)
            uow.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        say(f"reading the facts for {month}")
        facts = extract(uow, month, month, scope)
        trend_facts = None
        if trend:
            say("reading 12 months of history for the trends")
            trend_facts = extract(uow, month.shift(-11), month, scope, dimensions=False)
    say("computing the KPIs")
    figures = compute_figures(facts, month, threshold=threshold)
    checksum = facts.checksum()
    series: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    if trend_facts is not None:
        say("computing the trends")
        for offset in range(-11, 1):
            m = month.shift(offset)
            values = compute_figures(trend_facts, m, threshold=threshold, keys=HEADLINE,
                                     dimensions=False)
            for key, figure in values.items():
                series.setdefault(key, []).append((str(m), figure))
    generated = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return MonthlyReport(month=month, scope=scope, threshold=threshold, figures=figures,
                         checksum=checksum, generated_at=generated, trend=series)
