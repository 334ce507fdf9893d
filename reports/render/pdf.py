"""The report as a paginated PDF: the HTML page printed by WeasyPrint (A4, page numbers)."""

from __future__ import annotations

from pathlib import Path

from empower.reports.render.html import render_html
from empower.reports.report import MonthlyReport

__all__ = ["write_pdf"]


def write_pdf(report: MonthlyReport, path: Path, *, lang: str = "fr") -> None:
    """Write the published report to ``path`` as PDF."""
    from weasyprint import HTML

    HTML(string=render_html(report, lang=lang, for_print=True)).write_pdf(path)
