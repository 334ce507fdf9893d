"""Grants: submitted, approved or rejected, paid in tranches, cancelled.

Tranches are paid through payment batches (:mod:`empower.admin.resources.payment_batches`); a
grant's page lists its payment instructions and what they hold in flight. The one-off "pay"
action records a tranche outside a batch: it is an admin's, and only on a program that allows
it (``programs.panel_payments``); otherwise it is not offered, and refused if sent anyway.
"""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.errors import RuleViolation
from empower.models import Program
from empower.schemas import DisbursementCreate, GrantCreate, parse_input

from .. import models as m
from ..detail import RelatedTables
from ..forms import DATE_ON, DATE_REASON, Action, Field, FormSpec, amount_value, date_value, form_data
from ..scope import Principal, check_coop, check_grant, check_person, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, search_id_or, vocab_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("reference", N_("Reference"), required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("beneficiary_id", N_("Beneficiary #"), "number"),
    Field("cooperative_id", N_("Cooperative #"), "number"),
    Field("purpose", N_("Purpose")),
    Field("amount_requested", N_("Amount requested (MAD)"), "amount", required=True),
    Field("submitted_on", N_("Submitted on"), "date", required=True),
]

TRANCHE_FIELDS = [
    Field("amount", N_("Amount (MAD)"), "amount", required=True),
    Field("paid_on", N_("Paid on"), "date", required=True),
    Field("channel", N_("Channel"), "select", vocab.Channel, required=True),
    Field("reference", N_("Reference")),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(GrantCreate, form_data(FIELDS, values))
    check_program(uow, p, data.program_id)
    check_person(uow, p, data.beneficiary_id)
    check_coop(uow, p, data.cooperative_id)
    grant = empower.submit_grant(uow, data, actor=p.actor)
    return f"/grants/{grant.id}"


def approve(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    empower.approve_grant(uow, record_id, on=date_value(values, "on"), actor=p.actor,
                          amount=amount_value(values, "amount"))
    return f"/grants/{record_id}"


def reject(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    empower.reject_grant(uow, record_id, on=date_value(values, "on"), actor=p.actor,
                         reason=values.get("reason") or None)
    return f"/grants/{record_id}"


def cancel(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    empower.cancel_grant(uow, record_id, on=date_value(values, "on"), actor=p.actor,
                         reason=values.get("reason") or None)
    return f"/grants/{record_id}"


def check_panel_payment(uow: Any, p: Principal, program_id: int) -> None:
    """A one-off tranche from the panel: by an admin, on a program that allows it.

    Raises :class:`RuleViolation` ``panel.payment_admins_only`` for another role and
    ``panel.payments_in_batches`` when the program pays through batches only.
    """
    if not p.is_admin:
        raise RuleViolation(f"{p.actor}: a tranche outside a payment batch is recorded by an "
                            f"administrator", code="panel.payment_admins_only", field="amount")
    program = uow.session.get(Program, program_id)
    if program is None or not program.panel_payments:
        code = program.code if program is not None else f"#{program_id}"
        raise RuleViolation(f"program {code} pays its tranches through payment batches, "
                            f"approved by a second person", code="panel.payments_in_batches",
                            params={"program": code}, field="amount")


async def _pay_offered(row: dict[str, Any], p: Principal, _panel: Any) -> bool:
    return p.is_admin and await m.Program.filter(id=row["program_id"],
                                                 panel_payments=True).exists()


def pay(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    grant = check_grant(uow, p, record_id)
    check_panel_payment(uow, p, grant.program_id)
    data = form_data(TRANCHE_FIELDS, values)
    data["grant_id"] = record_id
    empower.disburse(uow, parse_input(DisbursementCreate, data), actor=p.actor)
    return f"/grants/{record_id}"


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    return [await tables.table("disbursements", p.within(
        m.Disbursement.filter(grant_id=row["id"])), "Tranches"),
        # Its lines: batch, status, amount, dates (the payee is on the line's own page).
        await tables.table("payment_instructions", p.within(
            m.PaymentInstruction.filter(grant_id=row["id"])), N_("Payment instructions"),
            without=("grant_id", "payee_name", "payee_cin", "payee_phone", "payee_rib"))]


resource = Resource(
    "grants", N_("Grants"), m.Grant,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("program_id", N_("Program"), "link"),
     _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("cooperative_id", N_("Cooperative"), "link"), _C("status", N_("Status"), "label"),
     _C("amount_requested_centimes", N_("Requested"), "mad"),
     _C("amount_approved_centimes", N_("Approved"), "mad"),
     _C("disbursed_centimes", N_("Paid"), "mad"),
     _C("in_flight_centimes", N_("In flight"), "mad"), _C("submitted_on", N_("Submitted on"), "date"),
     _C("approved_on", N_("Approved on"), "date")],
    lambda p: p.within, search_id_or("reference", "purpose"), N_("Reference or purpose"),
    [Filter("status", N_("Status"), vocab_options(vocab.GrantStatus),
            equals("status", vocab.GrantStatus)),
     Filter("program", N_("Program"), program_options, by_int("program_id"))],
    # Who submitted and who approved: under four eyes, the two people who may not take the
    # next step (empower.rules.check_four_eyes).
    extra=[_C("purpose", N_("Purpose")), _C("rejected_on", N_("Rejected on"), "date"),
           _C("cancelled_on", N_("Cancelled on"), "date"),
           _C("closed_on", N_("Closed on"), "date"),
           _C("submitted_by", N_("Submitted by")), _C("approved_by", N_("Approved by"))],
    create=FormSpec(FIELDS, create, N_("Submit a grant request")),
    actions=[
        Action("approve", N_("Approve"),
               [*DATE_ON, Field("amount", N_("Amount approved (MAD)"), "amount")], approve,
               lambda r: r.get("status") == "submitted", "success"),
        Action("reject", N_("Reject"), DATE_REASON, reject,
               lambda r: r.get("status") == "submitted", "danger"),
        Action("pay", N_("Pay a tranche"), TRANCHE_FIELDS, pay,
               lambda r: r.get("status") == "approved", "primary", offered=_pay_offered),
        Action("cancel", N_("Cancel"), DATE_REASON, cancel,
               lambda r: r.get("status") == "approved", "danger"),
    ],
    bulk=("approve",),
    related=related,
    audit_entity="grant",
)
