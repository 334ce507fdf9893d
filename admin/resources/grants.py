"""Grants: submitted, approved or rejected, paid in tranches, cancelled."""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
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


def pay(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    data = form_data(TRANCHE_FIELDS, values)
    data["grant_id"] = record_id
    empower.disburse(uow, parse_input(DisbursementCreate, data), actor=p.actor)
    return f"/grants/{record_id}"


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    return [await tables.table("disbursements", p.within(
        m.Disbursement.filter(grant_id=row["id"])), "Tranches")]


resource = Resource(
    "grants", N_("Grants"), m.Grant,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("program_id", N_("Program"), "link"),
     _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("cooperative_id", N_("Cooperative"), "link"), _C("status", N_("Status"), "label"),
     _C("amount_requested_centimes", N_("Requested"), "mad"),
     _C("amount_approved_centimes", N_("Approved"), "mad"),
     _C("disbursed_centimes", N_("Paid"), "mad"), _C("submitted_on", N_("Submitted on"), "date"),
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
               lambda r: r.get("status") == "approved", "primary"),
        Action("cancel", N_("Cancel"), DATE_REASON, cancel,
               lambda r: r.get("status") == "approved", "danger"),
    ],
    bulk=("approve",),
    related=related,
    audit_entity="grant",
)
