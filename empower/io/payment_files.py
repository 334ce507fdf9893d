"""The files of a payment run: what goes to the paying institution, and what comes back.

:func:`payment_file` writes an approved batch as the channel's file, French headers, one line
per instruction, with the payee as she was when the batch was built (so exporting a batch again
gives the same file):

- ``bank_transfer``: Référence, RIB, Nom du bénéficiaire, Montant (MAD), Libellé;
- ``cash_out``: Référence, CIN, Nom du bénéficiaire, Téléphone, Montant (MAD);
- ``mobile_money``: Référence, Téléphone, Nom du bénéficiaire, Montant (MAD).

The pseudonymised variant leaves the names out and keeps what the channel pays with (RIB, CIN
and phone, phone). Every text cell passes :func:`empower.io.safety.neutralise`, so a name such
as ``=HYPERLINK(...)`` cannot run in the spreadsheet of whoever opens the file. CSV files are
UTF-8 with a BOM and ``;`` between cells (what a French-language Excel opens as columns).

:func:`write_payment_file` writes it and marks an approved batch sent in the same transaction;
:func:`read_return_file` reads the provider's return file (CSV or XLSX, French or English
headers, French and Arabic status labels) as :class:`~empower.schemas.ReturnLine` objects for
:func:`empower.services.payment_runs.reconcile_batch`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from empower.db import Database, UnitOfWork
from empower.errors import (
    EmpowerError,
    InvalidInput,
    InvalidTransition,
    LineProblem,
    ReturnRefused,
)
from empower.io.importing.cells import a_date, choice, clean, text
from empower.io.importing.columns import Column, Kind
from empower.io.importing.headers import map_headers
from empower.io.reading import open_table
from empower.io.safety import neutralise
from empower.models import Grant, PaymentBatch, PaymentInstruction, table_of
from empower.rules import mad
from empower.schemas import ReturnLine, parse_input
from empower.services._common import get, today
from empower.text import clean_text
from empower.vocab import BatchStatus, InstructionStatus, PaymentChannel

__all__ = ["FORMATS", "RETURN_FILE", "ExportedFile", "payment_columns", "payment_file",
           "read_return_file", "write_payment_file"]

FORMATS = ("csv", "xlsx")

# Column keys and their French headers, per channel. "Libellé" (not "Motif") names the
# transfer's wording on her statement: "motif" in a return file is the reason of a failure.
_HEADERS = {"reference": "Référence", "rib": "RIB", "cin": "CIN",
            "name": "Nom du bénéficiaire", "phone": "Téléphone", "amount": "Montant (MAD)",
            "label": "Libellé"}
_CHANNEL_COLUMNS: dict[PaymentChannel, tuple[str, ...]] = {
    PaymentChannel.BANK_TRANSFER: ("reference", "rib", "name", "amount", "label"),
    PaymentChannel.CASH_OUT: ("reference", "cin", "name", "phone", "amount"),
    PaymentChannel.MOBILE_MONEY: ("reference", "phone", "name", "amount"),
}
# The batch statuses whose file may be written: approved (writing it sends the batch) and
# every later one (the same file again).
_EXPORTABLE = (BatchStatus.APPROVED, BatchStatus.SENT, BatchStatus.RECONCILED,
               BatchStatus.CLOSED)
# Fixed timestamps inside an XLSX (document properties, zip entries), so the same batch gives
# the same bytes whenever it is exported.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ExportedFile:
    """What :func:`write_payment_file` wrote."""

    reference: str
    channel: PaymentChannel
    path: Path
    lines: int
    total_centimes: int
    # True when this export sent the batch (it was approved); False for a file written again.
    marked_sent: bool


def payment_columns(channel: PaymentChannel | str, *, pseudonymised: bool = False) -> list[str]:
    """The French headers of a channel's file (without the name when pseudonymised)."""
    keys = _CHANNEL_COLUMNS[PaymentChannel(channel)]
    return [_HEADERS[k] for k in keys if not (pseudonymised and k == "name")]


def _check_exportable(batch: PaymentBatch) -> None:
    if batch.status not in _EXPORTABLE:
        raise InvalidTransition(
            f"batch {batch.reference} is {batch.status.value}; its payment file is written once "
            f"it is approved (by a second person)", code="payment.file_not_approved",
            params={"reference": batch.reference, "status": batch.status.value},
            field="status")


