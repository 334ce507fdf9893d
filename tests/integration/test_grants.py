"""Grants and tranches: eligibility on the approval date, cap, budget, tranches, cancellation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import empower
from empower.audit import audit_trail
from empower.errors import (
    BudgetExceeded,
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotEligible,
    OverDisbursement,
)
from empower.models import Disbursement, Grant, Program
from empower.schemas import (
    CooperativeCreate,
    DisbursementCreate,
    EnrollmentCreate,
)
from tests.factories import ACTOR, make_beneficiary, make_enrolled, make_grant, make_program

D = date


def pay(uow: empower.UnitOfWork, grant: Grant, amount: str, on: date = D(2024, 4, 1),
        reference: str | None = None, actor: str = ACTOR) -> Disbursement:
    return empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal(amount),
                                                    paid_on=on, channel="virement",
                                                    reference=reference), actor=actor)


def committed(uow: empower.UnitOfWork, program: Program) -> int:
    return uow.session.scalar(select(Program.committed_centimes).where(Program.id == program.id))


def test_grant_needs_exactly_one_recipient(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    with pytest.raises(InvalidInput):
        make_grant(uow, program)
    woman = make_beneficiary(uow)
    coop = found(uow)
    with pytest.raises(InvalidInput):
        make_grant(uow, program, beneficiary_id=woman.id, cooperative_id=coop.id)


def test_grant_reference_is_unique(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    first = make_grant(uow, program, beneficiary_id=woman.id, reference="G-1")
    with pytest.raises(Conflict) as err:
        make_grant(uow, program, beneficiary_id=woman.id, reference="G-1")
    assert err.value.existing_id == first.id


# --- eligibility on the approval date ----------------------------------------------------------


def test_not_enrolled_in_that_program_is_not_eligible(uow: empower.UnitOfWork) -> None:
    awal = make_program(uow)
    other = make_program(uow, code="TANY", name="Tany")
    woman = make_enrolled(uow, other)  # enrolled, but in another program
    grant = make_grant(uow, awal, beneficiary_id=woman.id)
    with pytest.raises(NotEligible) as err:
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)
    assert "AWAL" in err.value.message
    assert grant.status == "submitted"
    assert committed(uow, awal) == 0


def test_an_application_alone_is_not_enough(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    enrolment = empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id,
                                                    program_id=program.id,
                                                    applied_on=D(2024, 2, 1)), actor=ACTOR)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    with pytest.raises(NotEligible):
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)
    empower.reject_enrollment(uow, enrolment.id, on=D(2024, 2, 10), actor=ACTOR)
    with pytest.raises(NotEligible):
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)


@pytest.mark.parametrize(("enrolled_on", "exited_on", "approved_on", "ok"), [
    (D(2024, 2, 1), None, D(2024, 3, 5), True),
    (D(2024, 3, 5), None, D(2024, 3, 5), True),       # enrolled that very day
    (D(2024, 3, 6), None, D(2024, 3, 5), False),      # enrolled the day after
    (D(2024, 2, 1), D(2024, 3, 6), D(2024, 3, 5), True),   # exited later
    (D(2024, 2, 1), D(2024, 3, 5), D(2024, 3, 5), False),  # exited that day
    (D(2024, 2, 1), D(2024, 3, 1), D(2024, 3, 5), False),  # exited before
])
def test_enrollment_must_be_active_on_the_approval_date(
        uow: empower.UnitOfWork, enrolled_on: date, exited_on: date | None, approved_on: date,
        ok: bool) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program, on=enrolled_on)
    if exited_on is not None:
        [enrolment] = woman.enrollments
        empower.exit_enrollment(uow, enrolment.id, on=exited_on, reason="completed", actor=ACTOR)
    grant = make_grant(uow, program, beneficiary_id=woman.id, submitted_on=D(2024, 1, 15))
    if ok:
        empower.approve_grant(uow, grant.id, on=approved_on, actor=ACTOR)
        assert (grant.status, grant.approved_on) == ("approved", approved_on)
    else:
        with pytest.raises(NotEligible):
            empower.approve_grant(uow, grant.id, on=approved_on, actor=ACTOR)


def found(uow: empower.UnitOfWork, reference: str = "COOP-1",
          founded_on: date = D(2023, 6, 1)) -> empower.models.Cooperative:
    return empower.found_cooperative(uow, CooperativeCreate(
        reference=reference, name="Coopérative Tifawin", name_ar="تعاونية تيفاوين",
        sector="argan", province_code="04.441", founded_on=founded_on, women_led=True),
        actor=ACTOR)


@pytest.mark.parametrize(("founded_on", "dissolved_on", "approved_on", "ok"), [
    (D(2023, 6, 1), None, D(2024, 3, 5), True),
    (D(2024, 3, 5), None, D(2024, 3, 5), True),
    (D(2024, 3, 6), None, D(2024, 3, 6), True),
    (D(2023, 6, 1), D(2024, 3, 6), D(2024, 3, 5), True),
    (D(2023, 6, 1), D(2024, 3, 5), D(2024, 3, 5), False),
    (D(2023, 6, 1), D(2024, 3, 1), D(2024, 3, 5), False),
])
def test_cooperative_must_be_active_on_the_approval_date(
        uow: empower.UnitOfWork, founded_on: date, dissolved_on: date | None, approved_on: date,
        ok: bool) -> None:
    program = make_program(uow)
    coop = found(uow, founded_on=founded_on)
    if dissolved_on is not None:
        empower.dissolve_cooperative(uow, coop.id, on=dissolved_on, actor=ACTOR)
    # Requested no earlier than its founding (a request is dated after what it depends on).
    grant = make_grant(uow, program, cooperative_id=coop.id,
                       submitted_on=max(founded_on, D(2024, 1, 15)))
    if ok:
        empower.approve_grant(uow, grant.id, on=approved_on, actor=ACTOR)
    else:
        with pytest.raises(NotEligible):
            empower.approve_grant(uow, grant.id, on=approved_on, actor=ACTOR)


def test_cooperative_not_yet_founded_cannot_request_a_grant(uow: empower.UnitOfWork) -> None:
    # Nor, therefore, be approved one before its founding.
    program = make_program(uow)
    coop = found(uow, founded_on=D(2024, 4, 1))
    with pytest.raises(InvalidInput) as caught:
        make_grant(uow, program, cooperative_id=coop.id, submitted_on=D(2024, 1, 15))
    assert caught.value.code == "date.before_founding"
    assert caught.value.params["founded_on"] == D(2024, 4, 1)


def test_archived_beneficiary_is_not_eligible_after_her_archive(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    g1 = make_grant(uow, program, beneficiary_id=woman.id)
    g2 = make_grant(uow, program, beneficiary_id=woman.id)
    empower.archive_beneficiary(uow, woman.id, actor=ACTOR, on=D(2024, 4, 1))
    empower.approve_grant(uow, g1.id, on=D(2024, 3, 31), actor=ACTOR)
    with pytest.raises(NotEligible):
        empower.approve_grant(uow, g2.id, on=D(2024, 4, 1), actor=ACTOR)


def test_program_must_be_running_on_the_approval_date(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, end_date=D(2024, 6, 30))
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    with pytest.raises(NotEligible):
        empower.approve_grant(uow, grant.id, on=D(2024, 7, 1), actor=ACTOR)
    with pytest.raises(InvalidInput):
        empower.approve_grant(uow, grant.id, on=D(2024, 2, 28), actor=ACTOR)  # before submission


# --- amounts -----------------------------------------------------------------------------------


def test_per_grant_cap(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, grant_cap=Decimal("15000"))
    woman = make_enrolled(uow, program)
    above = make_grant(uow, program, beneficiary_id=woman.id, amount="15000.01")
    with pytest.raises(BudgetExceeded) as err:
        empower.approve_grant(uow, above.id, on=D(2024, 3, 5), actor=ACTOR)
    assert "cap" in err.value.message
    # Approving less than requested, within the cap, is allowed.
    empower.approve_grant(uow, above.id, on=D(2024, 3, 5), actor=ACTOR, amount=Decimal("15000"))
    assert above.amount_approved_centimes == 1_500_000


def test_never_above_the_amount_requested(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id, amount="10000")
    with pytest.raises(BudgetExceeded):
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR,
                              amount=Decimal("10000.01"))
    with pytest.raises(InvalidInput):
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR, amount=Decimal(0))


def test_remaining_budget(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, budget=Decimal("50000"), grant_cap=None)
    woman = make_enrolled(uow, program)
    g1 = make_grant(uow, program, beneficiary_id=woman.id, amount="30000")
    g2 = make_grant(uow, program, beneficiary_id=woman.id, amount="20000.01")
    g3 = make_grant(uow, program, beneficiary_id=woman.id, amount="20000")
    empower.approve_grant(uow, g1.id, on=D(2024, 3, 5), actor=ACTOR)
    with pytest.raises(BudgetExceeded) as err:
        empower.approve_grant(uow, g2.id, on=D(2024, 3, 5), actor=ACTOR)
    assert "20000.00 MAD" in err.value.message  # what is left
    empower.approve_grant(uow, g3.id, on=D(2024, 3, 5), actor=ACTOR)  # exactly what is left
    assert committed(uow, program) == 5_000_000
    assert g2.status == "submitted"


def test_closing_a_partly_paid_grant_releases_the_remainder(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, budget=Decimal("30000"), grant_cap=None)
    woman = make_enrolled(uow, program)
    g1 = make_grant(uow, program, beneficiary_id=woman.id, amount="30000")
    empower.approve_grant(uow, g1.id, on=D(2024, 3, 5), actor=ACTOR)
    pay(uow, g1, "12000")
    assert committed(uow, program) == 3_000_000
    empower.close_grant(uow, g1.id, on=D(2024, 6, 1), actor=ACTOR)
    assert (g1.status, g1.closed_on) == ("closed", D(2024, 6, 1))
    assert committed(uow, program) == 1_200_000  # the 18,000 MAD not needed go back
    assert audit_trail(uow, "grant", g1.id)[-1].changes["released"] == "18000.00"
    with pytest.raises(InvalidTransition):
        pay(uow, g1, "1", on=D(2024, 6, 2))


def test_cancel_releases_the_unpaid_amount(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, budget=Decimal("30000"), grant_cap=None)
    woman = make_enrolled(uow, program)
    g1 = make_grant(uow, program, beneficiary_id=woman.id, amount="30000")
    empower.approve_grant(uow, g1.id, on=D(2024, 3, 5), actor=ACTOR)
    pay(uow, g1, "10000")
    g2 = make_grant(uow, program, beneficiary_id=woman.id, amount="20000")
    with pytest.raises(BudgetExceeded):
        empower.approve_grant(uow, g2.id, on=D(2024, 4, 5), actor=ACTOR)
    with pytest.raises(InvalidInput):
        empower.cancel_grant(uow, g1.id, on=D(2024, 3, 4), actor=ACTOR)  # before approval
    empower.cancel_grant(uow, g1.id, on=D(2024, 4, 2), actor="user:boss", reason="abandon")
    assert (g1.status, g1.cancelled_on, g1.disbursed_centimes) == ("cancelled", D(2024, 4, 2),
                                                                    1_000_000)
    assert committed(uow, program) == 1_000_000  # what was paid stays spent
    empower.approve_grant(uow, g2.id, on=D(2024, 4, 5), actor=ACTOR)
    assert committed(uow, program) == 3_000_000
    last = audit_trail(uow, "grant", g1.id)[-1]
    assert (last.action, last.actor, last.changes["released"]) == ("cancel", "user:boss",
                                                                   "20000.00")
    with pytest.raises(InvalidTransition):
        pay(uow, g1, "1", on=D(2024, 4, 2))  # paid on the day of the cancellation
    with pytest.raises(InvalidTransition):
        empower.cancel_grant(uow, g1.id, on=D(2024, 5, 1), actor=ACTOR)


def test_tranche_paid_before_a_recorded_cancellation_takes_back_its_budget(
        uow: empower.UnitOfWork) -> None:
    """History loaded after the fact: the cancellation is recorded before an earlier tranche."""
    program = make_program(uow, budget=Decimal("30000"), grant_cap=None)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id, amount="20000")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)
    pay(uow, grant, "5000", on=D(2024, 3, 10))
    empower.cancel_grant(uow, grant.id, on=D(2024, 6, 1), actor=ACTOR)
    assert committed(uow, program) == 500_000
    pay(uow, grant, "8000", on=D(2024, 5, 1))
    assert (grant.status, grant.disbursed_centimes) == ("cancelled", 1_300_000)
    assert committed(uow, program) == 1_300_000
    with pytest.raises(OverDisbursement):
        pay(uow, grant, "7000.01", on=D(2024, 5, 2))
    with pytest.raises(InvalidTransition):
        pay(uow, grant, "1", on=D(2024, 6, 1))
    # Meanwhile the released money went to another grant: what no longer fits is refused, and
    # the refusal leaves nothing behind.
    other = make_grant(uow, program, beneficiary_id=woman.id, amount="15000")
    empower.approve_grant(uow, other.id, on=D(2024, 6, 2), actor=ACTOR)
    with pytest.raises(BudgetExceeded):
        pay(uow, grant, "2000.01", on=D(2024, 5, 3))
    uow.session.expire_all()
    assert uow.session.get(Grant, grant.id).disbursed_centimes == 1_300_000
    assert committed(uow, program) == 2_800_000
    pay(uow, grant, "2000", on=D(2024, 5, 3))
    assert committed(uow, program) == 3_000_000
    assert uow.session.get(Grant, grant.id).status == "cancelled"  # complete, but not closed


# --- transitions -------------------------------------------------------------------------------


def test_grant_transitions_follow_the_machine(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    on = D(2024, 3, 5)
    submitted = make_grant(uow, program, beneficiary_id=woman.id)
    for act in (empower.cancel_grant, empower.close_grant):
        with pytest.raises(InvalidTransition):
            act(uow, submitted.id, on=on, actor=ACTOR)
    rejected = make_grant(uow, program, beneficiary_id=woman.id)
    empower.reject_grant(uow, rejected.id, on=on, actor=ACTOR, reason="incomplete")
    assert (rejected.status, rejected.rejected_on) == ("rejected", on)
    for act in (empower.approve_grant, empower.reject_grant, empower.cancel_grant,
                empower.close_grant):
        with pytest.raises(InvalidTransition):
            act(uow, rejected.id, on=on, actor=ACTOR)
    empower.approve_grant(uow, submitted.id, on=on, actor=ACTOR)
    for act in (empower.approve_grant, empower.reject_grant):
        with pytest.raises(InvalidTransition):
            act(uow, submitted.id, on=on, actor=ACTOR)
    empower.close_grant(uow, submitted.id, on=D(2024, 6, 1), actor=ACTOR)
    assert (submitted.status, submitted.closed_on) == ("closed", D(2024, 6, 1))
    assert committed(uow, program) == 0  # closed with nothing paid: the budget is free again
    with pytest.raises(InvalidTransition):
        empower.cancel_grant(uow, submitted.id, on=D(2024, 6, 2), actor=ACTOR)


# --- tranches ----------------------------------------------------------------------------------


def test_tranches_only_on_approved_grants_never_before_approval(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id, amount="20000")
    with pytest.raises(InvalidTransition):
        pay(uow, grant, "100", on=D(2024, 3, 10))
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)
    with pytest.raises(InvalidInput) as err:
        pay(uow, grant, "100", on=D(2024, 3, 4))
    assert err.value.field == "paid_on"
    pay(uow, grant, "100", on=D(2024, 3, 5))
    rejected = make_grant(uow, program, beneficiary_id=woman.id)
    empower.reject_grant(uow, rejected.id, on=D(2024, 3, 5), actor=ACTOR)
    with pytest.raises(InvalidTransition):
        pay(uow, rejected, "100")


def test_tranches_never_above_the_approved_amount(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id, amount="20000")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR, amount=Decimal("12000"))
    t1 = pay(uow, grant, "5000", reference="TR-1")
    with pytest.raises(Conflict) as err:
        pay(uow, grant, "1", reference="TR-1")
    assert err.value.existing_id == t1.id
    pay(uow, grant, "5000")
    with pytest.raises(OverDisbursement) as err:
        pay(uow, grant, "2000.01")
    assert "2000.00 MAD left" in err.value.message
    assert grant.disbursed_centimes == 1_000_000
    last = pay(uow, grant, "2000", on=D(2024, 5, 2))
    # The tranche that completes the approved amount closes the grant on its payment date.
    assert (grant.status, grant.closed_on, grant.disbursed_centimes) == ("closed", D(2024, 5, 2),
                                                                         1_200_000)
    with pytest.raises(InvalidTransition):
        pay(uow, grant, "0.01")
    rows = list(uow.session.scalars(select(Disbursement).where(Disbursement.grant_id == grant.id)
                                    .order_by(Disbursement.id)))
    assert [r.amount_centimes for r in rows] == [500_000, 500_000, 200_000]
    assert [r.reference for r in rows][1:] == [f"{grant.reference}-T2", f"{grant.reference}-T3"]
    assert last.channel == "bank_transfer"
    assert uow.session.scalar(select(func.sum(Disbursement.amount_centimes))
                              .where(Disbursement.grant_id == grant.id)) == 1_200_000
    actions = [e.action for e in audit_trail(uow, "grant", grant.id)]
    assert actions == ["submit", "approve", "pay", "pay", "pay", "close"]


def test_tranche_references_fit_for_the_longest_grant_reference(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id, reference="G" * 40, amount="100")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)
    refs = [pay(uow, grant, "10").reference for _ in range(10)]
    assert len(set(refs)) == 10
    assert all(len(r) <= 40 for r in refs)
    assert refs[0] == "G" * 37 + "-T1" and refs[-1] == "G" * 36 + "-T10"


def test_national_scale_amounts_fit(uow: empower.UnitOfWork) -> None:
    """A 500-million-dirham program: beyond 32-bit centimes, stored exactly on every backend."""
    program = make_program(uow, code="NATIONAL", budget=Decimal("500000000"),
                           grant_cap=Decimal("30000000"))
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id, amount="25000000.01")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=ACTOR)
    pay(uow, grant, "24999999.99")
    uow.session.expire_all()
    assert committed(uow, program) == 2_500_000_001
    assert uow.session.get(Program, program.id).budget_centimes == 50_000_000_000
    assert uow.session.get(Grant, grant.id).disbursed_centimes == 2_499_999_999
