"""Applications, enrolments, rejections and exits (the enrolment state machine)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import Conflict, InvalidInput
from empower.models import Beneficiary, Enrollment, Program
from empower.rules import check_after_program_start, check_after_registration, free_text
from empower.schemas import EnrollmentCreate
from empower.services._common import (
    check_not_archived,
    check_not_in_future,
    check_program_running,
    get,
)
from empower.states import check_transition
from empower.vocab import EnrollmentStatus, ExitReason, parse_choice

__all__ = ["apply", "check_enrollable", "enroll", "enrolled_changes", "exit_enrollment",
           "reject_enrollment"]


def check_application_date(uow: UnitOfWork, on: date, person: Beneficiary,
                           program: Program) -> None:
    """An application's date: after her registration and the program's start, not in the future.

    Raises ``InvalidInput`` (``date.before_registration``, ``date.before_program_start``,
    ``date.in_future``).
    """
    check_after_program_start(on, program.code, program.start_date, field="applied_on")
    check_after_registration(on, person.registered_on, field="applied_on")
    check_not_in_future(uow, on, field="applied_on")


def apply(uow: UnitOfWork, data: EnrollmentCreate, *, actor: str) -> Enrollment:
    """Record her application to a program; with ``enrolled_on`` set, enrol her in the same act.

    The application is dated no earlier than her registration and the program's start, and no
    later than today plus the margin (``InvalidInput``). With ``intake_id`` it is an application
    to that open call, judged by its rules as of ``applied_on``
    (:func:`empower.services.targeting.judge_application`): she is refused that day, with the
    rules she failed recorded, when she does not pass them all.
    """
    audit.check_actor(actor)
    person = get(uow, Beneficiary, data.beneficiary_id, what="beneficiary")
    program = get(uow, Program, data.program_id, what="program")
    check_not_archived(person, data.applied_on)
    check_application_date(uow, data.applied_on, person, program)
    other = uow.session.scalar(select(Enrollment.id).where(
        Enrollment.beneficiary_id == person.id, Enrollment.program_id == program.id))
    if other is not None:
        raise Conflict(f"beneficiary #{person.id} already has an enrolment in {program.code} "
                       f"(enrolment #{other})", code="enrolment.exists",
                       params={"id": person.id, "program": program.code, "existing_id": other},
                       field="program_id", value=program.id,
                       existing_id=other)
    if data.enrolled_on is not None:
        # Check the enrolment before writing the application, so a refused enrolment does not
        # leave an application behind in the caller's unit of work.
        if data.enrolled_on < data.applied_on:
            raise InvalidInput(f"enrolled_on: {data.enrolled_on.isoformat()} is before her "
                               f"application on {data.applied_on.isoformat()}",
                               code="enrolment.enrolled_before_application",
                               params={"enrolled_on": data.enrolled_on,
                                       "applied_on": data.applied_on},
                               field="enrolled_on", value=data.enrolled_on.isoformat())
        check_not_archived(person, data.enrolled_on)
        check_program_running(program, data.enrolled_on, field="enrolled_on")
        check_not_in_future(uow, data.enrolled_on, field="enrolled_on")
    enrollment = Enrollment(beneficiary_id=person.id, program_id=program.id,
                            status=EnrollmentStatus.APPLIED, applied_on=data.applied_on)
    changes: dict[str, object] = {"beneficiary_id": person.id, "program_id": program.id,
                                  "applied_on": data.applied_on}
    if data.intake_id is not None:
        from empower.services.targeting import judge_application

        judge_application(uow, enrollment, data, person)
        changes.update(intake_id=data.intake_id, eligible=enrollment.eligible,
                       rules_version=enrollment.rules_version,
                       failed=[r["rule"] for r in enrollment.rule_results or []
                               if r["outcome"] != "passed"])
    uow.session.add(enrollment)
    uow.session.flush()
    audit.record(uow, actor=actor, action="apply", entity="enrollment", entity_id=enrollment.id,
                 changes=changes)
    if data.enrolled_on is not None:
        enroll(uow, enrollment.id, on=data.enrolled_on, actor=actor)
    return enrollment


def enroll(uow: UnitOfWork, enrollment_id: int, *, on: date, actor: str) -> Enrollment:
    """Accept an application: she is enrolled from ``on`` (within the program's dates).

    Raises ``InvalidInput`` for a date before her application or after today plus the margin,
    ``NotEligible`` outside the program's dates or after her archive.
    """
    audit.check_actor(actor)
    enrollment = get(uow, Enrollment, enrollment_id, what="enrollment", lock=True)
    status = check_enrollable(enrollment.id, enrollment.status, enrollment.applied_on,
                              enrollment.beneficiary, enrollment.program, on)
    check_not_in_future(uow, on, field="enrolled_on")
    before = enrollment.status
    enrollment.status = status
    enrollment.enrolled_on = on
    uow.session.flush()
    audit.record(uow, actor=actor, action="enroll", entity="enrollment", entity_id=enrollment.id,
                 changes=enrolled_changes(before, on))
    return enrollment


def check_enrollable(enrollment_id: int, status: EnrollmentStatus, applied_on: date,
                     person: Beneficiary, program: Program, on: date) -> EnrollmentStatus:
    """The rules of enrolling one application on ``on`` (all but the date's not being in the
    future, which a caller enrolling many checks once): the state after it.

    Used by :func:`enroll` and, for many at once, by the selection of an intake
    (:func:`empower.services.targeting.select_intake`), so both refuse the same. Raises
    ``InvalidTransition``, ``InvalidInput`` (``enrolment.enrolled_before_application``),
    ``NotEligible`` (archived or erased, outside the program's dates).
    """
    after = check_transition(status, "enroll", what="enrolment", ref=f"#{enrollment_id}")
    if on < applied_on:
        raise InvalidInput(f"enrolled_on: {on.isoformat()} is before her application on "
                           f"{applied_on.isoformat()}",
                           code="enrolment.enrolled_before_application",
                           params={"enrolled_on": on, "applied_on": applied_on},
                           field="enrolled_on",
                           value=on.isoformat())
    check_not_archived(person, on)
    check_program_running(program, on, field="enrolled_on")
    return after


def enrolled_changes(before: EnrollmentStatus, on: date) -> dict[str, object]:
    """What the audit log records of an enrolment (the same for one and for a selection)."""
    return {"status": [before, EnrollmentStatus.ENROLLED], "enrolled_on": on}


def reject_enrollment(uow: UnitOfWork, enrollment_id: int, *, on: date, actor: str,
                      reason: str | None = None) -> Enrollment:
    """Turn down an application."""
    audit.check_actor(actor)
    reason = free_text(reason, field="reason")
    enrollment = get(uow, Enrollment, enrollment_id, what="enrollment", lock=True)
    status = check_transition(enrollment.status, "reject",
                              what="enrolment", ref=f"#{enrollment_id}")
    if on < enrollment.applied_on:
        raise InvalidInput(f"rejected_on: {on.isoformat()} is before the application",
                           code="enrolment.rejected_before_application",
                           params={"rejected_on": on}, field="rejected_on", value=on.isoformat())
    check_not_in_future(uow, on, field="rejected_on")
    before = enrollment.status
    enrollment.status = status
    enrollment.rejected_on = on
    uow.session.flush()
    audit.record(uow, actor=actor, action="reject", entity="enrollment", entity_id=enrollment.id,
                 changes={"status": [before, EnrollmentStatus.REJECTED],
                          "rejected_on": on, "reason": reason})
    return enrollment


def exit_enrollment(uow: UnitOfWork, enrollment_id: int, *, on: date,
                    reason: ExitReason | str, actor: str) -> Enrollment:
    """End an enrolment on ``on`` with a reason (completed, dropped_out, moved, ...)."""
    audit.check_actor(actor)
    why = reason if isinstance(reason, ExitReason) else parse_choice(ExitReason, reason,
                                                                    field="exit_reason")
    enrollment = get(uow, Enrollment, enrollment_id, what="enrollment", lock=True)
    status = check_transition(enrollment.status, "exit",
                              what="enrolment", ref=f"#{enrollment_id}")
    assert enrollment.enrolled_on is not None
    if on < enrollment.enrolled_on:
        raise InvalidInput(f"exited_on: {on.isoformat()} is before she was enrolled on "
                           f"{enrollment.enrolled_on.isoformat()}",
                           code="enrolment.exited_before_enrolled",
                           params={"exited_on": on, "enrolled_on": enrollment.enrolled_on},
                           field="exited_on",
                           value=on.isoformat())
    check_not_in_future(uow, on, field="exited_on")
    enrollment.status = status
    enrollment.exited_on = on
    enrollment.exit_reason = why
    uow.session.flush()
    audit.record(uow, actor=actor, action="exit", entity="enrollment", entity_id=enrollment.id,
                 changes={"status": [EnrollmentStatus.ENROLLED, EnrollmentStatus.EXITED],
                          "exited_on": on, "exit_reason": why})
    return enrollment
