"""``empower payments ...``: payment runs on the command line (build, approve, export,
reconcile, cancel, close, list), mounted by :func:`empower.io.cli.register`.

BATCH is the batch's reference (``PAY-AWAL-20240401-01``). The actor of a write is
``user:NAME`` with ``--as NAME``, else ``cli:<system user>`` (as ``empower report --freeze``);
``approve`` needs ``--as``: a batch is signed off by a panel account in an approving role, and
the core checks it. Lines are in ``--lang`` (default ``EMPOWER_DEFAULT_LANGUAGE``, French).
Exit status: 0 done (also a build with nothing due), 1 refused (every problem line of a return
file is listed), 2 a file that cannot be read or a bad option.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from empower.errors import EmpowerError, NotFound, ReturnRefused
from empower.messages import LANGUAGES, describe, render
from empower.text import escape

__all__ = ["app"]

app = typer.Typer(help="Payment runs: build a batch, approve it (a second person), export the "
                       "provider's file, reconcile its return.", no_args_is_help=True)

_AS = typer.Option("--as", help="who does it: a panel account's username (actor user:NAME); "
                                "default cli:<system user>")
_LANG = typer.Option("--lang", help="language of the lines: fr, ar or en "
                                    "(default EMPOWER_DEFAULT_LANGUAGE)")


def _out() -> Console:
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


def _say(console: Console, text: str) -> None:
    console.print(escape(text), markup=False, soft_wrap=True)


def _line(code: str, lang: str, english: str, **params: Any) -> str:
    return render(code, params, lang, default=english, sentence=False)


def _lang(lang: str | None) -> str:
    from empower.config import Settings

    chosen = lang or Settings().default_language or "fr"
    if chosen not in LANGUAGES:
        raise typer.BadParameter(f"'{chosen}' is not one of {', '.join(LANGUAGES)}",
                                 param_hint="--lang")
    return chosen


def _actor(name: str | None) -> str:
    if name is not None and name.strip():
        return f"user:{name.strip()}"
    return f"cli:{getpass.getuser()}"


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from empower.io.importing.cells import a_date

    try:
        return a_date(text.strip(), option)
    except EmpowerError as exc:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD or dd/mm/yyyy)",
                                 param_hint=f"--{option}") from exc


def _money(centimes: int, lang: str) -> str:
    from empower.rules import mad

    return render("payments.cli.amount", {"amount": mad(centimes)}, lang,
                  default=f"{centimes / 100:,.2f} MAD", sentence=False)


@contextmanager
def _database() -> Iterator[Any]:
    from empower.config import Settings
    from empower.db import connect

    settings = Settings()
    db = connect(settings.database_url, rules=settings.rules(),
                 busy_timeout=settings.sqlite_busy_timeout)
    try:
        yield db
    finally:
        db.dispose()


def _error_line(exc: EmpowerError, lang: str) -> str:
    message = describe(exc, lang, sentence=False)
    return _line("import.cli.error", lang, f"error: {message}", message=message)


@contextmanager
def _refusals(lang: str) -> Iterator[None]:
    """Print a refusal in ``lang`` as one line (every line of a refused return file) and exit
    1, or 2 for a file that cannot be read at all."""
    from empower.io.reading import FileRejected

    try:
        yield
    except ReturnRefused as exc:
        err = _err()
        _say(err, _error_line(exc, lang))
        table = Table(title=_line("payments.cli.problem_lines", lang, "Refused lines"),
                      title_justify="left")
        for name in ("line", "column", "value", "reason"):
            table.add_column(_line(f"import.cli.{name}", lang, name), overflow="fold")
        for p in exc.problems:
            reason = render(p.code, p.params, lang, default=p.message)
            table.add_row(*(Text(escape(str(v))) for v in (
                p.line, p.field or "", "" if p.value is None else p.value, reason)))
        err.print(table)
        raise typer.Exit(1) from None
    except FileRejected as exc:
        _say(_err(), _error_line(exc, lang))
        raise typer.Exit(2) from None
    except EmpowerError as exc:
        _say(_err(), _error_line(exc, lang))
        raise typer.Exit(1) from None


def _batch_id(uow: Any, reference: str) -> int:
    from empower.models import PaymentBatch

    ref = reference.strip()
    found = uow.session.scalar(select(PaymentBatch.id).where(
        func.upper(PaymentBatch.reference) == ref.upper()))
    if found is None:
        raise NotFound(f"batch '{ref}' does not exist", code="payment.batch_unknown",
                       params={"reference": ref}, field="batch", value=ref)
    return int(found)


def _status_word(value: str, lang: str) -> str:
    return _line(f"payments.cli.status_{value}", lang, value)


@app.command("build")
def build(
    program: Annotated[str, typer.Option("--program", help="the program's code")],
    channel: Annotated[str, typer.Option("--channel", help="bank_transfer, cash_out or "
                                                           "mobile_money")],
    region: Annotated[str | None, typer.Option("--region", help="only this region's "
                                                                "recipients (HCP code)")] = None,
    on: Annotated[str | None, typer.Option("--on", help="the batch's date (default today): "
                                                        "tranche conditions hold as of it")] = None,
    provider: Annotated[str | None, typer.Option("--provider", help="the paying institution "
                                                                    "(e.g. Barid Cash)")] = None,
    who: Annotated[str | None, _AS] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """Build a draft batch of the program's grants whose next tranche is due; say, grant by
    grant, why any was left out."""
    import empower
    from empower.schemas import BatchCreate, parse_input
    from empower.services._common import program_by_code, today

    language = _lang(lang)
    day = _day(on, "on") or today()
    out = _out()
    with _refusals(language), _database() as db, db.unit_of_work() as uow:
        prog = program_by_code(uow, program)
        code = prog.code
        data = parse_input(BatchCreate, {"program_id": prog.id, "channel": channel,
                                         "planned_on": day, "region_code": region,
                                         "provider": provider})
        built = empower.build_batch(uow, data, actor=_actor(who))
        reference = built.batch.reference if built.batch is not None else None
        uow.commit()
    if reference is not None:
        _say(out, _line("payments.cli.built", language,
                        f"Batch {reference} built (draft): {built.instructions:,} payments, "
                        f"{_money(built.total_centimes, language)}", reference=reference,
                        count=built.instructions, total=_money(built.total_centimes, language)))
    else:
        _say(out, _line("payments.cli.nothing_due", language,
                        f"No batch: no grant of {code} is due on {day.isoformat()} for this "
                        f"channel", program=code, on=day))
    if built.left_out:
        table = Table(title=_line("payments.cli.left_out", language,
                                  f"Left out ({len(built.left_out):,})",
                                  count=len(built.left_out)), title_justify="left")
        table.add_column(_line("payments.cli.grant", language, "grant"), overflow="fold")
        table.add_column(_line("import.cli.reason", language, "reason"), overflow="fold")
        for lo in built.left_out:
            table.add_row(Text(escape(lo.grant_reference)),
                          Text(escape(render(lo.code, lo.params, language, default=lo.message))))
        out.print(table)
    if reference is not None:
        _say(out, _line("payments.cli.next_approve", language,
                        f"Next: empower payments approve {reference} --as <approver>",
                        reference=reference))


@app.command("approve")
def approve(
    batch: Annotated[str, typer.Argument(help="the batch's reference")],
    who: Annotated[str, typer.Option("--as", help="the approving panel account's username "
                                                  "(not the batch's builder)")],
    on: Annotated[str | None, typer.Option("--on", help="approval date (default today)")] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """Sign a draft batch off: the second person on money."""
    import empower
    from empower.services._common import today

    language = _lang(lang)
    day = _day(on, "on") or today()
    with _refusals(language), _database() as db, db.unit_of_work() as uow:
        done = empower.approve_batch(uow, _batch_id(uow, batch), on=day, actor=_actor(who))
        reference, approver = done.reference, done.approved_by
        uow.commit()
    _say(_out(), _line("payments.cli.approved", language,
                       f"Batch {reference} approved by {approver} on {day.isoformat()}",
                       reference=reference, actor=approver, on=day))


@app.command("export")
def export(
    batch: Annotated[str, typer.Argument(help="the batch's reference")],
    file: Annotated[Path, typer.Argument(help="output file, .csv or .xlsx")],
    pseudonymised: Annotated[bool, typer.Option(
        "--pseudonymised", "--pseudonymized",
        help="leave the names out (keep the RIB, CIN or phone the channel pays with)")] = False,
    who: Annotated[str | None, _AS] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """Write the batch's file for the paying institution; an approved batch is then sent."""
    from empower.io.payment_files import write_payment_file

    language = _lang(lang)
    with _refusals(language), _database() as db:
        with db.unit_of_work(readonly=True) as uow:
            batch_id = _batch_id(uow, batch)
        done = write_payment_file(db, batch_id, file, actor=_actor(who),
                                  pseudonymised=pseudonymised)
    _say(_out(), _line("payments.cli.exported", language,
                       f"{done.lines:,} payments ({_money(done.total_centimes, language)}) of "
                       f"batch {done.reference} written to {file}",
                       count=done.lines, total=_money(done.total_centimes, language),
                       reference=done.reference, path=str(file))
         + ("; " + _line("payments.cli.marked_sent", language, "the batch is now sent")
            if done.marked_sent else ""))


