"""``empower payments``: a month's payment run from the command line.

    empower payments build --program CODE --channel CHANNEL [--region R] [--on DATE] [--as USER]
    empower payments approve BATCH --as USERNAME [--on DATE]
    empower payments export BATCH FILE [--pseudonymised]
    empower payments reconcile BATCH RETURN_FILE [--on DATE]
    empower payments cancel BATCH [--reason TEXT] | close BATCH | list [--program CODE]

The actor of a write is ``user:<USER>`` with ``--as`` (an approval needs it: the core checks
the account's role and that it is not the builder's), else ``cli:<login>`` of the shell.
Errors are one line on standard error (:func:`empower.cli.main`); a refused return file lists
every line it refuses, and nothing of it is recorded.
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from empower.db import Database
from empower.text import escape

__all__ = ["app"]

app = typer.Typer(help="Payment runs: build a batch, approve it, export its file, reconcile "
                       "the provider's return.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

_AS = typer.Option("--as", help="your panel account (user name): the actor of the write")
_ON = typer.Option(help="the business date (YYYY-MM-DD); default today")


def _actor(username: str | None) -> str:
    if username:
        return f"user:{username.strip()}"
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return f"cli:{login}"


def _day(raw: str | None) -> date:
    from empower.services._common import today

    if raw is None:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        err.print(escape(f"error: '{raw}' is not a date (YYYY-MM-DD)"), markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _db() -> Database:
    from empower.cli import open_database

    return open_database()


def _mad(centimes: int) -> str:
    from empower.rules import mad

    return f"{mad(centimes):,.2f} MAD".replace(",", " ")


@app.command()
def build(program: Annotated[str, typer.Option(help="the program's code")],
          channel: Annotated[str, typer.Option(help="bank_transfer (virement), cash_out "
                                                    "(mise à disposition) or mobile_money")],
          region: Annotated[str | None, typer.Option(help="only this region's recipients "
                                                          "(HCP code 01-12)")] = None,
          on: Annotated[str | None, _ON] = None,
          provider: Annotated[str | None, typer.Option(help="the paying institution")] = None,
          username: Annotated[str | None, _AS] = None) -> None:
    """Build a draft batch of the grants whose next tranche is due; say why any was left out."""
    from empower.schemas import BatchCreate
    from empower.services._common import program_by_code
    from empower.services.payment_runs import build_batch

    db = _db()
    try:
        with db.unit_of_work() as uow:
            prog = program_by_code(uow, program)
            built = build_batch(uow, BatchCreate(program_id=prog.id, channel=channel,
                                                 planned_on=_day(on), region_code=region,
                                                 provider=provider), actor=_actor(username))
            uow.commit()
            if built.batch is None:
                out.print(f"No batch: no grant of {escape(prog.code)} is due for payment.",
                          markup=False, soft_wrap=True)
            else:
                out.print(f"Batch {escape(built.batch.reference)} (draft): "
                          f"{built.instructions} line(s), {_mad(built.total_centimes)}. "
                          f"Someone else approves it: empower payments approve "
                          f"{escape(built.batch.reference)} --as USER", markup=False, soft_wrap=True)
            if built.left_out:
                table = Table(title=f"Left out ({len(built.left_out)})")
                table.add_column("grant")
                table.add_column("why")
                for lo in built.left_out:
                    table.add_row(escape(lo.grant_reference), escape(lo.message))
                out.print(table)
    finally:
        db.dispose()


@app.command()
def approve(batch: Annotated[str, typer.Argument(help="the batch's reference")],
            username: Annotated[str, _AS],
            on: Annotated[str | None, _ON] = None) -> None:
    """Sign a draft batch off: someone other than its builder, in an approving role."""
    from empower.io.payment_files import batch_by_reference
    from empower.services.payment_runs import approve_batch

    db = _db()
    try:
        with db.unit_of_work() as uow:
            found = batch_by_reference(uow, batch)
            approve_batch(uow, found.id, on=_day(on), actor=_actor(username))
            uow.commit()
            out.print(f"Batch {escape(found.reference)} approved by {escape(username)}.",
                      markup=False, soft_wrap=True)
    finally:
        db.dispose()


@app.command()
def export(batch: Annotated[str, typer.Argument(help="the batch's reference")],
           file: Annotated[Path, typer.Argument(help="the provider's file (.csv or .xlsx)")],
           pseudonymised: Annotated[bool, typer.Option(
               help="leave the names out (for a provider that pays on RIB, CIN or phone "
                    "alone)")] = False,
           on: Annotated[str | None, _ON] = None,
           username: Annotated[str | None, _AS] = None) -> None:
    """Write the batch's file for its paying institution; an approved batch is then sent."""
    from empower.io.payment_files import write_payment_file

    db = _db()
    try:
        lines = write_payment_file(db, batch, file, actor=_actor(username),
                                   pseudonymised=pseudonymised, on=_day(on))
        out.print(f"{lines} line(s) written to {escape(str(file))}; batch "
                  f"{escape(batch)} is sent.", markup=False, soft_wrap=True)
    finally:
        db.dispose()


