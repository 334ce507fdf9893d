"""Payment batches ("lots de paiement"): tranches built together, signed off by a second person,
sent to the paying institution as its file, reconciled from its return file.

Every write is a core service of :mod:`empower.services.payment_runs`: *build* (the program's
grants whose next tranche is due, for one channel and date; the grants left out are listed with
their reasons), *approve* (someone else than the builder, in a role of
``EMPOWER_BATCH_APPROVER_ROLES``: the core refuses anyone else, and the refusal is shown
translated), *cancel* (a draft), *export* (the provider's file; an approved batch is sent by
it) and *close* (reconciled). Reconciliation stays on the command line.

**Scope.** A batch is its region's (``payment_batches.region_code``, ``empower.scope``): it was
built from the grants of that region's women and cooperatives only. A batch built without a
region takes the program's grants of every region: it is the whole country's, seen and acted on
by admins only. So an officer builds batches for one of her regions
(:func:`~empower.admin.scope.check_batch_region`), and the program must be one she sees.
"""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count, Sum

import empower
from empower import vocab
from empower.models import utcnow
from empower.schemas import BatchCreate, parse_input
from empower.services.payment_runs import BatchBuild

from .. import models as m
from ..detail import RelatedTables
from ..forms import Action, Field, FormSpec, form_data
from ..scope import Principal, check_batch, check_batch_region, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, search_fields, vocab_options

__all__ = ["EXPORTABLE", "FIELDS", "build", "resource"]

_C = Column

FIELDS = [
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("channel", N_("Channel"), "select", vocab.PaymentChannel, required=True),
    Field("planned_on", N_("Payment date"), "date", required=True),
    Field("region_code", N_("Region"), "select", "regions"),
    Field("provider", N_("Paying institution")),
    Field("reference", N_("Reference (optional)")),
]

# Statuses whose file can be exported (an approved batch is sent by its first export).
EXPORTABLE = ("approved", "sent", "reconciled", "closed")


def build(uow: Any, values: dict[str, Any], p: Principal) -> BatchBuild:
    """Build a draft batch (:func:`empower.build_batch`) of a program she sees, for one of her
    regions (any or none for an admin). Raises what the core raises, and ``NotFound`` /
    ``InvalidInput`` for a program or region that is not hers."""
    data = parse_input(BatchCreate, form_data(FIELDS, values))
    check_program(uow, p, data.program_id)
    check_batch_region(uow, p, data.region_code)
    return empower.build_batch(uow, data, actor=p.actor)


def approve(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_batch(uow, p, record_id)
    empower.approve_batch(uow, record_id, on=utcnow().date(), actor=p.actor)
    return f"/payment_batches/{record_id}"


def cancel(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_batch(uow, p, record_id)
    empower.cancel_batch(uow, record_id, on=utcnow().date(), actor=p.actor,
                         reason=values.get("reason") or None)
    return f"/payment_batches/{record_id}"


def close(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_batch(uow, p, record_id)
    empower.close_batch(uow, record_id, on=utcnow().date(), actor=p.actor)
    return f"/payment_batches/{record_id}"


async def _approve_offered(row: dict[str, Any], p: Principal, panel: Any) -> bool:
    """Offered to a role that approves batches, other than the builder (the core decides)."""
    roles = panel.db.rules.batch_approver_roles
    return p.role in roles and str(row.get("created_by") or "").casefold() != p.actor.casefold()


def _is(status: str) -> Any:
    return lambda row: row.get("status") == status


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    return [await tables.table("payment_instructions", p.within(
        m.PaymentInstruction.filter(batch_id=row["id"])), N_("Payment instructions"),
        without=("batch_id",))]


async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """Totals by status (every line of the batch: the batch is hers), its steps, the export."""
    rows = await m.PaymentInstruction.filter(batch_id=row["id"]).annotate(
        n=Count("id"), total=Sum("amount_centimes")).group_by("status").values(
        "status", "n", "total")
    by_status = {r["status"]: (int(r["n"]), int(r["total"] or 0)) for r in rows}
    order = [s.value for s in vocab.InstructionStatus]
    totals = [(s, *by_status[s]) for s in order if s in by_status]
    steps = [("build", row.get("created_at"), row.get("created_by")),
             ("approve", row.get("approved_on"), row.get("approved_by")),
             ("send", row.get("sent_on"), None),
             ("reconcile", row.get("reconciled_on"), None),
             ("close", row.get("closed_on"), None),
             ("cancel", row.get("cancelled_on"), None)]
    return {"totals": totals, "lines": sum(n for _s, n, _t in totals),
            "amount": sum(t for _s, _n, t in totals),
            "steps": [s for s in steps if s[1] is not None],
            "awaiting": row.get("status") == "draft",
            "can_export": p.can_write and row.get("status") in EXPORTABLE,
            "formats": ("csv", "xlsx")}


resource = Resource(
    "payment_batches", N_("Payment batches"), m.PaymentBatch,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("program_id", N_("Program"), "link"),
     _C("channel", N_("Channel"), "label"), _C("provider", N_("Paying institution")),
     _C("planned_on", N_("Payment date"), "date"), _C("region_code", N_("Region")),
     _C("status", N_("Status"), "label", context="batch"), _C("created_by", N_("Built by")),
     _C("approved_by", N_("Approved by"))],
    lambda p: p.within, search_fields("reference", "provider"), N_("Reference or institution"),
    [Filter("program", N_("Program"), program_options, by_int("program_id")),
     Filter("status", N_("Status"), vocab_options(vocab.BatchStatus, "batch"),
            equals("status", vocab.BatchStatus)),
     Filter("channel", N_("Channel"), vocab_options(vocab.PaymentChannel),
            equals("channel", vocab.PaymentChannel))],
    extra=[_C("approved_on", N_("Approved on"), "date"), _C("sent_on", N_("Sent on"), "date"),
           _C("reconciled_on", N_("Reconciled on"), "date"),
           _C("closed_on", N_("Closed on"), "date"),
           _C("cancelled_on", N_("Cancelled on"), "date"),
           _C("created_at", N_("Created at"), "datetime")],
    # Built by its own route (admin/routes/payments.py): the page lists the grants left out.
    create=FormSpec(FIELDS, None, N_("Build a payment batch")),
    actions=[
        Action("approve", N_("Approve the batch"), [], approve, _is("draft"), "success",
               offered=_approve_offered),
        Action("cancel", N_("Cancel the batch"), [Field("reason", N_("Reason"))], cancel,
               _is("draft"), "danger"),
        Action("close", N_("Close the batch"), [], close, _is("reconciled"), "secondary"),
    ],
    related=related,
    page=page, page_template="_batch.html",
    audit_entity="payment_batch",
)
