"""Payment instructions: the lines of the payment batches, one tranche of one grant each.

Read only: a line changes with its batch (built, approved, sent, cancelled) and with the
provider's return file, reconciled on the command line (``empower payments reconcile``). The
payee is as she was when the batch was made; viewers see her CIN, phone and RIB masked. A line
is its grant's (``empower.scope``), like a tranche.
"""

from __future__ import annotations

from typing import Any

from empower import vocab

from .. import models as m
from ..scope import Principal
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, search_fields, unmasked_search, vocab_options

__all__ = ["COLUMNS", "resource"]

_C = Column

# A reference or a name; never the payee's CIN, phone or RIB (masked for viewers).
SEARCH = search_fields("reference", "payee_name")

COLUMNS = [
    _C("id", "#"), _C("reference", N_("Reference")), _C("batch_id", N_("Payment batch"), "link"),
    _C("grant_id", N_("Grant"), "link"), _C("tranche_number", N_("Tranche")),
    _C("amount_centimes", N_("Amount"), "mad"), _C("status", N_("Status"), "label", context="line"),
    _C("payee_name", N_("Payee")), _C("payee_cin", N_("CIN"), "cin", False),
    _C("payee_phone", N_("Phone"), "phone", False), _C("payee_rib", N_("RIB"), "rib", False),
    _C("sent_on", N_("Sent on"), "date"), _C("paid_on", N_("Paid on"), "date"),
]

async def batch_options(p: Principal) -> list[tuple[str, str]]:
    """Her latest 100 batches (the filter of a batch's lines; its page links to it)."""
    rows: list[dict[str, Any]] = await p.within(m.PaymentBatch.all()).order_by("-id").limit(
        100).values("id", "reference")
    return [(str(r["id"]), r["reference"]) for r in rows]


resource = Resource(
    "payment_instructions", N_("Payment instructions"), m.PaymentInstruction, COLUMNS,
    lambda p: p.within, SEARCH, N_("Reference or payee"),
    [Filter("status", N_("Status"), vocab_options(vocab.InstructionStatus, "line"),
            equals("status", vocab.InstructionStatus)),
     Filter("batch", N_("Payment batch"), batch_options, by_int("batch_id"))],
    extra=[_C("settled_on", N_("Settled on"), "date"),
           _C("provider_reference", N_("Provider reference")),
           _C("failure_reason", N_("Failure reason")),
           _C("disbursement_id", N_("Tranche #")), _C("created_at", N_("Created at"), "datetime")],
    create_roles=(),
    audit_entity="payment_instruction",
    masked_search=unmasked_search(SEARCH),
)
