"""The files of a payment run: the one a batch sends to its paying institution, and the return
file the institution sends back.

The payment file has the columns the channel needs: a transfer file (reference, RIB, name,
amount, motif) for a bank, a cash-out list (reference, CIN, name, phone, amount) for Barid Cash,
Cash Plus or Wafacash, a mobile-money list (reference, phone, name, amount). French headers,
CSV (UTF-8 with BOM, ``;``) or XLSX, every cell neutralised against spreadsheet formulas; the
pseudonymised variant leaves the names out for a provider that pays on the identifier alone.

The return file is read with the importer's reader (any encoding and delimiter it sniffs, or
XLSX) and its header matching (French or English headers); statuses in French or Arabic words
(``payé``, ``échec``, ``non retiré``, ``مدفوع``). A cell that cannot be read refuses the whole
file, naming its line, column and value (:class:`~empower.errors.ReturnRefused`).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from empower import audit
from empower.db import Database, UnitOfWork
from empower.errors import InvalidInput, InvalidTransition, LineProblem, ReturnRefused
from empower.io.importing.cells import a_date, clean, text
from empower.io.importing.headers import header_key
from empower.io.reading import open_table
from empower.io.safety import neutralise
from empower.models import PaymentBatch, PaymentInstruction
from empower.rules import mad
from empower.schemas import ReturnLine
from empower.services._common import get, today
from empower.services.payment_runs import send_batch
from empower.vocab import BatchStatus, InstructionStatus, PaymentChannel, parse_choice

__all__ = ["RETURN_COLUMNS", "batch_by_reference", "payment_file", "payment_rows",
           "read_return_file", "write_payment_file"]

# Per channel: (header, instruction attribute) in the provider's order.
_COLUMNS: dict[PaymentChannel, tuple[tuple[str, str], ...]] = {
    PaymentChannel.BANK_TRANSFER: (("Référence", "reference"), ("RIB", "payee_rib"),
                                   ("Nom du bénéficiaire", "payee_name"),
                                   ("Montant (MAD)", "amount"), ("Motif", "motif")),
    PaymentChannel.CASH_OUT: (("Référence", "reference"), ("CIN", "payee_cin"),
                              ("Nom du bénéficiaire", "payee_name"),
                              ("Téléphone", "payee_phone"), ("Montant (MAD)", "amount")),
    PaymentChannel.MOBILE_MONEY: (("Référence", "reference"), ("Téléphone", "payee_phone"),
                                  ("Nom du bénéficiaire", "payee_name"),
                                  ("Montant (MAD)", "amount")),
}
_NAMES = frozenset({"payee_name"})


def batch_by_reference(uow: UnitOfWork, reference: str) -> PaymentBatch:
    """A payment batch by its reference, or :class:`~empower.errors.NotFound`."""
    from empower.errors import NotFound

    batch = uow.session.scalar(select(PaymentBatch).where(PaymentBatch.reference == reference))
    if batch is None:
        raise NotFound(f"payment batch '{reference}' does not exist", code="payment.unknown_batch",
                       params={"reference": reference}, field="batch", value=reference)
    return batch


def payment_rows(uow: UnitOfWork, batch: PaymentBatch, *,
                 pseudonymised: bool = False) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of a batch's payment file (its lines that are not cancelled).

    Raises :class:`InvalidTransition` ``payment.file_needs_approval`` for a draft or a
    cancelled batch: a file goes out only once a second person has signed the batch off.
    """
    if batch.status in (BatchStatus.DRAFT, BatchStatus.CANCELLED):
        raise InvalidTransition(f"batch {batch.reference} is {batch.status.value}; its file goes "
                                f"to the provider once it is approved",
                                code="payment.file_needs_approval",
                                params={"reference": batch.reference,
                                        "status": batch.status.value}, field="status")
    columns = [(h, a) for h, a in _COLUMNS[batch.channel]
               if not (pseudonymised and a in _NAMES)]
    rows: list[list[Any]] = []
    for ins in uow.session.scalars(
            select(PaymentInstruction).where(PaymentInstruction.batch_id == batch.id,
                                             PaymentInstruction.status != InstructionStatus.CANCELLED)
            .order_by(PaymentInstruction.id)):
        row: list[Any] = []
        for _header, attr in columns:
            if attr == "amount":
                row.append(mad(ins.amount_centimes))
            elif attr == "motif":
                row.append(f"Tranche {ins.tranche_number} {batch.reference}")
            else:
                row.append(getattr(ins, attr))
        rows.append(row)
    return [h for h, _a in columns], rows


def payment_file(uow: UnitOfWork, batch_id: int, *, fmt: str = "csv",
                 pseudonymised: bool = False) -> bytes:
    """A batch's payment file as bytes (``fmt``: ``csv`` or ``xlsx``), nothing recorded.

    Raises :class:`InvalidInput` ``export.file_suffix`` for another format, and what
    :func:`payment_rows` raises.
    """
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch")
    headers, rows = payment_rows(uow, batch, pseudonymised=pseudonymised)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else neutralise(str(v)) for v in row])
        # With a BOM, so that Excel shows Arabic names correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(batch.reference[:31])
        ws.append(headers)
        for row in rows:
            ws.append([neutralise(float(v) if headers[i].startswith("Montant") else v)
                       for i, v in enumerate(row)])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise InvalidInput(f"file: '{fmt}' is not csv or xlsx", code="export.file_suffix",
                       params={"name": fmt}, field="file", value=fmt)


