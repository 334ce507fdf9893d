"""The report as an Excel workbook (openpyxl): summary, one sheet per KPI family, trends.

Each family sheet is one table (dimension, category, one column per KPI) with its header row
and label columns frozen, MAD and percent number formats, and native bar charts by region; the
trend sheet has a native line chart per headline KPI over 12 months. Suppressed cells hold the
"<5" mark, never the number.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from empower.reports.render.i18n import Labels
from empower.reports.render.model import Block, Cell, Published, published
from empower.reports.report import MonthlyReport
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["write_xlsx"]

FORMATS = {"count": "#,##0", "money": '#,##0.00 "MAD"', "median_money": '#,##0.00 "MAD"',
           "share": "0.0%", "money_share": "0.0%", "median_days": "0.0"}
HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TOTAL_FONT = Font(bold=True)
MUTED = Font(italic=True, color="666666")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str) -> str:
    return _BAD_SHEET_CHARS.sub(" ", text)[:31]


def _put(ws: Worksheet, row: int, col: int, cell: Cell, kind: str, L: Labels,
         threshold: int) -> None:
    target = ws.cell(row=row, column=col)
    if cell.suppressed:
        target.value = L("suppressed_mark", n=threshold)
        target.alignment = Alignment(horizontal="right")
    elif cell.value is not None:
        target.value = cell.value
        target.number_format = FORMATS[kind]


def _header(ws: Worksheet, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        c = ws.cell(row=row, column=col, value=value)
        c.font, c.fill = HEADER, HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")


def _summary(ws: Worksheet, report: MonthlyReport, view: Published, L: Labels) -> None:
    ws["A1"] = L("title")
    ws["A1"].font = Font(bold=True, size=14)
    scope = ", ".join(f"{L(k)} {v}" for k, v in report.scope.as_dict().items() if v) or L("all")
    meta = [(L("month"), str(report.month)), (L("scope"), scope),
            (L("generated"), report.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
            (L("version"), report.version), (L("checksum"), report.checksum)]
    for i, (k, v) in enumerate(meta, start=2):
        ws.cell(row=i, column=1, value=k).font = MUTED
        ws.cell(row=i, column=2, value=v)
    top = len(meta) + 3
    _header(ws, top, [L("indicator"), L("value"), L("numerator"), L("denominator")])
    row = top + 1
    for section in view.sections:
        ws.cell(row=row, column=1, value=section.title).font = TOTAL_FONT
        row += 1
        for note in section.notes:
            ws.cell(row=row, column=1, value=note).font = MUTED
            row += 1
        for block in section.blocks:
            ws.cell(row=row, column=1, value=block.title)
            _put(ws, row, 2, block.total, block.kind, L, report.threshold)
            if block.kind in ("share", "money_share") and not block.total.suppressed:
                fmt = FORMATS["money"] if block.kind == "money_share" else FORMATS["count"]
                for col, v in ((3, block.total.numerator), (4, block.total.denominator)):
                    ws.cell(row=row, column=col, value=v).number_format = fmt
            row += 1
    ws.cell(row=row + 1, column=1, value=L("footnote", n=report.threshold)).font = MUTED
    ws.cell(row=row + 2, column=1, value=L("definitions")).font = MUTED
    ws.column_dimensions["A"].width = 52
    for letter in "BCD":
        ws.column_dimensions[letter].width = 20
    ws.freeze_panes = ws.cell(row=top + 1, column=1)


def _columns(blocks: list[Block], L: Labels) -> list[tuple[Block, str, str]]:
    """(block, part, header) for each column: the value, plus numerator/denominator of shares."""
    cols = []
    for block in blocks:
        cols.append((block, "value", block.title))
        if block.kind in ("share", "money_share"):
            cols.append((block, "numerator", f"{block.title} – {L('numerator')}"))
            cols.append((block, "denominator", f"{block.title} – {L('denominator')}"))
    return cols


def _family(ws: Worksheet, blocks: list[Block], L: Labels, threshold: int) -> None:
    cols = _columns(blocks, L)
    _header(ws, 1, [L("breakdown"), L("category"), *[h for _, _, h in cols]])
    ws.row_dimensions[1].height = 60
    # rows: total, then each dimension's categories in the order the figures give them
    order: list[tuple[str, str, str]] = [("total", "total", L("total"))]
    seen = set()
    for block in blocks:
        for table in block.tables:
            for key, cell in table.rows:
                if (table.dimension, key) not in seen:
                    seen.add((table.dimension, key))
                    order.append((table.dimension, key, cell.label))
    order = [order[0]] + sorted(order[1:], key=lambda t: _DIM_ORDER.index(t[0]))
    index = {(d, k): i for i, (d, k, _) in enumerate(order, start=2)}
    for (dimension, _, label), row in zip(order, range(2, len(order) + 2), strict=True):
        ws.cell(row=row, column=1, value=L(dimension) if dimension != "total" else L("total"))
        ws.cell(row=row, column=2, value=label)
        if dimension == "total":
            ws.cell(row=row, column=1).font = TOTAL_FONT
    for col, (block, part, _) in enumerate(cols, start=3):
        cells: list[tuple[tuple[str, str], Cell]] = [(("total", "total"), block.total)]
        cells += [((t.dimension, k), c) for t in block.tables for k, c in t.rows]
        for pos, cell in cells:
            row = index[pos]
            if part == "value":
                _put(ws, row, col, cell, block.kind, L, threshold)
            elif not cell.suppressed and getattr(cell, part) is not None:
                target = ws.cell(row=row, column=col, value=getattr(cell, part))
                target.number_format = FORMATS["money" if block.kind == "money_share" else "count"]
        ws.column_dimensions[get_column_letter(col)].width = 18
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 34
    ws.freeze_panes = "C2"
    # native bar charts by region for the count and money figures
    regions = [r for (d, _), r in index.items() if d == "region"]
    if not regions:
        return
    anchor_row = 2
    chart_col = get_column_letter(len(cols) + 4)
    for col, (block, part, header) in enumerate(cols, start=3):
        if part != "value" or block.kind not in ("count", "money") or not any(
                t.dimension == "region" for t in block.tables):
            continue  # e.g. the number of calls and their places: totals only, no bars
        chart = BarChart()
        chart.type = "bar"
        chart.title = header
        chart.legend = None
        chart.height, chart.width = 9, 16
        data = Reference(ws, min_col=col, min_row=min(regions), max_row=max(regions))
        chart.add_data(data, titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=2, min_row=min(regions), max_row=max(regions)))
        chart.y_axis.numFmt = FORMATS[block.kind]
        ws.add_chart(chart, f"{chart_col}{anchor_row}")
        anchor_row += 19


_DIM_ORDER = ["total", "region", "province", "age_band", "milieu", "disability", "channel",
              "exit_reason", "outcome", "category", "program"]


def _trends(ws: Worksheet, blocks: list[Block], L: Labels, threshold: int) -> None:
    blocks = [b for b in blocks if b.trend]
    _header(ws, 1, [L("month"), *[b.title for b in blocks]])
    ws.row_dimensions[1].height = 60
    months = [m for m, _ in blocks[0].trend] if blocks else []
    for r, month in enumerate(months, start=2):
        ws.cell(row=r, column=1, value=month)
    for c, block in enumerate(blocks, start=2):
        for r, (_, cell) in enumerate(block.trend, start=2):
            _put(ws, r, c, cell, block.kind, L, threshold)
        ws.column_dimensions[get_column_letter(c)].width = 18
    ws.freeze_panes = "B2"
    if not months:
        return
    for i, block in enumerate(blocks):
        chart = LineChart()
        chart.title = f"{block.title} – {L('trend')}"
        chart.legend = None
        chart.height, chart.width = 7.5, 15
        chart.add_data(Reference(ws, min_col=i + 2, min_row=2, max_row=len(months) + 1),
                       titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(months) + 1))
        chart.y_axis.numFmt = FORMATS[block.kind]
        col = get_column_letter(len(blocks) + 3 + (i % 2) * 10)
        ws.add_chart(chart, f"{col}{2 + (i // 2) * 16}")


def _notes(ws: Worksheet, notes: list[str]) -> None:
    """A section's sentences under its table (or alone, when the month has nothing to show)."""
    row = ws.max_row + 2 if ws.max_row > 1 else 1
    for note in notes:
        ws.cell(row=row, column=1, value=note).font = MUTED
        row += 1


def write_xlsx(report: MonthlyReport, path: Path, *, lang: str = "fr") -> None:
    """Write the published workbook to ``path``."""
    L = Labels(lang)
    view = published(report, L)
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = _sheet_title(L("summary"))
    _summary(summary, report, view, L)
    sheets: list[Any] = [summary]
    for section in view.sections:
        ws = wb.create_sheet(_sheet_title(section.title))
        if section.blocks:
            _family(ws, section.blocks, L, report.threshold)
        _notes(ws, section.notes)
        sheets.append(ws)
    if report.trend:
        ws = wb.create_sheet(_sheet_title(L("trends")))
        _trends(ws, view.headline, L, report.threshold)
        sheets.append(ws)
    for ws in sheets:
        ws.sheet_view.rightToLeft = L.rtl
    wb.properties.title = f"{L('title')} {report.month}"
    wb.properties.creator = f"empower {report.version}"
    wb.save(path)
