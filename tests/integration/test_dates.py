"""The services refuse implausible dates with the rule named: before what the act depends on
(her registration, the program's start, the cooperative's founding), before 1900, or after
today plus the margin; and a grant request of 0 MAD."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

import empower
from empower.errors import InvalidInput
from empower.models import utcnow
from empower.schemas import (
    BeneficiaryCreate,
    BeneficiaryUpdate,
    CooperativeCreate,
    CooperativeUpdate,
    DisbursementCreate,
    EnrollmentCreate,
    GrantCreate,
    MembershipCreate,
    ProgramCreate,
    SurveyCreate,
    parse_input,
)
from tests.factories import (
    ACTOR,
    beneficiary_data,
    make_beneficiary,
    make_enrolled,
    make_grant,
    make_program,
)

D = date
def _today() -> date:
    # Read when the test runs, not at import: a suite that crosses midnight UTC would compare
    # against yesterday.
    return utcnow().date()
FAR = D(9999, 12, 31)


def refused(call, *args, **kwargs) -> InvalidInput:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


def found(uow: empower.UnitOfWork, founded_on: date = D(2023, 6, 1), reference: str = "COOP-1"):
    return empower.found_cooperative(uow, CooperativeCreate(
        reference=reference, name="Tifawin", sector="argan", province_code="04.441",
        founded_on=founded_on), actor=ACTOR)


def approved(uow: empower.UnitOfWork):
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR)
    return program, woman, grant


def pay(uow: empower.UnitOfWork, grant_id: int, on: date):
    return empower.disburse(uow, DisbursementCreate(grant_id=grant_id, amount=Decimal("1000"),
                                                    paid_on=on, channel="cash"), actor=ACTOR)


# -- inputs: a number is not a date --------------------------------------------------------------

def test_a_birth_date_of_1980_is_refused_not_read(uow: empower.UnitOfWork) -> None:
    for value in (1980, 0, "86400"):
        exc = refused(parse_input, BeneficiaryCreate, beneficiary_data(birth_date=value))
        assert (exc.code, exc.field) == ("input.not_a_date", "birth_date")


def test_a_birth_before_1900_is_refused(uow: empower.UnitOfWork) -> None:
    exc = refused(make_beneficiary, uow, birth_date=D(1899, 12, 31))
    assert (exc.code, exc.field) == ("birth_date.before_earliest", "birth_date")
    exc = refused(make_beneficiary, uow, birth_date=D(1990, 3, 4), consent_date=D(1, 1, 1))
    assert (exc.code, exc.field) == ("consent_date.before_birth", "consent_date")


# -- the future --------------------------------------------------------------------------------

def test_a_tranche_paid_on_9999_12_31_is_refused(uow: empower.UnitOfWork) -> None:
    _, _, grant = approved(uow)
    exc = refused(pay, uow, grant.id, FAR)
    assert (exc.code, exc.field) == ("date.in_future", "paid_on")
    assert exc.params == {"value": FAR, "latest": _today() + timedelta(days=1), "margin": 1}
    assert grant.disbursed_centimes == 0


def test_tomorrow_is_within_the_margin(uow: empower.UnitOfWork) -> None:
    _, _, grant = approved(uow)
    assert pay(uow, grant.id, _today() + timedelta(days=1)).paid_on == _today() + timedelta(days=1)
    exc = refused(pay, uow, grant.id, _today() + timedelta(days=2))
    assert exc.code == "date.in_future"


def test_the_margin_is_the_databases_rules(db_url: str) -> None:
    db = empower.connect(db_url, rules=empower.RulesConfig(future_days_margin=10))
    try:
        with db.unit_of_work() as uow:
            _, _, grant = approved(uow)
            pay(uow, grant.id, _today() + timedelta(days=10))
            assert refused(pay, uow, grant.id, _today() + timedelta(days=11)).code == "date.in_future"
    finally:
        db.dispose()


def test_every_act_is_refused_in_the_far_future(uow: empower.UnitOfWork) -> None:
    program, woman, grant = approved(uow)
    other = make_beneficiary(uow)
    coop = found(uow)
    checks = {
        "registered_on": lambda: make_beneficiary(uow, registered_on=FAR, consent_date=FAR),
        "applied_on": lambda: empower.apply(uow, EnrollmentCreate(
            beneficiary_id=other.id, program_id=program.id, applied_on=FAR), actor=ACTOR),
        "submitted_on": lambda: make_grant(uow, program, beneficiary_id=woman.id,
                                           submitted_on=FAR),
        "rejected_on": lambda: empower.reject_grant(
            uow, make_grant(uow, program, beneficiary_id=woman.id).id, on=FAR, actor=ACTOR),
        "cancelled_on": lambda: empower.cancel_grant(uow, grant.id, on=FAR, actor=ACTOR),
        "surveyed_on": lambda: empower.record_survey(uow, SurveyCreate(
            beneficiary_id=woman.id, program_id=program.id, round="baseline", surveyed_on=FAR),
            actor=ACTOR),
        "founded_on": lambda: found(uow, founded_on=FAR, reference="COOP-2"),
        "joined_on": lambda: empower.admit_member(uow, MembershipCreate(
            cooperative_id=coop.id, beneficiary_id=woman.id, joined_on=FAR), actor=ACTOR),
        "dissolved_on": lambda: empower.dissolve_cooperative(uow, coop.id, on=FAR, actor=ACTOR),
    }
    for field, act in checks.items():
        with uow.savepoint():
            exc = refused(act)
        assert (exc.code, exc.field) == ("date.in_future", field), field


def test_the_enrolment_steps_are_refused_in_the_future(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    enr = empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                              applied_on=D(2024, 2, 1)), actor=ACTOR)
    exc = refused(empower.enroll, uow, enr.id, on=FAR, actor=ACTOR)
    assert (exc.code, exc.field) == ("date.in_future", "enrolled_on")
    exc = refused(empower.reject_enrollment, uow, enr.id, on=FAR, actor=ACTOR)
    assert (exc.code, exc.field) == ("date.in_future", "rejected_on")
    empower.enroll(uow, enr.id, on=D(2024, 2, 5), actor=ACTOR)
    exc = refused(empower.exit_enrollment, uow, enr.id, on=FAR, reason="completed", actor=ACTOR)
    assert (exc.code, exc.field) == ("date.in_future", "exited_on")


# -- what an act depends on --------------------------------------------------------------------

def test_a_survey_before_her_registration_is_refused(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, start_date=D(2023, 1, 1))
    woman = make_enrolled(uow, program)  # registered on 2024-01-10
    exc = refused(empower.record_survey, uow, SurveyCreate(
        beneficiary_id=woman.id, program_id=program.id, round="baseline",
        surveyed_on=D(2024, 1, 9)), actor=ACTOR)
    assert (exc.code, exc.field) == ("date.before_registration", "surveyed_on")
    assert exc.params == {"value": D(2024, 1, 9), "registered_on": D(2024, 1, 10)}
    record = empower.record_survey(uow, SurveyCreate(
        beneficiary_id=woman.id, program_id=program.id, round="baseline",
        surveyed_on=D(2024, 2, 5)), actor=ACTOR)
    exc = refused(empower.update_survey, uow, record.id, SurveyCreate(
        beneficiary_id=woman.id, program_id=program.id, round="baseline",
        surveyed_on=D(2023, 6, 1)), actor=ACTOR)
    assert exc.code == "date.before_registration"


def test_a_survey_before_the_program_starts_is_refused(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program, registered_on=D(2023, 5, 1),
                          consent_date=D(2023, 5, 1))
    exc = refused(empower.record_survey, uow, SurveyCreate(
        beneficiary_id=woman.id, program_id=program.id, round="baseline",
        surveyed_on=D(2023, 12, 31)), actor=ACTOR)
    assert (exc.code, exc.field) == ("date.before_program_start", "surveyed_on")


def test_an_application_before_her_registration_or_the_program_is_refused(
        uow: empower.UnitOfWork) -> None:
    program = make_program(uow)  # starts on 2024-01-01
    woman = make_beneficiary(uow)  # registered on 2024-01-10
    for on, code in ((D(2024, 1, 5), "date.before_registration"),
                     (D(2023, 12, 1), "date.before_program_start")):
        exc = refused(empower.apply, uow, EnrollmentCreate(
            beneficiary_id=woman.id, program_id=program.id, applied_on=on), actor=ACTOR)
        assert (exc.code, exc.field) == (code, "applied_on")
    enr = empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                              applied_on=D(2024, 1, 10)), actor=ACTOR)
    exc = refused(empower.correct_enrollment, uow, enr.id, actor=ACTOR, applied_on=D(2024, 1, 9))
    assert exc.code == "date.before_registration"


def test_a_grant_request_before_what_it_depends_on_is_refused(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    coop = found(uow, founded_on=D(2024, 4, 1))
    for kwargs, on, code in (
            ({"beneficiary_id": woman.id}, D(2023, 12, 31), "date.before_program_start"),
            ({"beneficiary_id": woman.id}, D(2024, 1, 9), "date.before_registration"),
            ({"cooperative_id": coop.id}, D(2024, 3, 31), "date.before_founding")):
        exc = refused(make_grant, uow, program, submitted_on=on, **kwargs)
        assert (exc.code, exc.field) == (code, "submitted_on")
    grant = make_grant(uow, program, beneficiary_id=woman.id, submitted_on=D(2024, 3, 1))
    exc = refused(empower.correct_grant, uow, grant.id, actor=ACTOR, submitted_on=D(2024, 1, 2))
    assert exc.code == "date.before_registration"


def test_a_grant_request_of_zero_is_refused(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    exc = refused(make_grant, uow, program, beneficiary_id=woman.id, amount="0")
    assert (exc.code, exc.field) == ("grant.requested_zero", "amount_requested")
    exc = refused(empower.submit_grant, uow, parse_input(GrantCreate, {
        "reference": "G-0", "program_id": program.id, "beneficiary_id": woman.id,
        "amount_requested": "0,00 MAD", "submitted_on": "2024-03-01"}), actor=ACTOR)
    assert exc.code == "grant.requested_zero"


def test_a_cooperative_founded_in_year_one_is_refused(uow: empower.UnitOfWork) -> None:
    exc = refused(found, uow, founded_on=D(1, 1, 1))
    assert (exc.code, exc.field) == ("cooperative.founded_before_earliest", "founded_on")
    coop = found(uow)
    exc = refused(empower.update_cooperative, uow, coop.id, CooperativeUpdate(founded_on=D(1, 1, 1)),
                  actor=ACTOR)
    assert exc.code == "cooperative.founded_before_earliest"


def test_a_program_starting_in_year_one_is_refused(uow: empower.UnitOfWork) -> None:
    exc = refused(make_program, uow, start_date=D(1, 1, 1))
    assert (exc.code, exc.field) == ("program.start_before_earliest", "start_date")


# -- a date cannot move after the acts that depend on it --------------------------------------

def test_her_registration_cannot_move_after_her_application(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program, on=D(2024, 2, 1))
    exc = refused(empower.update_beneficiary, uow, woman.id,
                  BeneficiaryUpdate(registered_on=D(2024, 3, 1)), actor=ACTOR)
    assert (exc.code, exc.field) == ("beneficiary.registered_after_acts", "registered_on")
    assert exc.params == {"value": D(2024, 3, 1), "act": "enrolment", "act_on": D(2024, 2, 1)}
    empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(registered_on=D(2024, 1, 20)),
                               actor=ACTOR)


def test_a_program_cannot_start_after_its_first_application(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    make_enrolled(uow, program, on=D(2024, 2, 1))
    data = {"code": "AWAL", "name": "Awal", "budget": Decimal("1000000"),
            "grant_cap": Decimal("50000")}
    exc = refused(empower.update_program, uow, program.id,
                  ProgramCreate(**data, start_date=D(2024, 3, 1)), actor=ACTOR)
    assert (exc.code, exc.field) == ("program.start_after_acts", "start_date")
    assert exc.params["act_on"] == D(2024, 2, 1)


def test_a_cooperative_cannot_be_founded_after_a_member_joined(uow: empower.UnitOfWork) -> None:
    coop = found(uow)
    woman = make_beneficiary(uow)
    empower.admit_member(uow, MembershipCreate(cooperative_id=coop.id, beneficiary_id=woman.id,
                                               joined_on=D(2024, 2, 1)), actor=ACTOR)
    exc = refused(empower.update_cooperative, uow, coop.id,
                  CooperativeUpdate(founded_on=D(2024, 5, 1)), actor=ACTOR)
    assert (exc.code, exc.field) == ("cooperative.founded_after_acts", "founded_on")
    assert exc.params["act"] == "membership"
