"""Build a monthly report: extract, compute, and record what it was computed from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from empower.reports.comparison import month_on_month
from empower.reports.extract import Scope, extract, rewindow
from empower.reports.figures import (
    CATALOGUE,
    HEADLINE,
    TREND_FRAMES,
    compute_figures,
    is_small,
    trend_figures,
)
from empower.reports.period import Month
from sqlalchemy import select, text

import empower
from empower.db import Database
from empower.models import Program

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
    # KPI -> its change from the month before (empower.reports.comparison.month_on_month)
    comparison: dict[str, dict[str, Any]] = field(default_factory=dict)

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
            "comparison": self.comparison,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)


def _add_by_program(figures: dict[str, dict[str, Any]],
                    per_program: dict[str, dict[str, dict[str, Any]]], threshold: int) -> None:
    """Give every figure a ``by_program`` breakdown (a woman in two programs counts in both)."""
    for kpi in CATALOGUE:
        figure = figures[kpi.key]
        if kpi.kind in ("count", "money"):
            figure["by_program"] = {code: pf[kpi.key]["value"] for code, pf in per_program.items()}
            size = "value" if kpi.kind == "count" else "count"
            figure.setdefault("suppressed_cells", {})["by_program"] = [
                code for code, pf in per_program.items()
                if not kpi.public and is_small(pf[kpi.key][size], threshold)]
        else:  # shares and medians: the program's whole figure, which carries its own marks
            figure["by_program"] = {code: dict(pf[kpi.key]) for code, pf in per_program.items()}


def build_monthly_report(db: Database, month: Month | str, *, scope: Scope | None = None,
                         threshold: int = 5, trend: bool = False, by_program: bool = False,
                         compare: bool = True, progress: Progress | None = None,
                         now: datetime | None = None) -> MonthlyReport:
    """Compute every KPI for ``month`` (and, with ``trend``, 12 months of headline KPIs).

    With ``by_program`` every figure also gets a ``by_program`` breakdown (program code ->
    the figure computed with that program as filter). With ``compare`` (the default) every
    figure's total gets its change from the month before (``comparison``), computed from the
    same read. Reads in one read-only unit of work, so
    the figures and the checksum describe one consistent state of the database.
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
            # One extract of the 12 months, of the frames the headline KPIs read; the survey
            # records are the month's own (every record surveyed by its end), with the archive
            # periods of the longer window.
            trend_facts = extract(uow, month.shift(-11), month, scope, dimensions=False,
                                  frames=[f for f in TREND_FRAMES if f != "surveys"])
            trend_facts.surveys = rewindow(uow, facts.surveys, month.shift(-11), month)
        previous_facts = None
        if compare:
            say(f"reading {month.shift(-1)} for the month-on-month change")
            previous_facts = extract(uow, month.shift(-1), month.shift(-1), scope,
                                     dimensions=False)
        program_facts = {}
        if by_program:
            codes = ([scope.program] if scope.program else
                     list(uow.session.scalars(select(Program.code).order_by(Program.code))))
            for code in codes:
                say(f"reading program {code}")
                program_facts[code] = extract(uow, month, month,
                                              Scope(region=scope.region, program=code),
                                              dimensions=False)
    say("computing the KPIs")
    figures = compute_figures(facts, month, threshold=threshold)
    checksum = facts.checksum()
    if program_facts:
        per_program = {code: compute_figures(f, month, threshold=threshold, dimensions=False)
                       for code, f in program_facts.items()}
        _add_by_program(figures, per_program, threshold)
        digest = hashlib.sha256(checksum.encode())
        for code, f in program_facts.items():
            digest.update(f"{code}:{f.checksum()}".encode())
        checksum = digest.hexdigest()
    if previous_facts is not None:
        # The change from the month before rests on its facts too.
        checksum = hashlib.sha256(
            f"{checksum}:previous:{previous_facts.checksum()}".encode()).hexdigest()
    series: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    if trend_facts is not None:
        say("computing the trends")
        series = trend_figures(trend_facts, [month.shift(offset) for offset in range(-11, 1)],
                               threshold=threshold, keys=HEADLINE)
    comparison: dict[str, dict[str, Any]] = {}
    if previous_facts is not None:
        say("computing the month-on-month change")
        previous = compute_figures(previous_facts, month.shift(-1), threshold=threshold,
                                   dimensions=False)
        comparison = month_on_month(figures, previous, str(month.shift(-1)))
    generated = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return MonthlyReport(month=month, scope=scope, threshold=threshold, figures=figures,
                         checksum=checksum, generated_at=generated, trend=series,
                         comparison=comparison)
