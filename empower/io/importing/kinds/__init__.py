"""Each kind's upsert policy, one module per kind: what a row creates, what it may correct.

A row whose key is not in the database creates the record through the services; a row whose key
is there brings the record to the file's values through the correction services
(:mod:`empower.services.corrections`), which hold the rules about what may not change (decided
money, payments, a dissolution date) so scripts meet the same refusals as imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from empower.io.importing.kinds import (
    activities,
    cooperatives,
    disbursements,
    enrollments,
    grants,
    grievances,
    intakes,
    memberships,
    programs,
    sessions,
    surveys,
    visits,
)
from empower.io.importing.kinds.attendance import AttendanceBatch
from empower.io.importing.kinds.base import Handler, RowByRow, Upsert
from empower.io.importing.kinds.beneficiaries import BeneficiaryBatch

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["UPSERTS", "handler_for"]

UPSERTS: dict[str, Upsert] = {
    "programs": programs.upsert, "cooperatives": cooperatives.upsert,
    "memberships": memberships.upsert, "enrollments": enrollments.upsert,
    "grants": grants.upsert, "disbursements": disbursements.upsert, "surveys": surveys.upsert,
    "activities": activities.upsert, "sessions": sessions.upsert, "visits": visits.upsert,
    "intakes": intakes.upsert, "grievances": grievances.upsert,
}


def handler_for(run: ImportRun) -> Handler:
    """The handler of the run's kind: beneficiaries and attendance in chunks, the others row
    by row."""
    if run.kind.name == "beneficiaries":
        return BeneficiaryBatch(run)
    if run.kind.name == "attendance":
        return AttendanceBatch(run)
    return RowByRow(run, UPSERTS[run.kind.name])
