"""Enrolments (key: CIN + program code): applied, steps taken, dates of steps corrected.

With an ``intake_code`` the row is an application to that open intake, judged by its rules
through :func:`empower.apply` (a woman who fails one is recorded as refused, with the rules
she failed); she is enrolled by the intake's selection, not by the file. The same row again is
*unchanged*; a row that would move an application to another intake, or change the date its
rules were judged on, is rejected (``import.intake_application_differs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.errors import InvalidInput
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, model
from empower.models import Enrollment
from empower.schemas import EnrollmentCreate
from empower.services import corrections
from empower.services.targeting import intake_by_code

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]

_STEPS = ("enrolled_on", "rejected_on", "exited_on", "exit_reason")


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Record the application and the steps the file gives; for an enrolment already there,
    correct the dates of steps taken and take the steps not yet taken."""
    person = run.beneficiary(v["cin"])
    program_id = run.program_id(v["program_code"])
    intake_id = None
    if v.get("intake_code") is not None:
        intake_id = intake_by_code(run.uow, v["intake_code"]).id
    found = run.uow.session.scalar(select(Enrollment).where(
        Enrollment.beneficiary_id == person.id, Enrollment.program_id == program_id))
    if found is None:
        enr = empower.apply(run.uow, model(EnrollmentCreate, {
            "beneficiary_id": person.id, "program_id": program_id, "applied_on": v["applied_on"],
            "enrolled_on": v.get("enrolled_on"), "intake_id": intake_id}), actor=run.actor)
        _steps(run, enr, v)
        return CREATED
    enrollment = found
    if intake_id is not None or (enrollment.intake_id is not None
                                 and "intake_code" in run.present):
        return _application(run, enrollment, intake_id, v)

    def act() -> None:
        corrections.correct_enrollment(
            run.uow, enrollment.id, actor=run.actor, applied_on=v["applied_on"],
            **{k: v.get(k) for k in _STEPS if getattr(enrollment, k) is not None})
        if v.get("enrolled_on") is not None and enrollment.enrolled_on is None:
            empower.enroll(run.uow, enrollment.id, on=v["enrolled_on"], actor=run.actor)
        _steps(run, enrollment, v)

    return UPDATED if changed(enrollment, act) else UNCHANGED


def _application(run: ImportRun, enrollment: Enrollment, intake_id: int | None,
                 v: dict[str, Any]) -> str:
    """An application to an intake already recorded: the file may take the later steps (a
    rejection, an exit), not move it or redate what its rules judged."""
    for column, recorded, wanted in (("intake_code", enrollment.intake_id, intake_id),
                                     ("applied_on", enrollment.applied_on, v["applied_on"])):
        if recorded != wanted:
            raise InvalidInput(f"{column}: enrolment #{enrollment.id} is an application to an "
                               f"intake, recorded with another {column}; an import does not "
                               f"move or redate it", code="import.intake_application_differs",
                               params={"id": enrollment.id, "column": column}, field=column,
                               value=v.get(column))
    if v.get("enrolled_on") is not None and v["enrolled_on"] != enrollment.enrolled_on:
        raise InvalidInput("enrolled_on: an application to an intake is enrolled by its "
                           "selection", code="intake.enrol_by_selection",
                           params={"code": v.get("intake_code") or ""}, field="enrolled_on",
                           value=v["enrolled_on"].isoformat())
    return UPDATED if changed(enrollment, lambda: _steps(run, enrollment, v)) else UNCHANGED


def _steps(run: ImportRun, enr: Enrollment, v: dict[str, Any]) -> None:
    if v.get("rejected_on") is not None and enr.rejected_on is None:
        empower.reject_enrollment(run.uow, enr.id, on=v["rejected_on"], actor=run.actor)
    if v.get("exited_on") is not None and enr.exited_on is None:
        if v.get("exit_reason") is None:
            raise InvalidInput("exit_reason: a reason is required with exited_on",
                               code="import.exit_reason_required", field="exit_reason")
        empower.exit_enrollment(run.uow, enr.id, on=v["exited_on"], reason=v["exit_reason"],
                                actor=run.actor)
