"""Outcome surveys: baseline, then follow-ups at 6, 12 and 24 months."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import Conflict, InvalidInput, NotEligible
from empower.models import Beneficiary, Enrollment, Program, SurveyRecord
from empower.rules import centimes, check_after_program_start, check_after_registration
from empower.schemas import SurveyCreate
from empower.services._common import check_not_in_future, get
from empower.vocab import EnrollmentStatus, SurveyRound

__all__ = ["record_survey"]


def check_survey_date(uow: UnitOfWork, on: date, person: Beneficiary, program: Program) -> None:
    """A survey's date: no earlier than her registration and the program's start, no later
    than today plus the margin.

    Raises ``InvalidInput`` (``date.before_registration``, ``date.before_program_start``,
    ``date.in_future``).
    """
    check_after_program_start(on, program.code, program.start_date, field="surveyed_on")
    check_after_registration(on, person.registered_on, field="surveyed_on")
    check_not_in_future(uow, on, field="surveyed_on")


def record_survey(uow: UnitOfWork, data: SurveyCreate, *, actor: str) -> SurveyRecord:
    """Record one survey round for a woman who applied to or joined the program.

    One record per beneficiary, program and round; a follow-up cannot be dated before her
    baseline in the same program, nor any round before her registration or the program's
    start or after today plus the margin (``InvalidInput``, :func:`check_survey_date`).
    """
    audit.check_actor(actor)
    person = get(uow, Beneficiary, data.beneficiary_id, what="beneficiary")
    program = get(uow, Program, data.program_id, what="program")
    if person.erased_on is not None:
        raise NotEligible(f"beneficiary #{person.id} was erased", code="survey.beneficiary_erased",
                          params={"id": person.id}, field="beneficiary_id",
                          value=person.id)
    enrolment = uow.session.scalar(select(Enrollment).where(
        Enrollment.beneficiary_id == person.id, Enrollment.program_id == program.id))
    if enrolment is None or enrolment.status == EnrollmentStatus.REJECTED:
        raise NotEligible(f"beneficiary #{person.id} has no enrolment in program {program.code}",
                          code="survey.not_enrolled",
                          params={"id": person.id, "program": program.code},
                          field="program_code", value=program.code)
    check_survey_date(uow, data.surveyed_on, person, program)
    other = uow.session.scalar(select(SurveyRecord.id).where(
        SurveyRecord.beneficiary_id == person.id, SurveyRecord.program_id == program.id,
        SurveyRecord.round == data.round))
    if other is not None:
        raise Conflict(f"round: beneficiary #{person.id} already has a {data.round.value} survey "
                       f"in {program.code} (survey #{other})", code="survey.round_exists",
                       params={"id": person.id, "round": data.round.value,
                               "program": program.code, "existing_id": other}, field="round",
                       value=data.round.value, existing_id=other)
    if data.round != SurveyRound.BASELINE:
        baseline_on = uow.session.scalar(select(SurveyRecord.surveyed_on).where(
            SurveyRecord.beneficiary_id == person.id, SurveyRecord.program_id == program.id,
            SurveyRecord.round == SurveyRound.BASELINE))
        if baseline_on is not None and data.surveyed_on < baseline_on:
            raise InvalidInput(f"surveyed_on: {data.surveyed_on.isoformat()} is before her "
                               f"baseline on {baseline_on.isoformat()}",
                               code="survey.before_baseline",
                               params={"surveyed_on": data.surveyed_on, "baseline_on": baseline_on},
                               field="surveyed_on",
                               value=data.surveyed_on.isoformat())
    values = data.model_dump(exclude={"monthly_income"})
    income = None if data.monthly_income is None else centimes(data.monthly_income,
                                                                field="monthly_income")
    record = SurveyRecord(**values, monthly_income_centimes=income)
    uow.session.add(record)
    uow.session.flush()
    audit.record(uow, actor=actor, action="record", entity="survey", entity_id=record.id,
                 changes=data.model_dump())
    return record
