"""``empower report ...``: the monthly KPI report on the command line.

Mounted by the core CLI through the ``empower.cli`` entry-point group::

    empower report monthly --month 2026-10 --format xlsx --out octobre.xlsx [--region 02]
    empower report monthly --month 2026-10 --format json --out 2026-10.json --freeze
    empower report diff --month 2026-10
"""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from empower.config import Settings
from empower.db import Database

__all__ = ["app"]

app = typer.Typer(help="Monthly KPI reports (xlsx, html, pdf, json).", no_args_is_help=True)


class Format(StrEnum):
    xlsx = "xlsx"
    html = "html"
    pdf = "pdf"
    json = "json"


class Lang(StrEnum):
    fr = "fr"
    ar = "ar"
    en = "en"


def _databases(settings: Settings) -> tuple[Database, Database]:
    """(primary, reads): the report reads ``EMPOWER_REPORTS_DATABASE_URL`` when it is set,
    opened read-only so a report never writes there; freezing writes to the primary."""
    import empower

    primary = empower.connect(settings.database_url, rules=settings.rules(),
                              busy_timeout=settings.sqlite_busy_timeout)
    if not settings.reports_database_url:
        return primary, primary
    reads = empower.connect(settings.reports_database_url, rules=settings.rules(),
                            busy_timeout=settings.sqlite_busy_timeout, read_only=True)
    return primary, reads


@app.command()
def monthly(
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    fmt: Format = typer.Option(..., "--format", help="xlsx, html, pdf or json."),
    out: Path = typer.Option(..., "--out", help="Where to write the report."),
    region: str | None = typer.Option(None, "--region", help="Only this region (HCP code)."),
    program: str | None = typer.Option(None, "--program", help="Only this program (its code)."),
    lang: Lang | None = typer.Option(None, "--lang", help="fr (default), ar or en."),
    by_program: bool = typer.Option(False, "--by-program",
                                    help="Also break every KPI down by program."),
    freeze: bool = typer.Option(False, "--freeze",
                                help="Store these figures as the month's published version."),
    actor: str | None = typer.Option(None, "--actor", help="Who freezes (default: cli:<user>)."),
) -> None:
    """Write the monthly KPI report for MONTH."""
    from empower.reports.extract import Scope
    from empower.reports.period import Month
    from empower.reports.render import write_report
    from empower.reports.report import build_monthly_report

    settings = Settings()
    err = Console(stderr=True)
    parsed = Month.parse(month)
    language = (lang.value if lang else settings.default_language) or "fr"
    if language not in ("fr", "ar", "en"):
        language = "fr"
    db, reads = _databases(settings)
    try:
        with err.status(f"Report {parsed}...") as status:
            def progress(step: str) -> None:
                status.update(f"Report {parsed}: {step}...")

            report = build_monthly_report(
                reads, parsed, scope=Scope(region=region, program=program),
                threshold=settings.small_cell_threshold, trend=fmt != Format.json,
                by_program=by_program, progress=progress)
            progress(f"writing {fmt.value}")
            write_report(report, fmt.value, out, lang=language)
            if freeze:
                from empower.reports.snapshots import freeze as freeze_month

                progress("freezing")
                freeze_month(db, report, actor=actor or f"cli:{getpass.getuser()}")
    finally:
        reads.dispose()
        db.dispose()
    err.print(f"[green]Wrote[/] {out} ({fmt.value}, {parsed}, {report.scope.key}, "
              f"checksum {report.checksum[:12]})" + (" and froze the month" if freeze else ""))


