"""Enrolment transitions and cooperative membership against a real database."""

from __future__ import annotations

from datetime import date

import pytest

import empower
from empower.audit import audit_trail
from empower.errors import Conflict, InvalidInput, InvalidTransition, NotEligible, RuleViolation
from empower.models import Cooperative, Enrollment
from empower.schemas import (
    CooperativeCreate,
    CooperativeUpdate,
    EnrollmentCreate,
    MembershipCreate,
    SurveyCreate,
)
from tests.factories import ACTOR, make_beneficiary, make_program

D = date


def application(uow: empower.UnitOfWork, program, woman, on: date = D(2024, 2, 1),
                enrolled_on: date | None = None) -> Enrollment:
    return empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                               applied_on=on, enrolled_on=enrolled_on),
                         actor=ACTOR)


def test_enrollment_transitions_follow_the_machine(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    enr = application(uow, program, woman)
    assert enr.status == "applied"
    with pytest.raises(InvalidTransition):
        empower.exit_enrollment(uow, enr.id, on=D(2024, 3, 1), reason="completed", actor=ACTOR)
    with pytest.raises(InvalidInput):
        empower.enroll(uow, enr.id, on=D(2024, 1, 31), actor=ACTOR)  # before applying
    empower.enroll(uow, enr.id, on=D(2024, 2, 5), actor=ACTOR)
    assert (enr.status, enr.enrolled_on) == ("enrolled", D(2024, 2, 5))
    for act in (empower.enroll, empower.reject_enrollment):
        with pytest.raises(InvalidTransition):
            act(uow, enr.id, on=D(2024, 3, 1), actor=ACTOR)
    with pytest.raises(InvalidInput):
        empower.exit_enrollment(uow, enr.id, on=D(2024, 2, 4), reason="abandon", actor=ACTOR)
    with pytest.raises(InvalidInput):
        empower.exit_enrollment(uow, enr.id, on=D(2024, 9, 1), reason="bored", actor=ACTOR)
    empower.exit_enrollment(uow, enr.id, on=D(2024, 9, 1), reason="abandon", actor=ACTOR)
    assert (enr.status, enr.exited_on, enr.exit_reason) == ("exited", D(2024, 9, 1),
                                                            "dropped_out")
    for act in (empower.enroll, empower.reject_enrollment):
        with pytest.raises(InvalidTransition):
            act(uow, enr.id, on=D(2024, 10, 1), actor=ACTOR)
    with pytest.raises(InvalidTransition):
        empower.exit_enrollment(uow, enr.id, on=D(2024, 10, 1), reason="moved", actor=ACTOR)
    trail = audit_trail(uow, "enrollment", enr.id)
    assert [e.action for e in trail] == ["apply", "enroll", "exit"]
    assert trail[-1].changes["exit_reason"] == "dropped_out"


def test_rejected_application_is_final(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    enr = application(uow, program, woman)
    empower.reject_enrollment(uow, enr.id, on=D(2024, 2, 3), actor=ACTOR, reason="full")
    assert (enr.status, enr.rejected_on) == ("rejected", D(2024, 2, 3))
    with pytest.raises(InvalidTransition):
        empower.enroll(uow, enr.id, on=D(2024, 2, 4), actor=ACTOR)
    # One enrolment record per woman and program.
    with pytest.raises(Conflict) as err:
        application(uow, program, woman, on=D(2024, 3, 1))
    assert err.value.existing_id == enr.id


def test_enrollment_within_the_program_dates(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, start_date=D(2024, 1, 1), end_date=D(2024, 12, 31))
    woman = make_beneficiary(uow)
    with pytest.raises(NotEligible):
        application(uow, program, woman, on=D(2025, 1, 1), enrolled_on=D(2025, 1, 1))
    # apply + enrol is one act: the failed enrolment left no application behind.
    enr = application(uow, program, woman, on=D(2024, 12, 1), enrolled_on=D(2024, 12, 31))
    assert enr.status == "enrolled"


def test_surveys_need_an_enrolment_and_one_per_round(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)

    def survey(round_: str, on: date) -> object:
        return empower.record_survey(uow, SurveyCreate(
            beneficiary_id=woman.id, program_id=program.id, round=round_, surveyed_on=on,
            monthly_income="1 200,50"), actor=ACTOR)

    with pytest.raises(NotEligible):
        survey("baseline", D(2024, 2, 1))
    application(uow, program, woman, enrolled_on=D(2024, 2, 1))
    base = survey("baseline", D(2024, 2, 1))
    assert base.monthly_income_centimes == 120_050
    with pytest.raises(Conflict):
        survey("ligne de base", D(2024, 2, 2))
    with pytest.raises(InvalidInput):
        survey("m6", D(2024, 1, 31))
    survey("6m", D(2024, 8, 1))


# --- cooperatives ------------------------------------------------------------------------------


def coop(uow: empower.UnitOfWork, founded_on: date = D(2023, 1, 1),
         reference: str = "COOP-1") -> Cooperative:
    return empower.found_cooperative(uow, CooperativeCreate(
        reference=reference, name="Coopérative Amal 2", name_ar="تعاونية أمل",
        sector="Artisanat", province_code="04.441", founded_on=founded_on), actor=ACTOR)


def admit(uow: empower.UnitOfWork, c: Cooperative, woman, on: date, role: str = "membre"):
    return empower.admit_member(uow, MembershipCreate(cooperative_id=c.id,
                                                      beneficiary_id=woman.id, role=role,
                                                      joined_on=on), actor=ACTOR)


def test_cooperative_reference_unique_and_names_checked(uow: empower.UnitOfWork) -> None:
    c = coop(uow)
    assert c.sector == "crafts"
    with pytest.raises(Conflict) as err:
        coop(uow)
    assert err.value.existing_id == c.id
    with pytest.raises(InvalidInput):
        empower.found_cooperative(uow, CooperativeCreate(
            reference="COOP-2", name_ar="Amal", sector="argan", province_code="04.441",
            founded_on=D(2023, 1, 1)), actor=ACTOR)
    with pytest.raises(InvalidInput):
        empower.found_cooperative(uow, CooperativeCreate(
            reference="COOP-3", sector="argan", province_code="04.441",
            founded_on=D(2023, 1, 1)), actor=ACTOR)


@pytest.mark.parametrize(("founded_on", "dissolved_on", "joined_on", "ok"), [
    (D(2023, 1, 1), None, D(2023, 1, 1), True),
    (D(2023, 1, 1), None, D(2022, 12, 31), False),
    (D(2023, 1, 1), D(2024, 6, 1), D(2024, 5, 31), True),
    (D(2023, 1, 1), D(2024, 6, 1), D(2024, 6, 1), False),
    (D(2023, 1, 1), D(2024, 6, 1), D(2024, 7, 1), False),
])
def test_a_member_joins_a_cooperative_active_on_her_joining_date(
        uow: empower.UnitOfWork, founded_on: date, dissolved_on: date | None, joined_on: date,
        ok: bool) -> None:
    c = coop(uow, founded_on=founded_on)
    if dissolved_on:
        empower.dissolve_cooperative(uow, c.id, on=dissolved_on, actor=ACTOR)
    woman = make_beneficiary(uow, registered_on=D(2022, 1, 1), consent_date=D(2022, 1, 1))
    if ok:
        m = admit(uow, c, woman, joined_on)
        assert m.joined_on == joined_on
    else:
        with pytest.raises(NotEligible) as err:
            admit(uow, c, woman, joined_on)
        assert err.value.field == "joined_on"


def test_dissolution_ends_memberships(uow: empower.UnitOfWork) -> None:
    c = coop(uow)
    a = make_beneficiary(uow, first_name="Amina")
    b = make_beneficiary(uow, first_name="Saida", birth_date=D(1980, 1, 1))
    ma = admit(uow, c, a, D(2024, 1, 15), role="Présidente")
    mb = admit(uow, c, b, D(2024, 1, 15))
    assert ma.role == "president"
    with pytest.raises(Conflict):
        admit(uow, c, a, D(2024, 2, 1))
    empower.remove_member(uow, mb.id, on=D(2024, 3, 1), actor=ACTOR)
    with pytest.raises(RuleViolation):
        empower.remove_member(uow, mb.id, on=D(2024, 4, 1), actor=ACTOR)
    empower.dissolve_cooperative(uow, c.id, on=D(2024, 6, 1), actor=ACTOR)
    assert (ma.left_on, mb.left_on) == (D(2024, 6, 1), D(2024, 3, 1))
    with pytest.raises(RuleViolation):
        empower.dissolve_cooperative(uow, c.id, on=D(2024, 7, 1), actor=ACTOR)


def test_member_admitted_after_dissolution_was_recorded_leaves_on_that_date(
        uow: empower.UnitOfWork) -> None:
    """Back-dated joining into a cooperative whose dissolution is already recorded."""
    c = coop(uow)
    empower.dissolve_cooperative(uow, c.id, on=D(2024, 6, 1), actor=ACTOR)
    woman = make_beneficiary(uow)
    m = admit(uow, c, woman, D(2024, 2, 1))
    assert m.left_on == D(2024, 6, 1)


def test_update_cooperative_audits_only_changes(uow: empower.UnitOfWork) -> None:
    c = coop(uow)
    empower.update_cooperative(uow, c.id, CooperativeUpdate(sector="crafts"), actor=ACTOR)
    assert len(audit_trail(uow, "cooperative", c.id)) == 1
    empower.update_cooperative(uow, c.id, CooperativeUpdate(sector="textile", women_led=True),
                               actor="user:x")
    trail = audit_trail(uow, "cooperative", c.id)
    assert [(e.action, e.actor) for e in trail] == [("found", ACTOR), ("update", "user:x")]
    assert trail[-1].changes == {"sector": ["crafts", "textiles"], "women_led": [False, True]}
    with pytest.raises(InvalidInput):
        empower.update_cooperative(uow, c.id, CooperativeUpdate(province_code="99.999"),
                                   actor=ACTOR)
