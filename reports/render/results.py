"""The results and partners reports in the published formats (xlsx, html, pdf) and json.

Published formats follow the monthly report's rules: a suppressed actual is the "<5" mark and
its percentage and status are left out (a status would tell a hidden count); it is never drawn
in a chart. Charts: pro-rated target against actual, per indicator (matplotlib PNG in html and
pdf, a native bar chart in xlsx).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib
from empower.reports.render.charts import _COLOR, _style, _text, _uri
from empower.reports.render.i18n import Labels
from empower.reports.results import PartnersReport, ResultRow, ResultsReport
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill

from empower.errors import InvalidInput
from empower.io.safety import neutralise

__all__ = ["write_partners", "write_results"]

_T: dict[str, tuple[str, str, str]] = {
    "results_title": ("Résultats par rapport aux cibles", "النتائج مقارنة بالأهداف",
                      "Results against targets"),
    "partners_title": ("Contributions des partenaires", "مساهمات الشركاء",
                       "Partner contributions"),
    "period": ("Période", "الفترة", "Period"),
    "as_of": ("Réalisé jusqu'à", "المنجز إلى غاية", "Achieved up to"),
    "indicator": ("Indicateur", "المؤشر", "Indicator"),
    "program": ("Programme", "البرنامج", "Program"),
    "partner": ("Partenaire", "الشريك", "Partner"),
    "region": ("Région", "الجهة", "Region"),
    "target_period": ("Période de la cible", "فترة الهدف", "Target period"),
    "baseline": ("Situation de référence", "الوضع المرجعي", "Baseline"),
    "target": ("Cible", "الهدف", "Target"),
    "prorated": ("Cible au prorata", "الهدف بالتناسب", "Pro-rated target"),
    "actual": ("Réalisé", "المنجز", "Actual"),
    "achievement": ("Taux de réalisation", "نسبة الإنجاز", "Achieved"),
    "status": ("Statut", "الحالة", "Status"),
    "green": ("vert", "أخضر", "green"),
    "amber": ("orange", "برتقالي", "amber"),
    "red": ("rouge", "أحمر", "red"),
    "all": ("ensemble", "المجموع", "overall"),
    "frozen_note": ("Les mois figés (publiés) sont lus dans leur version figée ; les autres sont "
                    "calculés avec les définitions du rapport mensuel (docs/kpis.md).",
                    "الأشهر المجمدة (المنشورة) تقرأ من نسختها المجمدة؛ والأخرى تحسب بتعاريف "
                    "التقرير الشهري (docs/kpis.md).",
                    "Frozen (published) months are read as frozen; the others are computed "
                    "with the monthly report's definitions (docs/kpis.md)."),
    "footnote": ("Règle de confidentialité : les effectifs inférieurs à {n} sont masqués "
                 "(« <{n} ») avec leur taux et leur statut. Aucune donnée nominative.",
                 "قاعدة السرية: تحجب الأعداد التي تقل عن {n} («<{n}») مع نسبتها وحالتها. لا "
                 "بيانات شخصية.",
                 "Confidentiality rule: counts below {n} are hidden (\"<{n}\") with their "
                 "rate and status. No personal data."),
    "note_partner_reported": ("déclaré par le partenaire", "مصرح به من الشريك",
                              "reported by the partner"),
    "note_not_started": ("pas encore commencée", "لم تبدأ بعد", "not started"),
    "note_median_not_aggregable": ("médiane : par mois seulement", "الوسيط: شهريا فقط",
                                   "median: monthly only"),
    "note_unknown_kpi": ("indicateur inconnu du rapport", "مؤشر غير معروف في التقرير",
                         "KPI unknown to the report"),
    "chart": ("Cible au prorata et réalisé", "الهدف بالتناسب والمنجز", "Pro-rated target and actual"),
    "committed": ("Engagé", "الملتزم به", "Committed"),
    "received": ("Reçu", "المتوصل به", "Received"),
    "cash": ("dont numéraire", "منها نقدا", "of which cash"),
    "in_kind": ("dont en nature", "منها عينا", "of which in kind"),
    "balance": ("Solde", "الرصيد", "Balance"),
    "last": ("Dernière contribution", "آخر مساهمة", "Last contribution"),
    "behind": ("Jours de retard", "أيام التأخر", "Days behind"),
    "above": ("au-delà de l'engagement", "فوق الالتزام", "above commitment"),
    "signed": ("Signée le", "تاريخ التوقيع", "Signed"),
    "on": ("Situation au", "الوضعية في", "Standing on"),
    "generated": ("Produit le", "تاريخ الإنتاج", "Generated"),
    "checksum": ("Empreinte", "البصمة", "Checksum"),
}
_LANG = {"fr": 0, "ar": 1, "en": 2}
_STATUS_COLOURS = {"green": "2E7D32", "amber": "EF8F00", "red": "C62828"}


class _Say:
    def __init__(self, lang: str) -> None:
        self.L = Labels(lang)
        self.i = _LANG.get(self.L.lang, 0)

    def __call__(self, key: str, **kw: Any) -> str:
        text = _T[key][self.i] if key in _T else key
        return text.format(**kw) if kw else text


def _name(row: ResultRow, lang: str) -> str:
    return row.names.get(lang) or row.names.get("fr") or row.indicator


def _number(row: ResultRow, value: float | None, say: _Say) -> str:
    if value is None:
        return "–"
    if row.kind in ("share", "money_share"):
        return say.L.percent(value)
    if row.kind in ("money", "median_money"):
        return f"{say.L.amount(Decimal(str(round(value, 2))))} MAD"
    return say.L.number(round(value, 2))


def _published(report: ResultsReport, say: _Say) -> list[dict[str, Any]]:
    """The rows as a reader may see them: a hidden actual takes its rate and status along."""
    out = []
    for row in report.rows:
        hidden = row.suppressed
        mark = say.L("suppressed_mark", n=report.threshold)
        out.append({
            "row": row, "name": _name(row, say.L.lang), "program": row.program,
            "partner": row.partner or "", "region": say.L.category("region", row.region)
            if row.region else say("all"),
            "period": row.target_period,
            "baseline": _number(row, row.baseline, say) if row.baseline is not None else "",
            "target": _number(row, row.target, say),
            "prorated": _number(row, row.prorated_target, say),
            "actual": mark if hidden else _number(row, row.actual, say),
            "achievement": "" if hidden or row.achievement is None
            else say.L.percent(row.achievement),
            "status": None if hidden else row.status,
            "status_text": "" if hidden or row.status is None else say(row.status),
            "note": say(f"note_{row.note}") if row.note else "",
            "chart_actual": None if hidden else row.actual,
        })
    return out


def _short(r: dict[str, Any]) -> str:
    """A row's label on a chart: program, partner, region code, target period."""
    row: ResultRow = r["row"]
    return " · ".join(x for x in (row.program, row.partner or "", row.region or "",
                                  row.target_period) if x)


