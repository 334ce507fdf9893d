"""Agreements: a partner's signed commitment to a program.

An officer signs agreements on the programs of her regions; a national program's agreements
are signed by admins (:func:`~empower.admin.scope.check_agreement_program`).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

import empower
from empower import vocab
from empower.models import Agreement, utcnow
from empower.schemas import AgreementCreate, ContributionCreate, parse_input
from empower.services.results import agreement_contributions, agreement_standing

from .. import models as m
from ..forms import Action, Field, FormSpec, form_data
from ..scope import Principal, check_agreement_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, program_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("partner_id", N_("Partner #"), "number", required=True),
    Field("signed_on", N_("Signed on"), "date", required=True),
    Field("ends_on", N_("Ends on"), "date"), Field("committed", N_("Committed (MAD)"), "amount"),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(AgreementCreate, form_data(FIELDS, values))
    check_agreement_program(uow, p, data.program_id)
    empower.sign_agreement(uow, data, actor=p.actor)
    return "/agreements"


CONTRIBUTION_FIELDS = [
    Field("reference", N_("Reference"), required=True),
    Field("kind", N_("Kind"), "select", vocab.ContributionKind, required=True),
    Field("amount", N_("Amount (MAD)"), "amount", required=True),
    Field("received_on", N_("Received on"), "date", required=True),
]


def contribute(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    """Record a partner's contribution under this agreement (an officer: on a program of her
    regions, as for signing); above the commitment it is accepted and flagged."""
    agreement = uow.session.get(Agreement, record_id)
    if agreement is not None:
        check_agreement_program(uow, p, agreement.program_id)
    data = parse_input(ContributionCreate, {**form_data(CONTRIBUTION_FIELDS, values),
                                            "agreement_id": record_id})
    empower.record_contribution(uow, data, actor=p.actor)
    return f"/agreements/{record_id}"


async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """Committed, received, balance and the contributions, as of today."""
    def read() -> dict[str, Any]:
        with panel.db.unit_of_work(readonly=True) as uow:
            today = utcnow().date()
            return {"standing": agreement_standing(uow, row["id"], today),
                    "contributions": agreement_contributions(uow, row["id"])}

    return await run_in_threadpool(read)


resource = Resource(
    "agreements", N_("Agreements"), m.Agreement,
    [_C("id", "#"), _C("program_id", N_("Program"), "link"),
     _C("partner_id", N_("Partner"), "link"), _C("signed_on", N_("Signed on"), "date"),
     _C("ends_on", N_("Ends on"), "date"), _C("committed_centimes", N_("Committed"), "mad"),
     _C("status", N_("Status"), "label")],
    lambda p: p.within, None, "",
    [Filter("program", N_("Program"), program_options, by_int("program_id"))],
    create=FormSpec(FIELDS, create, N_("Sign an agreement")),
    actions=[Action("contribute", N_("Record a contribution"), CONTRIBUTION_FIELDS, contribute)],
    page=page, page_template="_agreement.html",
    audit_entity="agreement",
)