@app.command("reconcile")
def reconcile(
    batch: Annotated[str, typer.Argument(help="the batch's reference")],
    return_file: Annotated[Path, typer.Argument(help="the provider's return file, CSV or XLSX")],
    who: Annotated[str | None, _AS] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """Apply the provider's return file: paid lines become tranches, failed and returned lines
    release their money; the same file twice changes nothing."""
    import empower
    from empower.io.payment_files import read_return_file

    language = _lang(lang)
    with _refusals(language):
        lines = read_return_file(return_file)
        with _database() as db, db.unit_of_work() as uow:
            result = empower.reconcile_batch(uow, _batch_id(uow, batch), lines,
                                             actor=_actor(who))
            uow.commit()
    out = _out()
    _say(out, _line("payments.cli.reconciled", language,
                    f"{len(lines):,} lines read: {result.paid:,} paid "
                    f"({_money(result.paid_centimes, language)}), {result.failed:,} failed, "
                    f"{result.returned:,} returned, {result.unchanged:,} unchanged, "
                    f"{result.duplicates:,} repeated", rows=len(lines), paid=result.paid,
                    amount=_money(result.paid_centimes, language), failed=result.failed,
                    returned=result.returned, unchanged=result.unchanged,
                    repeated=result.duplicates))
    if result.still_sent:
        _say(out, _line("payments.cli.still_sent", language,
                        f"{result.still_sent:,} payments still await the provider's answer",
                        count=result.still_sent))


@app.command("cancel")
def cancel(
    batch: Annotated[str, typer.Argument(help="the batch's reference (a draft)")],
    reason: Annotated[str | None, typer.Option("--reason", help="why, for the log")] = None,
    who: Annotated[str | None, _AS] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """Cancel a draft batch: its grants get back what it held."""
    import empower
    from empower.services._common import today

    language = _lang(lang)
    with _refusals(language), _database() as db, db.unit_of_work() as uow:
        done = empower.cancel_batch(uow, _batch_id(uow, batch), on=today(), actor=_actor(who),
                                    reason=reason)
        reference = done.reference
        uow.commit()
    _say(_out(), _line("payments.cli.cancelled", language, f"Batch {reference} cancelled",
                       reference=reference))


@app.command("close")
def close(
    batch: Annotated[str, typer.Argument(help="the batch's reference (reconciled)")],
    who: Annotated[str | None, _AS] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """Close a reconciled batch: nothing more will come back for it."""
    import empower
    from empower.services._common import today

    language = _lang(lang)
    with _refusals(language), _database() as db, db.unit_of_work() as uow:
        done = empower.close_batch(uow, _batch_id(uow, batch), on=today(), actor=_actor(who))
        reference = done.reference
        uow.commit()
    _say(_out(), _line("payments.cli.closed", language, f"Batch {reference} closed",
                       reference=reference))


@app.command("list")
def list_batches(
    program: Annotated[str | None, typer.Option("--program", help="only this program's "
                                                                  "batches")] = None,
    lang: Annotated[str | None, _LANG] = None,
) -> None:
    """The batches, newest first, with their status, count and total."""
    from empower.models import PaymentBatch, PaymentInstruction, Program
    from empower.services._common import program_by_code
    from empower.vocab import InstructionStatus

    language = _lang(lang)
    with _refusals(language), _database() as db, db.unit_of_work(readonly=True) as uow:
        stmt = (select(PaymentBatch.reference, Program.code, PaymentBatch.channel,
                       PaymentBatch.planned_on, PaymentBatch.status,
                       func.count(PaymentInstruction.id),
                       func.coalesce(func.sum(PaymentInstruction.amount_centimes), 0))
                .join(Program, Program.id == PaymentBatch.program_id)
                .outerjoin(PaymentInstruction,
                           (PaymentInstruction.batch_id == PaymentBatch.id)
                           & (PaymentInstruction.status != InstructionStatus.CANCELLED))
                .group_by(PaymentBatch.id, PaymentBatch.reference, Program.code,
                          PaymentBatch.channel, PaymentBatch.planned_on, PaymentBatch.status)
                .order_by(PaymentBatch.planned_on.desc(), PaymentBatch.reference.desc()))
        if program is not None:
            stmt = stmt.where(PaymentBatch.program_id == program_by_code(uow, program).id)
        rows = uow.session.execute(stmt).all()
    out = _out()
    if not rows:
        _say(out, _line("payments.cli.no_batch", language, "No payment batch yet"))
        return
    table = Table(title_justify="left")
    for code, english in (("batch", "batch"), ("program", "program"), ("channel", "channel"),
                          ("date", "date"), ("status", "status"), ("count", "payments"),
                          ("total", "total")):
        table.add_column(_line(f"payments.cli.col_{code}", language, english),
                         justify="right" if code in ("count", "total") else "left")
    for ref, code, chan, planned, status, count, total in rows:
        table.add_row(Text(escape(ref)), Text(escape(code)), chan.value, planned.isoformat(),
                      _status_word(status.value, language), f"{count:,}",
                      _money(int(total), language))
    out.print(table)