@app.command()
def reconcile(batch: Annotated[str, typer.Argument(help="the batch's reference")],
              return_file: Annotated[Path, typer.Argument(help="the provider's return file")],
              on: Annotated[str | None, _ON] = None,
              username: Annotated[str | None, _AS] = None) -> None:
    """Apply the provider's return file: paid lines become tranches, failed ones free their
    money. The same file twice changes nothing; a contradicting file is refused whole."""
    from empower.errors import ReturnRefused
    from empower.io.payment_files import batch_by_reference, read_return_file
    from empower.services.payment_runs import reconcile_batch

    db = _db()
    try:
        try:
            lines = read_return_file(return_file)
            with db.unit_of_work() as uow:
                found = batch_by_reference(uow, batch)
                result = reconcile_batch(uow, found.id, lines, actor=_actor(username),
                                         on=_day(on))
                uow.commit()
        except ReturnRefused as exc:
            for problem in exc.problems:
                err.print(escape(f"  {problem.message}"), markup=False, soft_wrap=True)
            raise
        out.print(f"Batch {escape(batch)}: {result.paid} paid ({_mad(result.paid_centimes)}), "
                  f"{result.failed} failed, {result.returned} returned, {result.unchanged} "
                  f"already recorded, {result.duplicates} repeated line(s), {result.still_sent} "
                  f"still awaiting the provider.", markup=False, soft_wrap=True)
    finally:
        db.dispose()


@app.command()
def cancel(batch: Annotated[str, typer.Argument(help="the batch's reference")],
           reason: Annotated[str | None, typer.Option(help="why")] = None,
           on: Annotated[str | None, _ON] = None,
           username: Annotated[str | None, _AS] = None) -> None:
    """Cancel a draft batch; what its lines held goes back to their grants."""
    from empower.io.payment_files import batch_by_reference
    from empower.services.payment_runs import cancel_batch

    db = _db()
    try:
        with db.unit_of_work() as uow:
            found = batch_by_reference(uow, batch)
            cancel_batch(uow, found.id, on=_day(on), actor=_actor(username), reason=reason)
            uow.commit()
        out.print(f"Batch {escape(batch)} cancelled.", markup=False, soft_wrap=True)
    finally:
        db.dispose()


@app.command()
def close(batch: Annotated[str, typer.Argument(help="the batch's reference")],
          on: Annotated[str | None, _ON] = None,
          username: Annotated[str | None, _AS] = None) -> None:
    """Close a reconciled batch."""
    from empower.io.payment_files import batch_by_reference
    from empower.services.payment_runs import close_batch

    db = _db()
    try:
        with db.unit_of_work() as uow:
            found = batch_by_reference(uow, batch)
            close_batch(uow, found.id, on=_day(on), actor=_actor(username))
            uow.commit()
        out.print(f"Batch {escape(batch)} closed.", markup=False, soft_wrap=True)
    finally:
        db.dispose()


@app.command("list")
def list_batches(program: Annotated[str | None, typer.Option(help="one program's code")] = None
                 ) -> None:
    """The batches, newest first, with their status, lines and totals."""
    from sqlalchemy import func, select

    from empower.models import PaymentBatch, PaymentInstruction, Program
    from empower.vocab import InstructionStatus

    db = _db()
    try:
        with db.unit_of_work(readonly=True) as uow:
            stmt = (select(PaymentBatch.reference, Program.code, PaymentBatch.channel,
                           PaymentBatch.status, PaymentBatch.planned_on,
                           func.count(PaymentInstruction.id),
                           func.coalesce(func.sum(PaymentInstruction.amount_centimes), 0))
                    .join(Program, Program.id == PaymentBatch.program_id)
                    .outerjoin(PaymentInstruction,
                               (PaymentInstruction.batch_id == PaymentBatch.id)
                               & (PaymentInstruction.status != InstructionStatus.CANCELLED))
                    .group_by(PaymentBatch.id, PaymentBatch.reference, Program.code,
                              PaymentBatch.channel, PaymentBatch.status, PaymentBatch.planned_on)
                    .order_by(PaymentBatch.id.desc()))
            if program:
                stmt = stmt.where(Program.code == program)
            table = Table()
            for name in ("batch", "program", "channel", "status", "date", "lines", "total"):
                table.add_column(name)
            for ref, code, channel, status, planned, lines, total in uow.session.execute(stmt):
                table.add_row(escape(ref), escape(code), channel.value, status.value,
                              planned.isoformat(), str(lines), _mad(int(total)))
            out.print(table)
    finally:
        db.dispose()
