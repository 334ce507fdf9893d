"""Disbursements (key: reference): tranches are paid, never corrected.

A row naming a tranche already recorded is accepted unchanged when its values are the recorded
ones; :func:`corrections.confirm_disbursement` refuses it otherwise. Tranches in a file are a
program's history: the four-eyes check (disburse's ``history=True``) does not apply to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.io.importing.kinds.base import CREATED, UNCHANGED, model
from empower.models import Disbursement
from empower.schemas import DisbursementCreate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Pay the tranche, or confirm the one recorded under this reference."""
    grant = run.grant(v["grant_reference"])
    tranche = run.uow.session.scalar(select(Disbursement).where(
        Disbursement.reference == v["reference"]))
    if tranche is None:
        empower.disburse(run.uow, model(DisbursementCreate, {
            "grant_id": grant.id, "amount": v["amount"], "paid_on": v["paid_on"],
            "channel": v["channel"], "reference": v["reference"]}), actor=run.actor,
            history=True)
        return CREATED
    corrections.confirm_disbursement(run.uow, tranche.id, grant_id=grant.id, amount=v["amount"],
                                     paid_on=v["paid_on"], channel=v["channel"])
    return UNCHANGED
