"""Payment runs on SQLite and PostgreSQL: build, approve by a second person, send, reconcile."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import empower
from empower.errors import (
    InvalidTransition,
    OverDisbursement,
    ReturnRefused,
    RuleViolation,
)
from empower.models import AuditEvent, Disbursement, Grant, PaymentInstruction, Program
from empower.schemas import BatchCreate, DisbursementCreate, ReturnLine, VisitCreate
from empower.vocab import BatchStatus, InstructionStatus
from tests.factories import (
    ACTOR,
    make_activity,
    make_payable,
    make_rib,
    make_session,
    make_user,
)

ON = date(2024, 4, 1)
BUILDER = "user:karima"
APPROVER = "user:nadia"


def _program(uow: empower.UnitOfWork, **overrides: object) -> Program:
    from tests.factories import make_program

    program = make_program(uow, **overrides)
    make_user(uow, "karima", "officer")
    make_user(uow, "nadia", "admin")
    return program


def _build(uow: empower.UnitOfWork, program: Program, channel: str = "bank_transfer",
           on: date = ON, **extra: object) -> empower.services.payment_runs.BatchBuild:
    return empower.build_batch(uow, BatchCreate(program_id=program.id, channel=channel,
                                                planned_on=on, **extra), actor=BUILDER)


def _sent(uow: empower.UnitOfWork, program: Program, **extra: object):  # type: ignore[no-untyped-def]
    built = _build(uow, program, **extra)
    assert built.batch is not None
    empower.approve_batch(uow, built.batch.id, on=ON, actor=APPROVER)
    empower.send_batch(uow, built.batch.id, on=ON, actor=BUILDER)
    return built.batch


def _line(n: int, ref: str, status: str = "paid", paid_on: date | None = date(2024, 4, 5),
          **extra: object) -> ReturnLine:
    return ReturnLine(line=n, reference=ref, status=status, paid_on=paid_on, **extra)


def test_a_whole_cycle_pays_tranches_through_disburse(uow: empower.UnitOfWork) -> None:
    program = _program(uow, tranche_shares=["40", "40", "20"])
    grants = [make_payable(uow, program) for _ in range(3)]
    batch = _sent(uow, program)
    lines = list(batch.instructions)
    assert [i.amount_centimes for i in lines] == [800000] * 3  # 40 % of 20,000 MAD
    assert all(i.status == InstructionStatus.SENT for i in lines)
    assert all(i.payee_rib and len(i.payee_rib) == 24 for i in lines)
    for g in grants:
        uow.session.refresh(g)
        assert g.in_flight_centimes == 800000
    result = empower.reconcile_batch(uow, batch.id, [
        _line(2, lines[0].reference, provider_reference="BP-1"),
        _line(3, lines[1].reference, "échec", paid_on=None, reason="compte clôturé"),
        _line(4, lines[2].reference, "retourné", paid_on=None)], actor=BUILDER, on=date(2024, 4, 6))
    assert (result.paid, result.failed, result.returned) == (1, 1, 1)
    uow.session.refresh(batch)
    assert batch.status == BatchStatus.RECONCILED
    paid = uow.session.get(Grant, lines[0].grant_id)
    assert paid is not None and paid.disbursed_centimes == 800000 and paid.in_flight_centimes == 0
    tranche = uow.session.scalar(select(Disbursement).where(Disbursement.grant_id == paid.id))
    assert tranche is not None and tranche.reference == lines[0].reference
    assert tranche.paid_on == date(2024, 4, 5)
    for ins in lines[1:]:
        g = uow.session.get(Grant, ins.grant_id)
        assert g is not None and g.disbursed_centimes == 0 and g.in_flight_centimes == 0


def test_the_same_return_file_twice_changes_nothing(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    make_payable(uow, program)
    batch = _sent(uow, program)
    ref = batch.instructions[0].reference
    lines = [_line(2, ref), _line(3, ref)]  # a repeated line too
    first = empower.reconcile_batch(uow, batch.id, lines, actor=BUILDER)
    assert (first.paid, first.duplicates) == (1, 1)
    again = empower.reconcile_batch(uow, batch.id, lines, actor=BUILDER)
    assert (again.paid, again.unchanged) == (0, 1)
    assert uow.session.scalar(select(Disbursement.id).where(Disbursement.reference == ref))
    count = len(list(uow.session.scalars(select(Disbursement))))
    assert count == 1


def test_a_return_file_contradicting_a_reconciled_line_is_refused_whole(
        uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    make_payable(uow, program)
    make_payable(uow, program)
    batch = _sent(uow, program)
    a, b = (i.reference for i in batch.instructions)
    empower.reconcile_batch(uow, batch.id, [_line(2, a)], actor=BUILDER)
    with pytest.raises(ReturnRefused) as caught:
        empower.reconcile_batch(uow, batch.id, [_line(2, b), _line(3, a, "failed", paid_on=None),
                                                _line(4, "NOPE-1")], actor=BUILDER)
    assert [p.line for p in caught.value.problems] == [3, 4]
    assert caught.value.problems[1].field == "reference"
    # nothing of the file was recorded: b is still sent
    ins = uow.session.scalar(select(PaymentInstruction).where(PaymentInstruction.reference == b))
    assert ins is not None and ins.status == InstructionStatus.SENT


def test_two_lines_saying_different_things_are_refused(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    make_payable(uow, program)
    batch = _sent(uow, program)
    ref = batch.instructions[0].reference
    with pytest.raises(ReturnRefused) as caught:
        empower.reconcile_batch(uow, batch.id, [_line(2, ref), _line(5, ref, "failed", None)],
                                actor=BUILDER)
    assert caught.value.problems[0].line == 5
    assert caught.value.problems[0].code == "payment.return_contradicts_line"


def test_in_flight_is_reserved_and_manual_disburse_respects_it(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = make_payable(uow, program, amount="10000")
    _build(uow, program)
    with pytest.raises(OverDisbursement):
        empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal("1"),
                                                 paid_on=ON, channel="cash"), actor=ACTOR)
    again = _build(uow, program)
    assert again.batch is None
    assert [lo.code for lo in again.left_out] == ["payment.already_in_batch"]
    with pytest.raises(InvalidTransition):
        empower.cancel_grant(uow, grant.id, on=ON, actor=ACTOR)


def test_cancelling_a_draft_releases_what_it_held(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = make_payable(uow, program)
    built = _build(uow, program)
    assert built.batch is not None
    empower.cancel_batch(uow, built.batch.id, on=ON, actor=BUILDER, reason="erreur de canal")
    uow.session.refresh(grant)
    assert grant.in_flight_centimes == 0
    assert all(i.status == InstructionStatus.CANCELLED for i in built.batch.instructions)
    with pytest.raises(InvalidTransition):
        empower.approve_batch(uow, built.batch.id, on=ON, actor=APPROVER)
    assert _build(uow, program).batch is not None  # free for the next batch


def test_approval_is_by_a_second_person_in_an_approving_role(uow: empower.UnitOfWork) -> None:
    program = _program(uow, four_eyes=True)
    make_user(uow, "salma", "officer")
    make_payable(uow, program, approver="test:approver")
    built = empower.build_batch(uow, BatchCreate(program_id=program.id, channel="bank_transfer",
                                                 planned_on=ON), actor=APPROVER)
    assert built.batch is not None
    for actor, code in [(APPROVER, "payment.four_eyes_batch"),
                        ("user:salma", "payment.approver_role"),
                        ("script:monthly", "payment.approver_role"),
                        ("user:nobody", "payment.approver_role")]:
        with pytest.raises(RuleViolation) as caught:
            empower.approve_batch(uow, built.batch.id, on=ON, actor=actor)
        assert caught.value.code == code
    make_user(uow, "amal", "admin")
    approved = empower.approve_batch(uow, built.batch.id, on=ON, actor="user:Amal")
    assert approved.status == BatchStatus.APPROVED and approved.approved_by == "user:Amal"


def test_four_eyes_keeps_the_grants_approver_off_the_batch(uow: empower.UnitOfWork) -> None:
    program = _program(uow, four_eyes=True)
    make_user(uow, "hind", "admin")
    from tests.factories import make_enrolled, make_grant

    woman = make_enrolled(uow, program, rib=make_rib(77))
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    empower.approve_grant(uow, grant.id, on=date(2024, 3, 10), actor="user:hind")
    built = _build(uow, program)
    assert built.batch is not None
    with pytest.raises(RuleViolation) as caught:
        empower.approve_batch(uow, built.batch.id, on=ON, actor="user:hind")
    assert caught.value.code == "payment.four_eyes_grant"
    assert grant.reference in caught.value.message
    empower.approve_batch(uow, built.batch.id, on=ON, actor=APPROVER)


def test_the_command_says_why_each_grant_was_left_out(uow: empower.UnitOfWork) -> None:
    program = _program(uow, tranche_shares=["50", "50"],
                       tranche_conditions=["training_completed", "visit_since_last_tranche"])
    no_rib = make_payable(uow, program, rib=None)
    ok = make_payable(uow, program)
    second = make_payable(uow, program)
    empower.disburse(uow, DisbursementCreate(grant_id=second.id, amount=Decimal("10000"),
                                             paid_on=date(2024, 3, 15), channel="bank_transfer"),
                     actor="test:finance")
    built = _build(uow, program)
    assert built.batch is not None and built.instructions == 1
    why = {lo.grant_reference: lo.code for lo in built.left_out}
    assert why == {no_rib.reference: "payment.no_rib", second.reference: "training.no_roster"}
    cash = _build(uow, program, "cash_out")
    assert cash.batch is not None  # the one without RIB is paid by cash-out with her CIN
    assert {i.grant_id for i in cash.batch.instructions} == {no_rib.id}
    assert cash.batch.instructions[0].payee_cin
    assert ok.id in {i.grant_id for i in built.batch.instructions}


def test_tranche_conditions_hold_as_of_the_batch_date(uow: empower.UnitOfWork) -> None:
    program = _program(uow, tranche_shares=["50", "50"],
                       tranche_conditions=["training_completed", "visit_since_last_tranche"])
    grant = make_payable(uow, program)
    assert grant.beneficiary_id is not None
    empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal("10000"),
                                             paid_on=date(2024, 3, 15), channel="bank_transfer"),
                     actor="test:finance")
    activity = make_activity(uow, program, planned_sessions=2)
    for day in (date(2024, 3, 1), date(2024, 3, 8)):
        session = make_session(uow, activity, day)
        empower.record_roster(uow, session.id, [{"beneficiary_id": grant.beneficiary_id,
                                                  "status": "present"}], actor=ACTOR)
    left = _build(uow, program).left_out
    assert [lo.code for lo in left] == ["payment.no_visit_since_tranche"]
    empower.record_visit(uow, VisitCreate(reference="V-1", program_id=program.id,
                                          beneficiary_id=grant.beneficiary_id,
                                          visited_on=date(2024, 3, 20), kind="on_site"),
                         actor=ACTOR)
    assert _build(uow, program, on=date(2024, 3, 19)).batch is None  # not yet visited then
    built = _build(uow, program)
    assert built.batch is not None
    assert built.batch.instructions[0].tranche_number == 2
    assert built.batch.instructions[0].amount_centimes == 1000000


def test_paying_the_last_tranche_closes_the_grant(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = make_payable(uow, program, amount="5000")
    batch = _sent(uow, program, channel="mobile_money")
    assert batch.instructions[0].payee_phone
    empower.reconcile_batch(uow, batch.id, [_line(2, batch.instructions[0].reference)],
                            actor=BUILDER)
    uow.session.refresh(grant)
    assert grant.status.value == "closed" and grant.disbursed_centimes == 500000
    empower.close_batch(uow, batch.id, on=date(2024, 4, 6), actor=BUILDER)


def test_no_personal_value_reaches_the_audit_log(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = make_payable(uow, program)
    batch = _sent(uow, program, channel="cash_out")
    empower.reconcile_batch(uow, batch.id, [_line(2, batch.instructions[0].reference)],
                            actor=BUILDER)
    person = grant.beneficiary
    assert person is not None and person.cin and person.rib
    text = " ".join(str(e.changes) for e in uow.session.scalars(select(AuditEvent)))
    for value in (person.cin, person.rib, person.phone, person.first_name):
        assert value and value not in text


def test_erasure_waits_for_open_lines_then_clears_the_payee(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = make_payable(uow, program)
    assert grant.beneficiary_id is not None
    batch = _sent(uow, program)
    with pytest.raises(RuleViolation) as caught:
        empower.erase_beneficiary(uow, grant.beneficiary_id, actor=ACTOR)
    assert caught.value.code == "beneficiary.erase_in_flight"
    empower.reconcile_batch(uow, batch.id, [_line(2, batch.instructions[0].reference,
                                                  "failed", None)], actor=BUILDER)
    empower.erase_beneficiary(uow, grant.beneficiary_id, actor=ACTOR)
    ins = uow.session.scalar(select(PaymentInstruction))
    assert ins is not None and ins.payee_rib is None and ins.payee_name is None


def test_a_paid_line_is_recorded_even_if_the_training_share_changed_since(
        uow: empower.UnitOfWork) -> None:
    """The provider paid: reconciliation records the fact; conditions were checked at build."""
    program = _program(uow, tranche_shares=["50", "50"])
    grant = make_payable(uow, program)
    assert grant.beneficiary_id is not None
    empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal("10000"),
                                             paid_on=date(2024, 3, 15), channel="bank_transfer"),
                     actor="test:finance")
    batch = _sent(uow, program)
    assert len(batch.instructions) == 1
    program.min_completion_share = 0.8  # the program tightened its rule after the batch
    uow.session.flush()
    result = empower.reconcile_batch(uow, batch.id, [_line(2, batch.instructions[0].reference)],
                                     actor=BUILDER)
    assert result.paid == 1
