"""Payment batches: building one (the page lists the grants left out, with their reasons) and
downloading the provider's file (an approved batch is sent by it).

Both are writes: a CSRF-checked POST by a writer whose regions cover the batch, each one unit
of work calling the core (:func:`empower.build_batch`; :func:`empower.io.payment_files.payment_file`
and :func:`empower.send_batch`, as ``empower payments export`` does). The other
actions of a batch (approve, cancel, close) are the generic ones of :mod:`.records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

import empower
from empower.errors import EmpowerError
from empower.io.payment_files import payment_file
from empower.messages import render as render_message
from empower.models import PaymentBatch, utcnow
from empower.vocab import BatchStatus

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


@router.post(f"/{SLUG}/{{record_id}}/export", response_class=HTMLResponse)
async def export_file(request: Request, record_id: str,
                      pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    """The channel's file (:func:`empower.io.payment_files.payment_file`: transfer file,
    cash-out list, mobile-money list) as CSV or XLSX; an approved batch is recorded as sent
    today (:func:`empower.send_batch`) in the same unit of work, so a file that could not be
    made sends nothing."""
    p, form = pf
    rid = path_id(record_id)
    spec = resource_for(request, SLUG, p)
    if not p.can_write:
        raise HTTPException(404)
    row = await fetch(spec, p, rid)
    fmt = str(form.get("fmt") or "csv")[:10]
    pseudonymised = str(form.get("pseudonymised") or "") == "true"
    db = panel_of(request).db

    def work() -> tuple[str, bytes]:
        with db.unit_of_work() as uow:
            check_batch(uow, p, rid)
            # The file first: it refuses a draft or a cancelled batch (approve it first) and a
            # format that is not one, and writes nothing.
            data = payment_file(uow, rid, fmt=fmt, pseudonymised=pseudonymised)
            batch = uow.session.get(PaymentBatch, rid)
            assert batch is not None
            if batch.status == BatchStatus.APPROVED:
                # An approved batch is sent by its file; one already sent stays as it is.
                empower.send_batch(uow, rid, on=utcnow().date(), actor=p.actor)
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
