"""Grants (key: reference): submitted, steps taken, purpose and dates of steps corrected.

A file records a program's history: what was done, not who did it, so the four-eyes check
(approve_grant's ``history=True``) does not apply to the approvals it loads.

The program, recipient and amounts of a grant already recorded are decided money:
:func:`corrections.correct_grant` refuses a row that gives others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.errors import InvalidInput
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, model
from empower.models import Grant
from empower.schemas import GrantCreate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Submit the grant and take the steps the file gives, or correct the one recorded."""
    program_id = run.program_id(v["program_code"])
    cin, coop_ref = v.get("cin"), v.get("cooperative_reference")
    if (cin is None) == (coop_ref is None):
        raise InvalidInput("a grant goes to exactly one recipient: give cin or "
                           "cooperative_reference, not both and not neither",
                           code="import.one_recipient",
                           field="cin" if "cin" in run.present else "cooperative_reference")
    beneficiary_id = run.beneficiary(cin).id if cin is not None else None
    cooperative_id = run.cooperative(coop_ref).id if coop_ref is not None else None
    found = run.uow.session.scalar(select(Grant).where(Grant.reference == v["reference"]))
    if v.get("amount_approved") is not None and v.get("approved_on") is None \
            and (found is None or found.approved_on is None):
        raise InvalidInput("approved_on: an approval date is required with amount_approved",
                           code="import.approved_on_required", field="approved_on")
    if found is None:
        grant = empower.submit_grant(run.uow, model(GrantCreate, {
            "reference": v["reference"], "program_id": program_id,
            "beneficiary_id": beneficiary_id, "cooperative_id": cooperative_id,
            "purpose": v.get("purpose"), "amount_requested": v["amount_requested"],
            "submitted_on": v["submitted_on"]}), actor=run.actor)
        _steps(run, grant, v)
        return CREATED
    existing = found

    def act() -> None:
        corrections.correct_grant(
            run.uow, existing.id, actor=run.actor, program_id=program_id,
            beneficiary_id=beneficiary_id, cooperative_id=cooperative_id,
            amount_requested=v["amount_requested"], amount_approved=v.get("amount_approved"),
            purpose=v.get("purpose") if "purpose" in run.present else None,
            submitted_on=v["submitted_on"],
            **{k: v.get(k) for k in ("approved_on", "rejected_on", "cancelled_on")
               if getattr(existing, k) is not None})
        _steps(run, existing, v)

    return UPDATED if changed(existing, act) else UNCHANGED


def _steps(run: ImportRun, grant: Grant, v: dict[str, Any]) -> None:
    if v.get("approved_on") is not None and grant.approved_on is None:
        empower.approve_grant(run.uow, grant.id, on=v["approved_on"], actor=run.actor,
                              amount=v.get("amount_approved"), history=True)
    if v.get("rejected_on") is not None and grant.rejected_on is None:
        empower.reject_grant(run.uow, grant.id, on=v["rejected_on"], actor=run.actor)
    if v.get("cancelled_on") is not None and grant.cancelled_on is None:
        empower.cancel_grant(run.uow, grant.id, on=v["cancelled_on"], actor=run.actor)
