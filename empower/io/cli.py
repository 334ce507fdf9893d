"""``empower import`` and ``empower export`` (and ``empower payments``, from
:mod:`empower.io.payments_cli`), added to the main command by :func:`register`.

Exit status of ``import``: 0 when every row was accepted, 1 when any row was rejected (in
``atomic`` mode nothing is written then), 2 when the file cannot be read at all (or the kind,
mode or options are wrong). The actor of every write is ``import:<file name>``. ``--lang``
chooses the language of the terminal lines and the errors file, from the message codes
(:mod:`empower.messages`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from empower.errors import EmpowerError
from empower.io.safety import neutralise
from empower.messages import LANGUAGES, describe, render
from empower.text import escape

__all__ = ["register"]

_SHOWN_ERRORS = 20


class _ProgressBar:
    """A rich progress bar, started on the first report (the importer reports large files only)."""

    def __init__(self, console: Console, label: str) -> None:
        self.console = console
        self.label = label
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        if self.bar is None:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _say(console: Console, text: str) -> None:
    # Plain text on one logical line: file names and values may hold [brackets], and control
    # or direction-changing characters, which are written as codes.
    console.print(escape(text), markup=False, soft_wrap=True)


def _fail(console: Console, message: str, lang: str = "en") -> typer.Exit:
    _say(console, _line("import.cli.error", lang, f"error: {message}", message=message))
    return typer.Exit(2)


def _line(code: str, lang: str, english: str, **params: Any) -> str:
    """A line of the command in ``lang``; ``english`` is the same sentence, said if the
    catalog has no entry."""
    return render(code, params, lang, default=english, sentence=False)


def register(app: typer.Typer) -> None:
    """Add the ``import`` and ``export`` commands, and the ``payments`` group, to ``app``."""
    from empower.io.payments_cli import app as payments_app

    app.add_typer(payments_app, name="payments")

    @app.command("import")
    def import_command(
        kind: Annotated[str, typer.Argument(help="programs, beneficiaries, cooperatives, "
                                                 "memberships, enrollments, grants, "
                                                 "disbursements, surveys, activities, "
                                                 "sessions, attendance, visits, intakes or "
                                                 "grievances")],
        file: Annotated[Path | None, typer.Argument(help="CSV or XLSX file to import")] = None,
        mode: Annotated[str, typer.Option(
            help="atomic (all or nothing), valid-only (write the valid rows) or dry-run "
                 "(write nothing)")] = "atomic",
        errors: Annotated[Path | None, typer.Option(help="write every rejected row to this "
                                                         "CSV file")] = None,
        template: Annotated[Path | None, typer.Option(help="write an empty .xlsx template for "
                                                           "KIND instead of importing")] = None,
        lang: Annotated[str, typer.Option(help="language of the messages and the errors file: "
                                               "fr, ar or en")] = "en",
    ) -> None:
        """Import a CSV, Excel or KoboToolbox file of one KIND; every rejected row is reported."""
        from empower.config import Settings
        from empower.db import connect
        from empower.io.importing import MODES, Rejection, import_file
        from empower.io.importing.columns import kind_spec
        from empower.io.reading import FileRejected

        out, err = Console(highlight=False), Console(stderr=True, highlight=False)
        if lang not in LANGUAGES:
            raise _fail(err, f"--lang '{lang}' is not one of {', '.join(LANGUAGES)}")
        try:
            spec = kind_spec(kind)
        except EmpowerError as exc:
            raise _fail(err, describe(exc, lang, sentence=False), lang) from None
        if template is not None:
            from empower.io.template import write_template

            try:
                write_template(spec.name, template)
            except EmpowerError as exc:
                raise _fail(err, describe(exc, lang, sentence=False), lang) from None
            except OSError as exc:
                raise _fail(err, f"{template}: {exc.strerror or exc}", lang) from None
            _say(out, _line("import.cli.template_written", lang,
                            f"Template for {spec.name} written to {template}", kind=spec.name,
                            path=str(template)))
            return
        if file is None:
            raise _fail(err, _line("import.cli.give_file", lang,
                                   "give the FILE to import (or --template FILE.xlsx)"), lang)
        if mode not in MODES:
            raise _fail(err, _line("import.cli.mode_invalid", lang,
                                   f"--mode '{mode}' is not one of {', '.join(MODES)}",
                                   value=mode, modes=MODES), lang)
        settings = Settings()
        errors_fh = None
        writer: Any = None
        if errors is not None:
            try:
                errors_fh = errors.open("w", encoding="utf-8-sig", newline="")
            except OSError as exc:
                raise _fail(err, f"{errors}: {exc.strerror or exc}", lang) from None
            writer = csv.writer(errors_fh)
            writer.writerow([_line(f"import.cli.{name}", lang, name)
                             for name in ("line", "column", "value", "reason")] + ["code"])

        def on_rejection(rej: Rejection) -> None:
            if writer is not None:
                # The value is echoed already (short, escaped); the header as the file wrote
                # it and the reason are escaped too, so each line reads as what it holds.
                writer.writerow([rej.line, neutralise(escape(rej.column)), neutralise(rej.value),
                                 neutralise(escape(rej.reason)), rej.code])

        label = _line("import.cli.progress", lang, f"importing {file.name}", name=file.name)
        bar = _ProgressBar(err, label) if err.is_terminal else None
        db = connect(settings.database_url, rules=settings.rules(),
                     busy_timeout=settings.sqlite_busy_timeout)
        try:
            report = import_file(db, spec.name, file, mode=mode, actor=f"import:{file.name}",
                                 on_rejection=on_rejection, progress=bar, lang=lang)
        except FileRejected as exc:
            raise _fail(err, describe(exc, lang, sentence=False), lang) from None
        finally:
            if bar is not None:
                bar.stop()
            if errors_fh is not None:
                errors_fh.close()
            db.dispose()
        _print_report(out, report, errors, lang)
        raise typer.Exit(report.exit_code)

    @app.command("export")
    def export_command(
        kind: Annotated[str, typer.Argument(help="the kind of records to export")],
        file: Annotated[Path, typer.Argument(help="output file, .csv or .xlsx")],
        pseudonymize: Annotated[bool, typer.Option(
            "--pseudonymize", help="replace CIN and phone with keyed pseudonyms, leave out "
                                   "names, commune and grant purpose, give the birth year "
                                   "only (needs EMPOWER_PSEUDONYM_KEY, 32+ characters)")] = False,
    ) -> None:
        """Export every record of KIND to CSV or XLSX, in the columns the importer reads."""
        from empower.config import Settings
        from empower.db import connect
        from empower.io.exporting import export_kind

        out, err = Console(highlight=False), Console(stderr=True, highlight=False)
        settings = Settings()
        if pseudonymize and not settings.pseudonym_key:
            raise _fail(err, "--pseudonymize needs a secret key: set EMPOWER_PSEUDONYM_KEY")
        # An export only reads: from the reports' replica when one is set, opened read-only.
        db = connect(settings.reads_url(), rules=settings.rules(),
                     busy_timeout=settings.sqlite_busy_timeout,
                     read_only=bool(settings.reports_database_url))
        try:
            count = export_kind(db, kind, file, pseudonym_key=settings.pseudonym_key,
                                pseudonymize=pseudonymize)
        except EmpowerError as exc:
            raise _fail(err, exc.message) from None
        except OSError as exc:
            raise _fail(err, f"{file}: {exc.strerror or exc}") from None
        finally:
            db.dispose()
        _say(out, f"{count:,} {kind} exported to {file}"
                  + (" (pseudonymised)" if pseudonymize else ""))


def _print_report(out: Console, report: Any, errors: Path | None, lang: str) -> None:
    if report.ignored_columns:
        columns = ", ".join(report.ignored_columns)
        _say(out, _line("import.cli.ignored_columns", lang, f"Ignored columns: {columns}",
                        columns=columns))
    if report.rejections:
        table = Table(title=_line("import.cli.rejected_rows", lang, "Rejected rows"),
                      title_justify="left")
        for name in ("line", "column", "value", "reason"):
            table.add_column(_line(f"import.cli.{name}", lang, name), overflow="fold")
        for rej in report.rejections[:_SHOWN_ERRORS]:
            table.add_row(*(Text(escape(str(v)))
                            for v in (rej.line, rej.column, rej.value, rej.reason)))
        out.print(table)
        if len(report.rejections) > _SHOWN_ERRORS or report.rejected > _SHOWN_ERRORS:
            if errors:
                _say(out, _line("import.cli.only_first_see", lang,
                                f"... only the first {_SHOWN_ERRORS} shown; see {errors}",
                                shown=_SHOWN_ERRORS, path=str(errors)))
            else:
                _say(out, _line("import.cli.only_first_use_errors", lang,
                                f"... only the first {_SHOWN_ERRORS} shown; use --errors "
                                f"FILE.csv for the full list", shown=_SHOWN_ERRORS))
    counts = _line("import.cli.counts", lang,
                   f"{report.rows:,} rows read: {report.created:,} created, {report.updated:,} "
                   f"updated, {report.unchanged:,} unchanged, {report.rejected:,} rejected",
                   rows=report.rows, created=report.created, updated=report.updated,
                   unchanged=report.unchanged, rejected=report.rejected)
    if report.duplicate_candidates:
        counts += "; " + _line("import.cli.duplicates", lang,
                               f"{report.duplicate_candidates:,} possible duplicates to review",
                               count=report.duplicate_candidates)
    _say(out, counts)
    if report.mode == "dry-run":
        _say(out, _line("import.cli.dry_run", lang, "Dry run: nothing was written."))
    elif report.committed:
        _say(out, _line("import.cli.written", lang, "Written.") if report.accepted
             else _line("import.cli.nothing_to_write", lang, "Nothing to write."))
    else:
        _say(out, _line("import.cli.atomic_nothing_written", lang,
                        f"Nothing was written (atomic mode: {report.rejected:,} rows rejected; "
                        f"fix them, or use --mode valid-only to write the valid rows).",
                        rejected=report.rejected))
