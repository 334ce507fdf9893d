"""The published view of a report: what a reader may see, with small cells already removed.

Renderers (xlsx, html, pdf) draw from this view only, so a suppressed figure never reaches a
published file, not even hidden in a cell or a chart. Its raw value is replaced by ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from empower.reports.figures import CATALOGUE, FAMILIES, HEADLINE, SELECTION_KPIS
from empower.reports.render.i18n import Labels
from empower.reports.report import MonthlyReport

__all__ = ["Block", "Cell", "Published", "Section", "Table", "published"]

DIMENSIONS = (("by_region", "region"), ("by_province", "province"), ("by_age_band", "age_band"),
              ("by_milieu", "milieu"), ("by_disability", "disability"),
              ("by_channel", "channel"),
              ("by_exit_reason", "exit_reason"), ("by_outcome", "outcome"),
              ("by_category", "category"), ("by_program", "program"))
KINDS = {k.key: k.kind for k in CATALOGUE}


@dataclass
class Cell:
    """One published figure: ``value`` is None when suppressed (or undefined, e.g. 0/0)."""

    label: str
    value: Any
    suppressed: bool
    numerator: Any = None
    denominator: Any = None

    def text(self, kind: str, L: Labels, threshold: int) -> str:
        if self.suppressed:
            return L("suppressed_mark", n=threshold)
        if self.value is None:
            return "–"
        if kind in ("money", "median_money"):
            return f"{L.amount(self.value)} {L('mad')}"
        if kind in ("share", "money_share"):
            return L.percent(self.value)
        return L.number(self.value)

    def ratio_text(self, kind: str, L: Labels) -> str:
        """"numerator / denominator" for a published share (empty when hidden)."""
        if self.suppressed or self.numerator is None:
            return ""
        if kind == "money_share":
            return f"{L.amount(self.numerator)} / {L.amount(self.denominator)}"
        return f"{L.number(self.numerator)} / {L.number(self.denominator)}"


@dataclass
class Table:
    dimension: str
    title: str
    rows: list[tuple[str, Cell]]  # (breakdown key, cell)


@dataclass
class Block:
    key: str
    title: str
    kind: str
    total: Cell
    tables: list[Table]
    trend: list[tuple[str, Cell]] = field(default_factory=list)


@dataclass
class Section:
    family: str
    title: str
    blocks: list[Block]
    # A sentence said instead of (or before) the blocks: the month had no selection, how the
    # figures are read.
    notes: list[str] = field(default_factory=list)


@dataclass
class Published:
    sections: list[Section]
    headline: list[Block]
    any_suppressed: bool


def _value(kind: str, raw: Any) -> Any:
    if raw is None:
        return None
    if kind in ("money", "median_money"):
        return Decimal(raw)
    return raw


def _cell(kind: str, label: str, figure: Any, suppressed: bool) -> Cell:
    if isinstance(figure, dict):  # shares and medians carry their own marks
        hidden = bool(figure.get("suppressed"))
        if hidden:
            return Cell(label, None, True)
        num, den = figure.get("numerator"), figure.get("denominator")
        if kind == "money_share":
            num, den = Decimal(str(num)), Decimal(str(den))
        return Cell(label, _value(kind, figure.get("value")), False, num, den)
    if suppressed:
        return Cell(label, None, True)
    return Cell(label, _value(kind, figure), False)


def _targeting_view(report: MonthlyReport, blocks: list[Block],
                    L: Labels) -> tuple[list[Block], list[str]]:
    """Without a selection in the month, a sentence replaces the selection's blocks (a table of
    zeros, each suppressed, would say nothing); the promotions from waiting lists stay."""
    selected = report.figures.get("selected_intakes", {}).get("value")
    if selected:
        return blocks, [L("targeting_note")]
    kept = [b for b in blocks if b.key not in SELECTION_KPIS
            and report.figures.get(b.key, {}).get("value")]
    return kept, [L("no_selection")]


def published(report: MonthlyReport, L: Labels) -> Published:
    """The report as a reader may see it, in ``L``'s language."""
    sections: list[Section] = []
    blocks_by_key: dict[str, Block] = {}
    any_hidden = False
    for family in FAMILIES:
        blocks = []
        for kpi in CATALOGUE:
            if kpi.family != family or kpi.key not in report.figures:
                continue
            fig = report.figures[kpi.key]
            kind = kpi.kind
            total = _cell(kind, L("total"), fig if kind not in ("count", "money") else
                          fig["value"], bool(fig.get("suppressed")))
            tables = []
            for name, dimension in DIMENSIONS:
                if name not in fig:
                    continue
                hidden = set(fig.get("suppressed_cells", {}).get(name, []))
                rows = [(key, _cell(kind, L.category(dimension, key), value, key in hidden))
                        for key, value in fig[name].items()]
                tables.append(Table(dimension, L(dimension), rows))
                any_hidden = any_hidden or any(c.suppressed for _, c in rows)
            any_hidden = any_hidden or total.suppressed
            trend = [(month, _cell(kind, month, f if kind not in ("count", "money") else
                                   f["value"], bool(f.get("suppressed"))))
                     for month, f in report.trend.get(kpi.key, [])]
            block = Block(kpi.key, L.kpi(kpi.key), kind, total, tables, trend)
            blocks.append(block)
            blocks_by_key[kpi.key] = block
        if not blocks:  # a report frozen before the family existed: no section at all
            continue
        notes: list[str] = []
        if family == "targeting":
            blocks, notes = _targeting_view(report, blocks, L)
        sections.append(Section(family, L(family), blocks, notes))
    headline = [blocks_by_key[k] for k in HEADLINE if k in blocks_by_key]
    return Published(sections, headline, any_hidden)
