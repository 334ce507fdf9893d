"""Coaching visits (key: reference): recorded through
:func:`empower.services.activities.record_visit`, dated no later than the import's today.

A recorded visit is not corrected by an import (no correction service yet): a row that differs
is rejected (``import.visit_differs``), naming the column; a differing note is named without
echoing it (the note is personal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from empower.io.importing.kinds.activities import differs
from empower.io.importing.kinds.base import CREATED, UNCHANGED, model
from empower.models import CoachingVisit
from empower.schemas import VisitCreate
from empower.services.activities import record_visit

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Record the visit; a recorded one must match the file (else rejected)."""
    cin, ref = v.get("cin"), v.get("cooperative_reference")
    wanted = model(VisitCreate, {
        "reference": v["reference"], "program_id": run.program_id(v["program_code"]),
        "beneficiary_id": None if cin is None else run.beneficiary(cin).id,
        "cooperative_id": None if ref is None else run.cooperative(ref).id,
        "visited_on": v["visited_on"], "kind": v["kind"],
        "next_visit_due": v.get("next_visit_due"), "note": v.get("note")})
    found = run.uow.session.scalar(select(CoachingVisit).where(
        CoachingVisit.reference == wanted.reference))
    if found is None:
        record_visit(run.uow, wanted, actor=run.actor, today=run.today)
        return CREATED
    for name, column in (("program_id", "program_code"), ("beneficiary_id", "cin"),
                         ("cooperative_id", "cooperative_reference"),
                         ("visited_on", "visited_on"), ("kind", "kind"),
                         ("next_visit_due", "next_visit_due"), ("note", "note")):
        if column not in run.present and name not in ("program_id", "visited_on", "kind"):
            continue
        if getattr(found, name) != getattr(wanted, name):
            # The note is personal: the refusal names it but echoes the reference, not the note.
            raise differs("visit", found.reference, column,
                          field="reference" if name == "note" else column)
    return UNCHANGED