@app.command()
def diff(
    month: str = typer.Option(..., "--month", help="A frozen month, YYYY-MM."),
    region: str | None = typer.Option(None, "--region", help="The region it was frozen for."),
    program: str | None = typer.Option(None, "--program", help="The program it was frozen for."),
) -> None:
    """Show what changed in MONTH's figures since it was frozen (late corrections)."""
    from empower.reports.extract import Scope
    from empower.reports.period import Month
    from empower.reports.report import build_monthly_report
    from empower.reports.snapshots import diff_snapshot, load_snapshot

    settings = Settings()
    out = Console()
    parsed = Month.parse(month)
    scope = Scope(region=region, program=program)
    db, reads = _databases(settings)
    try:
        # The snapshot from the primary, where freezing wrote it (a replica may lag behind);
        # the figures and the audited writes since, from the replica.
        snapshot = load_snapshot(db, str(parsed), scope.key)
        with Console(stderr=True).status(f"Recomputing {parsed}..."):
            current = build_monthly_report(reads, parsed, scope=scope,
                                           threshold=settings.small_cell_threshold)
        result = diff_snapshot(reads, snapshot, current)
    finally:
        reads.dispose()
        db.dispose()
    out.print(f"{result.month} ({result.scope}) frozen {result.frozen_at:%Y-%m-%d %H:%M} UTC "
              f"by {result.frozen_by}")
    if result.added:
        out.print(f"Figures defined since it was frozen (not compared): {', '.join(result.added)}",
                  highlight=False)
    if result.unchanged:
        out.print("No figure changed since it was frozen.")
        return
    out.print(f"{len(result.changes)} figure(s) changed since:")
    for change in result.changes:
        out.print(f"  {change.path}: {change.frozen} -> {change.now}", highlight=False)
    if result.writes_since:
        out.print("Writes recorded in the audit log since the freeze:")
        for (entity, action), count in result.writes_since.items():
            out.print(f"  {entity} {action}: {count}")


@app.command()
def results(
    period: str = typer.Option(..., "--period", help="YYYY, YYYY-Qn or YYYY-MM."),
    fmt: Format = typer.Option(..., "--format", help="xlsx, html, pdf or json."),
    out: Path = typer.Option(..., "--out", help="Where to write the report."),
    program: str | None = typer.Option(None, "--program", help="Only this program (its code)."),
    partner: str | None = typer.Option(None, "--partner", help="Only this partner (its name)."),
    region: str | None = typer.Option(None, "--region", help="Only this region (HCP code)."),
    lang: Lang | None = typer.Option(None, "--lang", help="fr (default), ar or en."),
) -> None:
    """Write the results against targets for PERIOD (docs/results.md)."""
    from empower.reports.render.results import write_results
    from empower.reports.results import build_results_report

    settings = Settings()
    db, reads = _databases(settings)
    try:
        report = build_results_report(reads, period, program=program, partner=partner,
                                      region=region, threshold=settings.small_cell_threshold,
                                      thresholds=settings.results_thresholds())
        write_results(report, fmt.value, out, lang=_language(lang, settings))
    finally:
        reads.dispose()
        db.dispose()
    Console(stderr=True).print(f"[green]Wrote[/] {out} ({fmt.value}, {report.period}, "
                               f"{len(report.rows)} targets)")


@app.command()
def partners(
    period: str = typer.Option(..., "--period", help="YYYY, YYYY-Qn or YYYY-MM."),
    fmt: Format = typer.Option(..., "--format", help="xlsx, html, pdf or json."),
    out: Path = typer.Option(..., "--out", help="Where to write the report."),
    program: str | None = typer.Option(None, "--program", help="Only this program (its code)."),
    partner: str | None = typer.Option(None, "--partner", help="Only this partner (its name)."),
    lang: Lang | None = typer.Option(None, "--lang", help="fr (default), ar or en."),
) -> None:
    """Write each agreement's committed, received, balance and last contribution."""
    from empower.reports.render.results import write_partners
    from empower.reports.results import build_partners_report

    settings = Settings()
    db, reads = _databases(settings)
    try:
        report = build_partners_report(reads, period, program=program, partner=partner)
        write_partners(report, fmt.value, out, lang=_language(lang, settings))
    finally:
        reads.dispose()
        db.dispose()
    Console(stderr=True).print(f"[green]Wrote[/] {out} ({fmt.value}, {report.period}, "
                               f"{len(report.rows)} agreements)")


def _language(lang: Lang | None, settings: Settings) -> str:
    language = (lang.value if lang else settings.default_language) or "fr"
    return language if language in ("fr", "ar", "en") else "fr"