def write_payment_file(db: Database, reference: str, path: str | Path, *, actor: str,
                       pseudonymised: bool = False, on: date | None = None) -> int:
    """Write a batch's payment file to ``path`` (.csv or .xlsx) and, for an approved batch,
    record that it was sent on ``on`` (default today), in one transaction; returns the number of
    lines. Exporting a sent batch again writes the same file and records nothing.

    Raises :class:`NotFound`, :class:`InvalidInput` (another file type), what
    :func:`payment_rows` and :func:`~empower.services.payment_runs.send_batch` raise.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    with db.unit_of_work() as uow:
        audit.check_actor(actor)
        batch = batch_by_reference(uow, reference)
        content = payment_file(uow, batch.id, fmt=fmt, pseudonymised=pseudonymised)
        if batch.status == BatchStatus.APPROVED:
            send_batch(uow, batch.id, on=on or today(), actor=actor)
        # Written before the commit: a file that cannot be written records no sending.
        path.write_bytes(content)
        uow.commit()
    return max(0, content.count(b"\n") - 1) if fmt == "csv" else _xlsx_lines(content)


def _xlsx_lines(content: bytes) -> int:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return max(0, (ws.max_row or 1) - 1) if ws is not None else 0


# --- the return file ---------------------------------------------------------------------

# Canonical column -> the headers providers write.
RETURN_COLUMNS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "référence", "ref", "réf", "référence paiement", "motif",
                  "payment reference", "المرجع"),
    "status": ("status", "statut", "état", "etat", "résultat", "resultat", "الحالة"),
    "paid_on": ("paid_on", "date de paiement", "date paiement", "date de retrait",
                "date d'exécution", "date", "payment date", "تاريخ الأداء"),
    "provider_reference": ("provider_reference", "référence prestataire",
                           "référence opération", "n° opération", "numéro de transaction",
                           "transaction", "transaction id"),
    "reason": ("reason", "motif de rejet", "motif du rejet", "raison", "cause",
               "commentaire", "failure reason", "السبب"),
}
_REQUIRED = ("reference", "status")


def read_return_file(path: str | Path) -> list[ReturnLine]:
    """The lines of a provider's return file, each checked; nothing half-read.

    Raises :class:`ReturnRefused` naming every line, column and value that cannot be read
    (an unknown status, a date that is no date, a missing reference), or naming the missing
    columns; :class:`~empower.io.reading.FileRejected` for a file that cannot be read at all.
    """
    index = {header_key(alias): name for name, aliases in RETURN_COLUMNS.items()
             for alias in aliases}
    problems: list[LineProblem] = []
    lines: list[ReturnLine] = []
    with open_table(path) as table:
        positions: dict[str, int] = {}
        for i, header in enumerate(table.headers):
            name = index.get(header_key(str(header or "")))
            if name is not None and name not in positions:
                # "motif" names the reference in our files and a reason in some returns: the
                # first column that reads as one is that one.
                positions[name] = i
        missing = [c for c in _REQUIRED if c not in positions]
        if missing:
            raise ReturnRefused(f"return file: no column for {', '.join(missing)} (headers: "
                                f"référence, statut, date de paiement, référence prestataire, "
                                f"motif de rejet)", problems=[], code="payment.return_columns",
                                params={"columns": ", ".join(missing)})
        for number, cells in table.rows:
            def cell(name: str, cells: list[Any] = cells) -> Any:
                at = positions.get(name)
                return clean(cells[at]) if at is not None and at < len(cells) else None

            if all(cell(c) in (None, "") for c in positions):
                continue
            values: dict[str, Any] = {"line": number}
            try:
                ref = cell("reference")
                if ref in (None, ""):
                    raise InvalidInput("reference: the line has no reference",
                                       code="payment.return_no_reference", field="reference")
                values["reference"] = text(ref, "reference")
                raw_status = cell("status")
                if raw_status in (None, ""):
                    raise InvalidInput("status: the line has no status",
                                       code="payment.return_no_status", field="status")
                values["status"] = parse_choice(InstructionStatus, str(raw_status),
                                                field="status")
                raw_date = cell("paid_on")
                values["paid_on"] = None if raw_date in (None, "") else a_date(raw_date, "paid_on")
                for name in ("provider_reference", "reason"):
                    raw = cell(name)
                    values[name] = None if raw in (None, "") else text(raw, name)
                lines.append(ReturnLine(**values))
            except InvalidInput as exc:
                problems.append(LineProblem(number, exc.field, exc.value,
                                            f"line {number}: {exc.message}", exc.code,
                                            {"line": number, **exc.params}))
    if problems:
        shown = ", ".join(str(p.line) for p in problems[:10])
        raise ReturnRefused(f"return file refused: {len(problems)} line(s) cannot be read "
                            f"(lines {shown}); nothing was recorded", problems=problems,
                            code="payment.return_refused",
                            params={"count": len(problems), "lines": shown})
    return lines