def _charts(rows: list[dict[str, Any]], say: _Say) -> list[str]:
    """One grouped bar chart per indicator: pro-rated target and actual, per row."""
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_indicator.setdefault(r["row"].indicator, []).append(r)
    charts = []
    for rs in by_indicator.values():
        if not any(r["chart_actual"] is not None for r in rs):
            continue
        rate = rs[0]["row"].kind in ("share", "money_share")
        scale = 100.0 if rate else 1.0
        labels = [_text(_short(r), say.L) for r in rs]
        targets = [r["row"].prorated_target * scale for r in rs]
        actuals = [float("nan") if r["chart_actual"] is None else r["chart_actual"] * scale
                   for r in rs]
        with matplotlib.rc_context(_style(say.L)):
            fig = Figure(figsize=(6.4, 0.55 * len(rs) + 1.1))
            ax = fig.add_subplot()
            ys = list(range(len(rs)))[::-1]
            ax.barh([y + 0.2 for y in ys], targets, height=0.38, color="#9db4cc",
                    label=_text(say("prorated"), say.L))
            ax.barh([y - 0.2 for y in ys], actuals, height=0.38, color=_COLOR,
                    label=_text(say("actual"), say.L))
            ax.set_yticks(ys, labels)
            ax.set_title(_text(f"{rs[0]['name']} – {say('chart')}", say.L),
                         loc="right" if say.L.rtl else "left", fontsize=10)
            ax.legend(fontsize=7, loc="lower right")
            if say.L.rtl:
                ax.invert_xaxis()
                ax.yaxis.tick_right()
                fig.subplots_adjust(left=0.03, right=0.62, top=1 - 0.45 / fig.get_figheight())
            else:
                fig.subplots_adjust(left=0.32, right=0.97, top=1 - 0.45 / fig.get_figheight())
            charts.append(_uri(fig))
    return charts


_CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --line: #d8dee6; --brand: #1f4e79; }
body { margin: 0; color: var(--ink); line-height: 1.45;
       font-family: "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; color: var(--brand); border-bottom: 3px solid var(--brand);
     padding-bottom: 6px; }
.meta, .note { color: var(--muted); font-size: .85rem; margin: 2px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .8rem; margin: 12px 0; }
th { background: var(--brand); color: #fff; text-align: start; padding: 4px 6px; }
td { border-bottom: 1px solid var(--line); padding: 3px 6px; }
td.num { text-align: end; white-space: nowrap; font-variant-numeric: tabular-nums; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff;
          font-weight: 600; }
.green { background: #2e7d32; } .amber { background: #ef8f00; } .red { background: #c62828; }
td .note { font-size: .72rem; display: block; }
.charts img { width: 100%; max-width: 640px; display: block; margin: 8px 0; }
footer { margin-top: 20px; border-top: 1px solid var(--line); color: var(--muted);
         font-size: .8rem; }
@page { size: A4 landscape; margin: 12mm 10mm; }
.print table { font-size: 7.5pt; } .print td .note { font-size: .72rem; display: block; }
.charts img { width: 48%; display: inline-block; }
"""


def _page(title: str, lang: str, rtl: bool, body: str, for_print: bool) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="{"rtl" if rtl else "ltr"}">\n<head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><title>{html.escape(title)}</title><style>{_CSS}</style></head>'
            f'<body{" class=print" if for_print else ""}><main>{body}</main></body></html>\n')


def _table(headers: list[str], rows: list[list[tuple[str, str]]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for cls, cell in row)
                   + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def results_html(report: ResultsReport, *, lang: str = "fr", for_print: bool = False) -> str:
    """The published results report as one self-contained HTML page."""
    say = _Say(lang)
    rows = _published(report, say)
    e = html.escape
    filters = ", ".join(f"{say(k)} {v}" for k, v in report.filters.items() if v)
    headers = [say(k) for k in ("indicator", "program", "partner", "region", "target_period",
                                "baseline", "target", "prorated", "actual", "achievement",
                                "status")]
    cells = [[("", e(r["name"])), ("", e(r["program"])), ("", e(r["partner"])),
              ("", e(r["region"])), ("", f'<bdi dir="ltr">{e(r["period"])}</bdi>'),
              ("num", e(r["baseline"])), ("num", e(r["target"])), ("num", e(r["prorated"])),
              ("num", f'<bdi dir="ltr">{e(r["actual"])}</bdi>'
               + (f'<span class="note">{e(r["note"])}</span>' if r["note"] else "")),
              ("num", e(r["achievement"])),
              ("", f'<span class="status {r["status"]}">{e(r["status_text"])}</span>'
               if r["status"] else "")] for r in rows]
    charts = "".join(f'<img alt="{e(say("chart"))}" src="{uri}">' for uri in _charts(rows, say))
    body = (f'<h1>{e(say("results_title"))} – <bdi dir="ltr">{e(str(report.period))}</bdi></h1>'
            f'<p class="meta">{e(say("as_of"))} <bdi dir="ltr">{e(report.as_of)}</bdi>'
            f'{(" · " + e(filters)) if filters else ""}</p>'
            f'<p class="meta">{e(say("generated"))} '
            f'{report.generated_at:%Y-%m-%d %H:%M} UTC · empower {e(report.version)} · '
            f'{e(say("checksum"))} <code>{report.checksum[:16]}</code></p>'
            + _table(headers, cells) + f'<div class="charts">{charts}</div>'
            + f'<footer><p>{e(say("frozen_note"))}</p>'
            f'<p>{e(say("footnote", n=report.threshold))}</p></footer>')
    return _page(f'{say("results_title")} {report.period}', say.L.lang, say.L.rtl, body,
                 for_print)


def _header_row(ws: Any, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        c = ws.cell(row=row, column=col, value=value)
        c.font, c.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
        c.alignment = Alignment(wrap_text=True, vertical="center")


def _number_format(row: ResultRow) -> str:
    if row.kind in ("share", "money_share"):
        return "0.0%"
    if row.kind in ("money", "median_money"):
        return '#,##0.00 "MAD"'
    return "#,##0.##"


def results_xlsx(report: ResultsReport, path: Path, *, lang: str = "fr") -> None:
    """The published results report as a workbook: the table, and a native bar chart of
    pro-rated target against actual per indicator."""
    say = _Say(lang)
    rows = _published(report, say)
    wb = Workbook()
    ws = wb.active
    ws.title = say("results_title")[:31]
    ws.sheet_view.rightToLeft = say.L.rtl
    ws["A1"] = f'{say("results_title")} – {report.period}'
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f'{say("as_of")} {report.as_of}'
    ws["A3"] = say("footnote", n=report.threshold)
    headers = [say(k) for k in ("indicator", "program", "partner", "region", "target_period",
                                "baseline", "target", "prorated", "actual", "achievement",
                                "status")]
    _header_row(ws, 5, headers)
    first = 6
    for i, r in enumerate(rows):
        row: ResultRow = r["row"]
        at = first + i
        for col, value in enumerate((r["name"], r["program"], r["partner"], r["region"],
                                     r["period"]), start=1):
            ws.cell(row=at, column=col, value=neutralise(value))
        fmt = _number_format(row)
        for col, value in ((6, row.baseline), (7, row.target), (8, row.prorated_target)):
            if value is not None:
                c = ws.cell(row=at, column=col, value=round(value, 4))
                c.number_format = fmt
        actual = ws.cell(row=at, column=9)
        if row.suppressed:
            actual.value = r["actual"]
            actual.alignment = Alignment(horizontal="right")
        elif row.actual is not None:
            actual.value, actual.number_format = round(row.actual, 4), fmt
        if r["achievement"]:
            c = ws.cell(row=at, column=10, value=row.achievement)
            c.number_format = "0.0%"
        if r["status"]:
            c = ws.cell(row=at, column=11, value=r["status_text"])
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor=_STATUS_COLOURS[r["status"]])
    for letter, width in zip("ABCDEFGHIJK", (34, 10, 18, 26, 12, 12, 12, 14, 12, 12, 10),
                             strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B6"
    # Charts: one per indicator, over its rows (a hidden actual is a text mark: no bar). Their
    # categories are a label column beside the table.
    for i, r in enumerate(rows):
        ws.cell(row=first + i, column=12, value=neutralise(_short(r)))
    anchor = first + len(rows) + 2
    start = 0
    for i in range(1, len(rows) + 1):
        if i < len(rows) and rows[i]["row"].indicator == rows[start]["row"].indicator:
            continue
        top, bottom = first + start, first + i - 1
        chart = BarChart()
        chart.type, chart.title = "bar", f'{rows[start]["name"]} – {say("chart")}'[:80]
        chart.height, chart.width = 3.5 + 1.2 * (bottom - top + 1), 18
        chart.add_data(Reference(ws, min_col=8, max_col=9, min_row=top, max_row=bottom),
                       titles_from_data=False)
        chart.series[0].tx = SeriesLabel(v=say("prorated"))
        chart.series[1].tx = SeriesLabel(v=say("actual"))
        chart.set_categories(Reference(ws, min_col=12, min_row=top, max_row=bottom))
        ws.add_chart(chart, f"A{anchor}")
        anchor += int(chart.height * 2) + 2
        start = i
    wb.save(path)


def partners_html(report: PartnersReport, *, lang: str = "fr", for_print: bool = False) -> str:
    say = _Say(lang)
    e = html.escape

    def mad(centimes: int) -> str:
        return f"{say.L.amount(Decimal(centimes) / 100)} MAD"

    headers = [say(k) for k in ("program", "partner", "signed", "committed", "received", "cash",
                                "in_kind", "balance", "last", "behind")]
    cells = []
    for s in report.rows:
        above = (f'<span class="note">{e(mad(s.above_commitment_centimes))} '
                 f'{e(say("above"))}</span>' if s.above_commitment_centimes else "")
        cells.append([("", e(s.program_code)), ("", e(s.partner_name)),
                      ("", s.signed_on.isoformat()), ("num", e(mad(s.committed_centimes))),
                      ("num", e(mad(s.received_centimes)) + above),
                      ("num", e(mad(s.cash_centimes))), ("num", e(mad(s.in_kind_centimes))),
                      ("num", e(mad(s.balance_centimes))),
                      ("", s.last_received_on.isoformat() if s.last_received_on else "–"),
                      ("num", "–" if s.days_behind is None else str(s.days_behind))])
    body = (f'<h1>{e(say("partners_title"))} – <bdi dir="ltr">{report.period}</bdi></h1>'
            f'<p class="meta">{e(say("on"))} <bdi dir="ltr">{report.on.isoformat()}</bdi> · '
            f'{e(say("generated"))} {report.generated_at:%Y-%m-%d %H:%M} UTC</p>'
            + _table(headers, cells))
    return _page(f'{say("partners_title")} {report.period}', say.L.lang, say.L.rtl, body,
                 for_print)


def partners_xlsx(report: PartnersReport, path: Path, *, lang: str = "fr") -> None:
    say = _Say(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = say("partners_title")[:31]
    ws.sheet_view.rightToLeft = say.L.rtl
    ws["A1"] = f'{say("partners_title")} – {report.period}'
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f'{say("on")} {report.on.isoformat()}'
    _header_row(ws, 4, [say(k) for k in ("program", "partner", "signed", "committed", "received",
                                         "cash", "in_kind", "balance", "last", "behind")])
    for i, s in enumerate(report.rows, start=5):
        values: list[Any] = [s.program_code, neutralise(s.partner_name), s.signed_on,
                             *(c / 100 for c in (s.committed_centimes, s.received_centimes,
                                                 s.cash_centimes, s.in_kind_centimes,
                                                 s.balance_centimes)),
                             s.last_received_on, s.days_behind]
        for col, value in enumerate(values, start=1):
            c = ws.cell(row=i, column=col, value=value)
            if 4 <= col <= 8:
                c.number_format = '#,##0.00 "MAD"'
            elif col in (3, 9):
                c.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJ", (10, 28, 12, 16, 16, 16, 16, 16, 14, 10),
                             strict=True):
        ws.column_dimensions[letter].width = width
    wb.save(path)


def _write(fmt: str, out: Path | str, to_json: Callable[[], str],
           to_html: Callable[..., str], to_xlsx: Callable[[Path], None]) -> Path:
    path = Path(out)
    if fmt == "json":
        path.write_text(to_json() + "\n", encoding="utf-8")
    elif fmt == "html":
        path.write_text(to_html(), encoding="utf-8")
    elif fmt == "pdf":
        from weasyprint import HTML

        HTML(string=to_html(for_print=True)).write_pdf(path)
    elif fmt == "xlsx":
        to_xlsx(path)
    else:
        raise InvalidInput(f"format: '{fmt}' is not one of xlsx, html, pdf, json",
                           code="report.bad_format",
                           params={"value": str(fmt), "allowed": ["xlsx", "html", "pdf", "json"]},
                           field="format", value=fmt)
    return path


def write_results(report: ResultsReport, fmt: str, out: Path | str, *, lang: str = "fr") -> Path:
    """Write the results report as ``fmt`` (xlsx, html, pdf, json) to ``out``."""
    return _write(fmt, out, report.to_json,
                  lambda for_print=False: results_html(report, lang=lang, for_print=for_print),
                  lambda p: results_xlsx(report, p, lang=lang))


def write_partners(report: PartnersReport, fmt: str, out: Path | str, *,
                   lang: str = "fr") -> Path:
    """Write the partners report as ``fmt`` (xlsx, html, pdf, json) to ``out``."""
    return _write(fmt, out, report.to_json,
                  lambda for_print=False: partners_html(report, lang=lang, for_print=for_print),
                  lambda p: partners_xlsx(report, p, lang=lang))
