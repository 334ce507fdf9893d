"""Memberships (key: cooperative reference + CIN): admitted, corrected, or ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, model
from empower.models import Membership
from empower.schemas import MembershipCreate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Admit her (and record her leaving), or correct role and dates; a new ``left_on`` ends
    a membership still running."""
    coop = run.cooperative(v["cooperative_reference"])
    person = run.beneficiary(v["cin"])
    found = run.uow.session.scalar(select(Membership).where(
        Membership.cooperative_id == coop.id, Membership.beneficiary_id == person.id))
    left = v.get("left_on")
    if found is None:
        data = {"cooperative_id": coop.id, "beneficiary_id": person.id, "joined_on": v["joined_on"]}
        if v.get("role") is not None:
            data["role"] = v["role"]
        m = empower.admit_member(run.uow, model(MembershipCreate, data), actor=run.actor)
        if left is not None and m.left_on is None:
            empower.remove_member(run.uow, m.id, on=left, actor=run.actor)
        elif left is not None and left != m.left_on:
            # Admitted to a cooperative since dissolved: she left on the dissolution date
            # unless the file says earlier.
            corrections.correct_membership(run.uow, m.id, actor=run.actor, left_on=left)
        return CREATED
    membership = found

    def act() -> None:
        corrections.correct_membership(
            run.uow, membership.id, actor=run.actor, role=v.get("role"), joined_on=v["joined_on"],
            left_on=left if membership.left_on is not None else None)
        if left is not None and membership.left_on is None:
            empower.remove_member(run.uow, membership.id, on=left, actor=run.actor)

    return UPDATED if changed(membership, act) else UNCHANGED
