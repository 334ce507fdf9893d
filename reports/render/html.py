"""The report as one self-contained HTML page (inline CSS, charts as data URIs, no script).

Readable on a phone (fluid layout, tables scroll sideways), French by default, Arabic laid out
right to left, English. The PDF is this page printed by WeasyPrint.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from empower.reports.render.charts import bar_chart, line_chart
from empower.reports.render.i18n import Labels
from empower.reports.render.model import Block, Cell, published
from empower.reports.report import MonthlyReport
from jinja2 import Environment, PackageLoader, select_autoescape

__all__ = ["render_html"]


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("empower.reports.render", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                       lstrip_blocks=True)


def _plot_value(block: Block, cell: Cell) -> float | None:
    if cell.suppressed or cell.value is None:
        return None
    value = float(cell.value)
    return value * 100 if block.kind in ("share", "money_share") else value


def _charts(block: Block, L: Labels, *, trend: bool) -> dict[str, str | None]:
    charts: dict[str, str | None] = {}
    if not trend:  # only the headline KPIs get charts: a page of 40 charts reads badly
        return charts
    if block.trend:
        charts["trend"] = line_chart(
            f"{block.title} – {L('trend')}",
            [(m, _plot_value(block, c)) for m, c in block.trend], L)
    region = next((t for t in block.tables if t.dimension == "region"), None)
    if region is not None and block.kind in ("count", "money", "share"):
        charts["region"] = bar_chart(
            f"{block.title} – {L('region')}",
            [(c.label.rsplit(" (", 1)[0], _plot_value(block, c)) for _, c in region.rows], L)
    return charts


def render_html(report: MonthlyReport, *, lang: str = "fr", for_print: bool = False) -> str:
    """The published report as an HTML document (a string)."""
    L = Labels(lang)
    view = published(report, L)
    headline_keys = {b.key for b in view.headline}
    charts: dict[str, Any] = {}
    for section in view.sections:
        for block in section.blocks:
            charts[block.key] = _charts(block, L, trend=block.key in headline_keys)
    scope = ", ".join(f"{L(k)} {v}" for k, v in report.scope.as_dict().items() if v) or L("all")
    return _env().get_template("report.html.j2").render(
        L=L, report=report, view=view, charts=charts, scope=scope, for_print=for_print,
        threshold=report.threshold, month=str(report.month),
        generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"))
