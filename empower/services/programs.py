"""Programs, partners and partnership agreements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import Conflict, InvalidInput
from empower.models import Agreement, Partner, Program
from empower.rules import (
    centimes,
    check_program_start,
    check_tranche_conditions,
    check_tranche_shares,
    mad,
)
from empower.schemas import AgreementCreate, PartnerCreate, ProgramCreate
from empower.services._common import check_province, check_region, get

__all__ = ["create_partner", "create_program", "program_values", "sign_agreement", "tranche_plan"]


def program_values(program: Program) -> dict[str, Any]:
    """A recorded program as the fields of :class:`ProgramCreate` (amounts in MAD), which
    :func:`empower.update_program` takes whole: a caller changing one field starts from these."""
    return {"code": program.code, "name": program.name, "funder": program.funder,
            "start_date": program.start_date, "end_date": program.end_date,
            "budget": mad(program.budget_centimes), "grant_cap": mad(program.grant_cap_centimes),
            "region_code": program.region_code, "four_eyes": program.four_eyes,
            "min_completion_share": program.min_completion_share,
            "tranche_shares": program.tranche_shares, "tranche_conditions": program.tranche_conditions,
            "panel_payments": program.panel_payments}


def tranche_plan(data: ProgramCreate) -> dict[str, Any]:
    """The tranche plan columns of a program from its input, checked
    (:func:`~empower.rules.check_tranche_shares`, :func:`~empower.rules.check_tranche_conditions`;
    ``InvalidInput``). Shares are kept as decimal strings so 33.33 stays 33.33."""
    shares = check_tranche_shares(data.tranche_shares)
    return {"tranche_shares": None if shares is None else [str(v) for v in shares],
            "tranche_conditions": check_tranche_conditions(data.tranche_conditions),
            "panel_payments": data.panel_payments}


def create_program(uow: UnitOfWork, data: ProgramCreate, *, actor: str) -> Program:
    """Create a program with its budget and optional per-grant cap and region.

    ``data.four_eyes`` (default on) says whether its grants are approved by someone other than
    who submitted them, and paid by someone other than who approved them.

    Raises ``InvalidInput`` for a start before 1900 or an end before the start, an unknown
    region or a cap above the budget; ``Conflict`` for a code in use.
    """
    audit.check_actor(actor)
    check_program_start(data.start_date)
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput(f"end_date: {data.end_date.isoformat()} is before the start date "
                           f"{data.start_date.isoformat()}", code="program.end_before_start",
                           params={"end_date": data.end_date, "start_date": data.start_date},
                           field="end_date",
                           value=data.end_date.isoformat())
    check_region(uow, data.region_code)
    other = uow.session.scalar(select(Program.id).where(Program.code == data.code))
    if other is not None:
        raise Conflict(f"code: program '{data.code}' already exists (program #{other})",
                       code="program.code_taken", params={"code": data.code, "existing_id": other},
                       field="code", value=data.code, existing_id=other)
    budget = centimes(data.budget, field="budget")
    cap = None if data.grant_cap is None else centimes(data.grant_cap, field="grant_cap")
    if cap is not None and cap > budget:
        raise InvalidInput(f"grant_cap: {data.grant_cap} MAD is above the budget {data.budget} MAD",
                           code="program.cap_above_budget",
                           params={"grant_cap": mad(cap), "budget": mad(budget)},
                           field="grant_cap", value=str(data.grant_cap))
    program = Program(code=data.code, name=data.name, funder=data.funder,
                      start_date=data.start_date, end_date=data.end_date, budget_centimes=budget,
                      grant_cap_centimes=cap, committed_centimes=0, region_code=data.region_code,
                      min_completion_share=data.min_completion_share,
                      four_eyes=data.four_eyes, **tranche_plan(data))
    uow.session.add(program)
    uow.session.flush()
    audit.record(uow, actor=actor, action="create", entity="program", entity_id=program.id,
                 changes=data.model_dump())
    return program


def create_partner(uow: UnitOfWork, data: PartnerCreate, *, actor: str) -> Partner:
    """Record a partner organisation (association, agency, university, firm...)."""
    audit.check_actor(actor)
    check_province(uow, data.province_code)
    other = uow.session.scalar(select(Partner.id).where(Partner.name == data.name))
    if other is not None:
        raise Conflict(f"name: partner '{data.name}' already exists (partner #{other})",
                       code="partner.name_taken", params={"name": data.name, "existing_id": other},
                       field="name", value=data.name, existing_id=other)
    partner = Partner(**data.model_dump())
    uow.session.add(partner)
    uow.session.flush()
    audit.record(uow, actor=actor, action="create", entity="partner", entity_id=partner.id,
                 changes=data.model_dump())
    return partner


def sign_agreement(uow: UnitOfWork, data: AgreementCreate, *, actor: str) -> Agreement:
    """Record a partnership agreement between a program and a partner, with its commitment."""
    audit.check_actor(actor)
    get(uow, Program, data.program_id, what="program")
    get(uow, Partner, data.partner_id, what="partner")
    if data.ends_on is not None and data.ends_on < data.signed_on:
        raise InvalidInput("ends_on: the agreement ends before it is signed",
                           code="agreement.ends_before_signed", field="ends_on",
                           value=data.ends_on.isoformat())
    agreement = Agreement(program_id=data.program_id, partner_id=data.partner_id,
                          signed_on=data.signed_on, ends_on=data.ends_on,
                          committed_centimes=centimes(data.committed, field="committed"))
    uow.session.add(agreement)
    uow.session.flush()
    audit.record(uow, actor=actor, action="sign", entity="agreement", entity_id=agreement.id,
                 changes=data.model_dump())
    return agreement
