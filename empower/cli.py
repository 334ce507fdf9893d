"""The ``empower`` command.

The core's own commands live here (``db upgrade``, ``demo``, ``stats``, ``targeting`` from
:mod:`empower.cli_targeting`, plus ``import`` and ``export`` from :mod:`empower.io`). The
panel's and the reports' commands are found through the ``empower.cli`` entry-point group, so
the core never imports them; when an extra is not installed its command says how to get it.

Every error a user can cause is printed as one line on standard error with a non-zero exit
status, never as a traceback.
"""

from __future__ import annotations

import sys
from datetime import date
from importlib.metadata import entry_points
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from empower.config import Settings
from empower.db import Database, connect
from empower.errors import EmpowerError
from empower.text import echo, escape

__all__ = ["app", "main"]

app = typer.Typer(
    name="empower",
    help="Run women's economic empowerment programs: registry, grants, surveys, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _add_targeting() -> None:
    # Its module imports the services only inside each command, so this costs nothing.
    from empower.cli_targeting import app as targeting_app

    app.add_typer(targeting_app, name="targeting")


_add_targeting()

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def open_database(settings: Settings | None = None) -> Database:
    """The database named by ``EMPOWER_DATABASE_URL`` (the embedded SQLite file by default)."""
    settings = settings or Settings()
    return connect(settings.database_url, rules=settings.rules(),
                   busy_timeout=settings.sqlite_busy_timeout)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema and load Morocco's regions and provinces (safe to rerun)."""
    db = open_database()
    db.upgrade()
    out.print(f"Database ready: {db.url}")


@app.command()
def demo(
    beneficiaries: Annotated[int, typer.Option(min=1, help="How many women to register.")] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 7,
    as_of: Annotated[str | None, typer.Option(help="Last day of the history (YYYY-MM-DD); "
                                                   "default today.")] = None,
) -> None:
    """Fill an empty database with about two years of realistic program data."""
    from empower.demo import generate

    day = _parse_day(as_of, "as-of") if as_of else None
    db = open_database()
    db.upgrade()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("registering beneficiaries", total=beneficiaries)

        def step(stage: str, n: int) -> None:
            if stage == "beneficiaries":
                bar.advance(task, n)
            else:
                bar.update(task, description=f"writing {stage}")

        summary = generate(db, beneficiaries=beneficiaries, seed=seed, as_of=day, progress=step)
        bar.update(task, description="done")
    table = Table(title=f"Demo data up to {summary.as_of.isoformat()} (seed {seed})")
    table.add_column("records")
    table.add_column("count", justify="right")
    for entity, count in summary.counts.items():
        table.add_row(entity, f"{count:,}")
    out.print(table)


@app.command()
def stats() -> None:
    """Counts per entity, for a quick look at a database."""
    from empower.queries import entity_counts

    db = open_database()
    with db.unit_of_work(readonly=True) as uow:
        counts = entity_counts(uow)
    table = Table(title=f"{db.url}")
    table.add_column("entity")
    table.add_column("count", justify="right")
    for entity, count in counts.items():
        table.add_row(entity, f"{count:,}")
    out.print(table)


def _parse_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD)", param_hint=f"--{name}") \
            from exc


def _missing_extra(name: str, extra: str, exc: Exception) -> typer.Typer:
    stub = typer.Typer(help=f"(not installed: pip install 'empower[{extra}]')")

    @stub.callback(invoke_without_command=True)
    def unavailable() -> None:
        err.print(f"error: 'empower {name}' needs the {extra} extra: pip install "
                  f"'empower[{extra}]' ({exc})")
        raise typer.Exit(2)

    return stub


_io_loaded = False
_mounted: set[str] = set()


_PLUGIN_HELP = {
    "admin": "The admin panel: serve it, create accounts.",
    "report": "Monthly KPI reports (xlsx, html, pdf, json).",
    "privacy": "Law 09-08 requests: her subject file (pdf, json).",
}


def _load_plugins(argv: list[str]) -> None:
    """Mount import/export, and the entry-point commands.

    Only the command being run is imported (the panel pulls in a web stack that takes seconds
    to import); the others are listed by name for ``--help``.
    """
    global _io_loaded
    if not _io_loaded:
        _io_loaded = True
        try:
            from empower.io.cli import register
        except ImportError:  # the importer is part of the core; only missing while it is written
            pass
        else:
            register(app)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for ep in entry_points(group="empower.cli"):
        if ep.name in _mounted:
            continue
        if ep.name != wanted:
            _mount(ep.name, typer.Typer(help=_PLUGIN_HELP.get(ep.name)))
            continue
        try:
            sub = ep.load()
        except ImportError as exc:
            sub = _missing_extra(ep.name, "admin" if ep.name == "admin" else "reports", exc)
        _mount(ep.name, sub)
        _mounted.add(ep.name)


def _mount(name: str, sub: typer.Typer) -> None:
    app.registered_groups = [g for g in app.registered_groups if g.name != name]
    app.add_typer(sub, name=name)


def _database_message(exc: SQLAlchemyError) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if "no such table" in detail or "does not exist" in detail and "relation" in detail:
        return f"error: the database has no empower schema yet; run 'empower db upgrade' ({detail})"
    return f"error: database: {detail}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``empower`` command; returns (and exits with) the status."""
    args = sys.argv[1:] if argv is None else argv
    _load_plugins(args)
    command = typer.main.get_command(app)
    try:
        # Standalone mode: usage errors print their message and exit 2 the usual way.
        command.main(args=args, prog_name="empower", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except EmpowerError as exc:
        # One line whatever the terminal width, so scripts can grep it; plain text (a value
        # may hold [brackets], which rich would read as markup), with what cannot be seen
        # written as codes (the error echoes its value short already).
        err.print(f"error: {escape(exc.message)}", markup=False, soft_wrap=True)
        code = 1
    except SQLAlchemyError as exc:
        err.print(escape(_database_message(exc)), markup=False)
        code = 1
    except (OSError, UnicodeError) as exc:
        err.print(f"error: {echo(str(exc), 300)}", markup=False)
        code = 2
    except KeyboardInterrupt:
        err.print("interrupted")
        code = 130
    if argv is None:
        sys.exit(code)
    return code
