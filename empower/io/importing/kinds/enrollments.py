"""Enrolments (key: CIN + program code): applied, steps taken, dates of steps corrected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.errors import InvalidInput
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, model
from empower.models import Enrollment
from empower.schemas import EnrollmentCreate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]

_STEPS = ("enrolled_on", "rejected_on", "exited_on", "exit_reason")


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Record the application and the steps the file gives; for an enrolment already there,
    correct the dates of steps taken and take the steps not yet taken."""
    person = run.beneficiary(v["cin"])
    program_id = run.program_id(v["program_code"])
    found = run.uow.session.scalar(select(Enrollment).where(
        Enrollment.beneficiary_id == person.id, Enrollment.program_id == program_id))
    if found is None:
        enr = empower.apply(run.uow, model(EnrollmentCreate, {
            "beneficiary_id": person.id, "program_id": program_id, "applied_on": v["applied_on"],
            "enrolled_on": v.get("enrolled_on")}), actor=run.actor)
        _steps(run, enr, v)
        return CREATED
    enrollment = found

    def act() -> None:
        corrections.correct_enrollment(
            run.uow, enrollment.id, actor=run.actor, applied_on=v["applied_on"],
            **{k: v.get(k) for k in _STEPS if getattr(enrollment, k) is not None})
        if v.get("enrolled_on") is not None and enrollment.enrolled_on is None:
            empower.enroll(run.uow, enrollment.id, on=v["enrolled_on"], actor=run.actor)
        _steps(run, enrollment, v)

    return UPDATED if changed(enrollment, act) else UNCHANGED


def _steps(run: ImportRun, enr: Enrollment, v: dict[str, Any]) -> None:
    if v.get("rejected_on") is not None and enr.rejected_on is None:
        empower.reject_enrollment(run.uow, enr.id, on=v["rejected_on"], actor=run.actor)
    if v.get("exited_on") is not None and enr.exited_on is None:
        if v.get("exit_reason") is None:
            raise InvalidInput("exit_reason: a reason is required with exited_on",
                               code="import.exit_reason_required", field="exit_reason")
        empower.exit_enrollment(run.uow, enr.id, on=v["exited_on"], reason=v["exit_reason"],
                                actor=run.actor)
