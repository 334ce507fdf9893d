"""Monthly KPI reports (``empower.reports``): extract -> pandas KPI functions -> render.

For scripts::

    import empower
    from empower.reports import Scope, build_monthly_report, write_report

    db = empower.connect("sqlite:///empower.db")
    report = build_monthly_report(db, "2026-10", scope=Scope(region="02"), trend=True)
    write_report(report, "xlsx", "octobre.xlsx", lang="fr")

Definitions: ``docs/kpis.md``; the design is in ``docs/reports.md``.
"""

from empower.reports.extract import Facts, Scope, extract
from empower.reports.figures import CATALOGUE, compute_figures
from empower.reports.period import Month
from empower.reports.render import write_report
from empower.reports.report import MonthlyReport, build_monthly_report
from empower.reports.snapshots import diff_snapshot, freeze, load_snapshot

__all__ = [
    "CATALOGUE", "Facts", "Month", "MonthlyReport", "Scope", "build_monthly_report",
    "compute_figures", "diff_snapshot", "extract", "freeze", "load_snapshot", "write_report",
]
