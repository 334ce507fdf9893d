"""Writers for the report formats: json (raw, for machines) and xlsx, html, pdf (published)."""

from __future__ import annotations

from pathlib import Path

from empower.reports.report import MonthlyReport

from empower.errors import InvalidInput

__all__ = ["FORMATS", "write_report"]

FORMATS = ("xlsx", "html", "pdf", "json")


def write_report(report: MonthlyReport, fmt: str, out: Path | str, *, lang: str = "fr") -> Path:
    """Write ``report`` as ``fmt`` to ``out`` (published formats in ``lang``: fr, ar or en)."""
    path = Path(out)
    if fmt == "json":
        path.write_text(report.to_json() + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        from empower.reports.render.xlsx import write_xlsx

        write_xlsx(report, path, lang=lang)
    elif fmt == "html":
        from empower.reports.render.html import render_html

        path.write_text(render_html(report, lang=lang), encoding="utf-8")
    elif fmt == "pdf":
        from empower.reports.render.pdf import write_pdf

        write_pdf(report, path, lang=lang)
    else:
        raise InvalidInput(f"format: '{fmt}' is not one of {', '.join(FORMATS)}",
                           code="report.bad_format",
                           params={"value": str(fmt), "allowed": list(FORMATS)},
                           field="format", value=fmt)
    return path
