"""Payment batches: building one (the page lists the grants left out, with their reasons) and
downloading the provider's file (an approved batch is sent by it).

Both are writes: a CSRF-checked POST by a writer whose regions cover the batch, each one unit
of work calling the core (:func:`empower.build_batch`, :func:`empower.send_batch`). The other
actions of a batch (approve, cancel, close) are the generic ones of :mod:`.records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

import empower
from empower.errors import EmpowerError, InvalidInput
from empower.messages import render as render_message
from empower.models import PaymentBatch, utcnow

from .. import compat
from ..deps import panel_of, principal, resource_for, writer
from ..forms import kept_values, read_values
from ..rendering import error_detail, error_message, render
from ..resources import payment_batches
from ..scope import Principal, as_seen_by, check_batch
from .records import can_create, choices_for, detail_context, fetch, path_id

__all__ = ["router"]

router = APIRouter()

SLUG = "payment_batches"
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# At most this many left-out grants are listed after a build (the count is always given).
LEFT_OUT_SHOWN = 1000


def _title() -> str:
    spec = payment_batches.resource.create
    return spec.title if spec else ""


@router.get(f"/{SLUG}/new", response_class=HTMLResponse)
async def build_view(request: Request, p: Principal = Depends(principal)) -> Response:
    spec = resource_for(request, SLUG, p)
    if not can_create(spec, p):
        raise HTTPException(404)
    values = kept_values(dict(request.query_params))
    values.setdefault("planned_on", utcnow().date().isoformat())
    return render(request, "form.html", {
        "p": p, "spec": spec, "fields": payment_batches.FIELDS, "values": values,
        "choices": await choices_for(payment_batches.FIELDS, p), "action": f"/{SLUG}/new",
        "title": _title()})


@dataclass
class _Built:
    batch_id: int | None
    reference: str
    lines: int
    total: int
    # (grant id, grant reference, code, reason in her language)
    left_out: list[tuple[int, str, str, str]]


@router.post(f"/{SLUG}/new", response_class=HTMLResponse)
async def build(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    spec = resource_for(request, SLUG, p)
    if not can_create(spec, p):
        raise HTTPException(404)
    fields_ = payment_batches.FIELDS
    values = read_values(form, fields_)
    db = panel_of(request).db
    locale = compat.current_locale()

    def work() -> _Built:
        with db.unit_of_work() as uow:
            built = payment_batches.build(uow, values, p)
            uow.commit()
            batch = built.batch
            return _Built(
                batch.id if batch else None, batch.reference if batch else "",
                built.instructions, built.total_centimes,
                [(lo.grant_id, lo.grant_reference, lo.code,
                  render_message(lo.code, lo.params, locale, default=lo.message))
                 for lo in built.left_out[:LEFT_OUT_SHOWN]])

    try:
        result = await run_in_threadpool(work)
    except EmpowerError as refusal:
        exc = await as_seen_by(p, refusal)
        return render(request, "form.html", {
            "p": p, "spec": spec, "fields": fields_, "values": kept_values(values),
            "choices": await choices_for(fields_, p), "action": f"/{SLUG}/new",
            "error": error_message(exc), "error_detail": error_detail(exc),
            "error_field": exc.field, "title": _title()}, status_code=422)
    return render(request, "batch_built.html", {
        "p": p, "batch_id": result.batch_id, "reference": result.reference,
        "lines": result.lines, "total": result.total, "left_out": result.left_out})


# The columns of each channel's file (the minimal rendering of the panel, until the core's
# ``empower.io.payment_files`` is merged): the line's reference, the payee as the batch kept her,
# the amount in MAD.
_COLUMNS = {
    "bank_transfer": ("reference", "payee_rib", "payee_name", "amount"),
    "cash_out": ("reference", "payee_cin", "payee_name", "payee_phone", "amount"),
    "mobile_money": ("reference", "payee_phone", "payee_name", "amount"),
}


def _file(uow: Any, batch_id: int, fmt: str, pseudonymised: bool) -> bytes:
    """The provider's file of the batch: one row per open line (pending or sent), every cell
    spreadsheet-safe; without the names when ``pseudonymised``."""
    import csv
    import io

    from empower.rules import mad

    from ..export import csv_rows, xlsx_bytes

    batch = uow.session.get(PaymentBatch, batch_id)
    keys = [k for k in _COLUMNS[batch.channel.value]
            if not (pseudonymised and k == "payee_name")]
    rows = []
    for line in batch.instructions:  # (by id)
        if line.status not in ("pending", "sent"):
            continue
        rows.append({"reference": line.reference, "payee_rib": line.payee_rib,
                     "payee_cin": line.payee_cin, "payee_name": line.payee_name,
                     "payee_phone": line.payee_phone, "amount": str(mad(line.amount_centimes))})
    if fmt == "xlsx":
        return xlsx_bytes(batch.reference, keys, rows)
    buf = io.StringIO()
    out = csv.writer(buf)
    for values in csv_rows(keys, rows):
        out.writerow(values)
    return ("\ufeff" + buf.getvalue()).encode()


@router.post(f"/{SLUG}/{{record_id}}/export", response_class=HTMLResponse)
async def export_file(request: Request, record_id: str,
                      pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    """The channel's file (transfer file, cash-out list, mobile-money list) as CSV or XLSX; an
    approved batch is recorded as sent today (:func:`empower.send_batch`) in the same unit of
    work, so a file that could not be made sends nothing."""
    p, form = pf
    rid = path_id(record_id)
    spec = resource_for(request, SLUG, p)
    if not p.can_write:
        raise HTTPException(404)
    row = await fetch(spec, p, rid)
    fmt = str(form.get("fmt") or "csv")
    pseudonymised = str(form.get("pseudonymised") or "") == "true"
    db = panel_of(request).db

    def work() -> tuple[str, bytes]:
        if fmt not in FORMATS:
            raise InvalidInput(f"fmt: '{fmt[:10]}' is not a file format (csv, xlsx)",
                               code="choice.invalid",
                               params={"value": fmt[:10], "allowed": "csv, xlsx"},
                               field="fmt", value=fmt[:10])
        with db.unit_of_work() as uow:
            check_batch(uow, p, rid)
            # An approved batch is sent now; one already sent is left as it is (a file exported
            # again); a draft or a cancelled one is refused by the core, saying why.
            batch = empower.send_batch(uow, rid, on=utcnow().date(), actor=p.actor)
            data = _file(uow, rid, fmt, pseudonymised)
            reference = batch.reference
            uow.commit()
            return reference, data

    try:
        reference, data = await run_in_threadpool(work)
    except EmpowerError as refusal:
        exc = await as_seen_by(p, refusal)
        ctx = await detail_context(request, spec, p, row)
        ctx.update(error=error_message(exc), error_detail=error_detail(exc),
                   error_action="export", values={})
        return render(request, "detail.html", ctx, status_code=422)
    suffix = "-pseudonymised" if pseudonymised else ""
    name = f"{reference}{suffix}.{fmt}"
    return Response(data, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