def _lines(uow: UnitOfWork, batch: PaymentBatch, pseudonymised: bool) -> list[list[Any]]:
    keys = [k for k in _CHANNEL_COLUMNS[batch.channel] if not (pseudonymised and k == "name")]
    # Columns, not ORM objects: a national batch has tens of thousands of lines.
    t = table_of(PaymentInstruction)
    rows = uow.session.execute(
        select(t.c.reference, t.c.payee_rib, t.c.payee_cin, t.c.payee_name, t.c.payee_phone,
               t.c.amount_centimes, t.c.tranche_number, Grant.reference.label("grant_reference"))
        .join(Grant, Grant.id == t.c.grant_id)
        .where(t.c.batch_id == batch.id, t.c.status != InstructionStatus.CANCELLED)
        .order_by(t.c.reference))
    out: list[list[Any]] = []
    for ins in rows:
        grant_reference = ins.grant_reference
        values = {"reference": ins.reference, "rib": ins.payee_rib, "cin": ins.payee_cin,
                  "name": ins.payee_name, "phone": ins.payee_phone,
                  "amount": mad(ins.amount_centimes),
                  "label": f"Subvention {grant_reference} tranche {ins.tranche_number}"}
        out.append([values[k] for k in keys])
    return out


def payment_file(uow: UnitOfWork, batch_id: int, *, fmt: str = "csv",
                 pseudonymised: bool = False) -> bytes:
    """The channel's file of a batch, as bytes (``fmt`` ``"csv"`` or ``"xlsx"``).

    Writes nothing to the database. Raises :class:`NotFound` (batch),
    :class:`InvalidTransition` ``payment.file_not_approved`` for a draft or a cancelled batch
    (approve it first), :class:`InvalidInput` ``payment.file_format`` for another format.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"format: '{fmt}' is not one of csv, xlsx", code="payment.file_format",
                           params={"value": str(fmt)}, field="format", value=fmt)
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch")
    _check_exportable(batch)
    headers = payment_columns(batch.channel, pseudonymised=pseudonymised)
    rows = _lines(uow, batch, pseudonymised)
    if fmt == "csv":
        return _csv(headers, rows)
    return _xlsx(batch, headers, rows)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(neutralise(str(value)))


def _csv(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
    # UTF-8 with a BOM: Excel then shows Arabic and accented names as they are.
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(batch: PaymentBatch, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    stamp = datetime.combine(batch.approved_on or batch.planned_on, datetime.min.time())
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "empower"
    ws = wb.create_sheet(batch.reference[:31])
    widths = {"RIB": 28, "Libellé": 40, "Nom du bénéficiaire": 32}
    for i, name in enumerate(headers):
        from openpyxl.utils import get_column_letter

        ws.column_dimensions[get_column_letter(i + 1)].width = widths.get(name, 18)
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, Decimal):
                # A number the bank's sheet can add up, shown with its two decimals.
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "0.00"
                cells.append(cell)
            else:
                # RIB, CIN and phone stay text (a 24-digit number would lose its digits).
                cells.append(None if value is None else neutralise(str(value)))
        ws.append(cells)
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same archive with fixed timestamps: openpyxl stamps the zip entries and the
    document's "modified" property with the clock when it saves."""
    out = io.BytesIO()
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(lambda m: m[1] + when + m[2], body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


def write_payment_file(db_or_uow: Database | UnitOfWork, batch_id: int, path: str | Path, *,
                       actor: str, pseudonymised: bool = False) -> ExportedFile:
    """Write a batch's payment file to ``path`` (``.csv`` or ``.xlsx``) and, when the batch is
    approved, record that it was sent today (:func:`~empower.services.payment_runs.send_batch`)
    in the same transaction. A batch already sent gives the same file again and stays as it is.

    With a :class:`Database` the transaction is opened and committed here (and rolled back if
    the file cannot be written); with a :class:`UnitOfWork` the caller commits. The file is
    written through a temporary file beside it, so a failed write leaves no half file.

    Raises :class:`InvalidInput` ``export.file_suffix`` (another extension), what
    :func:`payment_file` and ``send_batch`` raise, and ``OSError`` when the file cannot be
    written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(f"file: '{path.name}' must end in .csv or .xlsx",
                           code="export.file_suffix", params={"name": path.name}, field="file",
                           value=str(path))
    if isinstance(db_or_uow, Database):
        with db_or_uow.unit_of_work() as uow:
            done = _write(uow, batch_id, path, suffix[1:], actor, pseudonymised)
            uow.commit()
        return done
    return _write(db_or_uow, batch_id, path, suffix[1:], actor, pseudonymised)


def _write(uow: UnitOfWork, batch_id: int, path: Path, fmt: str, actor: str,
           pseudonymised: bool) -> ExportedFile:
    from empower.services.payment_runs import send_batch

    batch = get(uow, PaymentBatch, batch_id, what="payment_batch", lock=True)
    _check_exportable(batch)
    marked = batch.status == BatchStatus.APPROVED
    if marked:
        send_batch(uow, batch.id, on=today(), actor=actor)
    data = payment_file(uow, batch.id, fmt=fmt, pseudonymised=pseudonymised)
    count, total = uow.session.execute(
        select(func.count(), func.coalesce(func.sum(PaymentInstruction.amount_centimes), 0))
        .where(PaymentInstruction.batch_id == batch.id,
               PaymentInstruction.status != InstructionStatus.CANCELLED)).one()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportedFile(batch.reference, batch.channel, path, count, total, marked)


# ----------------------------------------------------------------------------- return files

def _text_cell(raw: Any, col: str) -> str:
    return text(raw, col).strip()


RETURN_FILE = Kind("payment_return", (
    Column("reference", _text_cell, "the line's reference, as in the payment file",
           ("référence", "ref", "référence paiement", "référence de paiement",
            "référence du paiement", "référence de l'ordre", "référence ordre", "payment reference",
            "المرجع"), required=True),
    Column("status", choice(InstructionStatus),
           "paid, failed or returned (payé, échec, retourné, non retiré, مدفوع, فشل, مرتجع...)",
           ("statut", "état", "résultat", "statut du paiement", "état du paiement", "outcome",
            "الحالة"), required=True,
           allowed="paid, failed, returned"),
    Column("paid_on", a_date, "payment date (YYYY-MM-DD or dd/mm/yyyy); required for a paid line",
           ("date de paiement", "date paiement", "payé le", "payée le", "date de retrait",
            "date d'exécution", "date de versement", "date", "payment date", "تاريخ الأداء")),
    Column("provider_reference", _text_cell, "the provider's own reference of the payment",
           ("référence prestataire", "référence du prestataire", "ref prestataire",
            "référence banque", "référence de la banque", "n° transaction",
            "numéro de transaction", "transaction", "provider reference", "مرجع المؤسسة")),
    Column("reason", _text_cell, "why a line failed or was returned",
           ("motif", "raison", "motif de rejet", "motif d'échec", "motif du rejet",
            "cause", "commentaire", "observation", "failure reason", "السبب")),
), key=("reference",))


def read_return_file(path: str | Path) -> list[ReturnLine]:
    """The lines of a provider's return file (CSV with any separator and encoding the importer
    reads, or XLSX), in file order; blank rows are skipped, other columns ignored.

    Line numbers are the file's (the header is line 1). Raises
    :class:`~empower.io.reading.FileRejected` when the file cannot be read or lacks the
    reference or status column, and :class:`ReturnRefused` ``payment.return_cells_invalid``
    listing every cell that cannot be read (its line, column, value and why).
    """
    path = Path(path)
    lines: list[ReturnLine] = []
    problems: list[LineProblem] = []
    with open_table(path) as table:
        positions, labels, _ignored = map_headers(RETURN_FILE, table.headers, path.name)
        width = len(table.headers)
        for number, cells in table.rows:
            if not any(clean(c) is not None for c in cells):
                continue
            if len(cells) > width and any(clean(c) is not None for c in cells[width:]):
                problems.append(LineProblem(
                    number, None, None,
                    f"line {number}: the row has {len(cells)} cells but the header has {width}",
                    "import.row_too_wide", {"line": number, "cells": len(cells),
                                            "width": width}))
                continue
            values: dict[str, Any] = {"line": number}
            bad = False
            for pos, col in positions:
                label = labels[col.name]
                cell = clean(cells[pos]) if pos < len(cells) else None
                try:
                    if isinstance(cell, str) and not cell.isprintable():
                        cell = clean_text(cell, field=label).strip() or None
                    values[col.name] = None if cell is None else col.parse(cell, label)
                except EmpowerError as exc:
                    problems.append(_cell_problem(number, col.name, cell, exc))
                    bad = True
            if bad:
                continue
            try:
                lines.append(parse_input(ReturnLine, values))
            except InvalidInput as exc:
                field = exc.field if exc.field in labels else None
                problems.append(_cell_problem(number, field or "", exc.value, exc))
    if problems:
        shown = ", ".join(str(p.line) for p in problems[:10])
        raise ReturnRefused(f"{path.name}: {len(problems)} cell(s) cannot be read (lines "
                            f"{shown}); nothing was recorded", problems=problems,
                            code="payment.return_cells_invalid",
                            params={"name": path.name, "count": len(problems), "lines": shown})
    return lines


def _cell_problem(number: int, field: str, value: Any, exc: EmpowerError) -> LineProblem:
    return LineProblem(number, field or None, value, f"line {number}: {exc.message}", exc.code,
                       {**exc.params, "line": number})
