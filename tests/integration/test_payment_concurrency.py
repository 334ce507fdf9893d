"""Payment runs under concurrent writers (SQLite and PostgreSQL), and "what the batches say is
what the tranches say" as a property over any sequence of payment runs."""

from __future__ import annotations

import itertools
import threading
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import empower
from empower.errors import InvalidTransition
from empower.models import Disbursement, Grant, PaymentBatch, PaymentInstruction
from empower.schemas import BatchCreate, ReturnLine
from empower.vocab import BatchStatus, InstructionStatus
from tests.factories import make_payable, make_program, make_user
from tests.integration.test_concurrency import THREADS, Race, run_in_threads

ON = date(2024, 4, 1)
PAID_ON = date(2024, 4, 5)
BUILDER = "user:karima"
APPROVER = "user:nadia"
OPEN = (InstructionStatus.PENDING, InstructionStatus.SENT)


def _setup(db: empower.Database, grants: int, **program: object) -> tuple[int, list[int]]:
    with db.unit_of_work() as uow:
        prog = make_program(uow, tranche_shares=["40", "40", "20"], **program)
        make_user(uow, "karima", "officer")
        make_user(uow, "nadia", "admin")
        ids = [make_payable(uow, prog).id for _ in range(grants)]
        uow.commit()
        return prog.id, ids


def _build(uow: empower.UnitOfWork, program_id: int, on: date = ON,
           reference: str | None = None) -> empower.services.payment_runs.BatchBuild:
    return empower.build_batch(uow, BatchCreate(program_id=program_id, channel="bank_transfer",
                                                planned_on=on, reference=reference),
                               actor=BUILDER)


def _check_money(uow: empower.UnitOfWork, grant_ids: list[int]) -> None:
    """Each grant: in flight = its open instructions, disbursed = its tranches, and what is in
    flight fits in what is left; at most one open instruction per grant."""
    for gid in grant_ids:
        g = uow.session.get(Grant, gid)
        assert g is not None and g.amount_approved_centimes is not None
        uow.session.refresh(g)
        open_sum, open_count = uow.session.execute(
            select(func.coalesce(func.sum(PaymentInstruction.amount_centimes), 0), func.count())
            .where(PaymentInstruction.grant_id == gid,
                   PaymentInstruction.status.in_(OPEN))).one()
        tranches = uow.session.scalar(
            select(func.coalesce(func.sum(Disbursement.amount_centimes), 0))
            .where(Disbursement.grant_id == gid))
        assert open_count <= 1
        assert g.in_flight_centimes == open_sum
        assert g.disbursed_centimes == tranches
        assert 0 <= g.in_flight_centimes <= g.amount_approved_centimes - g.disbursed_centimes


def test_two_batches_built_at_once_never_share_a_grant(db: empower.Database) -> None:
    program_id, grant_ids = _setup(db, 6)
    race = Race(THREADS)
    built: list[int] = []
    lock = threading.Lock()

    def builder(i: int) -> None:
        with db.unit_of_work() as uow, race.act():
            result = _build(uow, program_id, reference=f"RACE-{i}")
            if result.batch is not None:
                race.hold_commit()
            uow.commit()
            with lock:
                built.append(result.instructions)

    assert run_in_threads(THREADS, builder) == []
    assert race.in_flight_at_hold == THREADS  # the race happened
    with db.unit_of_work(readonly=True) as uow:
        taken = list(uow.session.scalars(select(PaymentInstruction.grant_id)))
        _check_money(uow, grant_ids)
    assert sorted(taken) == sorted(grant_ids)  # each grant in exactly one batch
    assert sorted(built, reverse=True)[0] == 6 and sum(built) == 6


def test_approve_racing_cancel_exactly_one_wins(db: empower.Database) -> None:
    program_id, grant_ids = _setup(db, 3)
    with db.unit_of_work() as uow:
        batch = _build(uow, program_id).batch
        assert batch is not None
        batch_id = batch.id
        uow.commit()
    race = Race(THREADS)
    wins: list[str] = []
    lost: list[BaseException] = []
    lock = threading.Lock()

    def actor(i: int) -> None:
        act = "approve" if i % 2 else "cancel"
        try:
            with db.unit_of_work() as uow, race.act():
                if act == "approve":
                    empower.approve_batch(uow, batch_id, on=ON, actor=APPROVER)
                else:
                    empower.cancel_batch(uow, batch_id, on=ON, actor=BUILDER)
                race.hold_commit()
                uow.commit()
            with lock:
                wins.append(act)
        except InvalidTransition as exc:
            with lock:
                lost.append(exc)

    assert run_in_threads(THREADS, actor) == []
    assert len(wins) == 1 and len(lost) == THREADS - 1
    with db.unit_of_work(readonly=True) as uow:
        b = uow.session.get(PaymentBatch, batch_id)
        assert b is not None
        statuses = set(uow.session.scalars(select(PaymentInstruction.status)
                                           .where(PaymentInstruction.batch_id == batch_id)))
        held = uow.session.scalar(select(func.sum(Grant.in_flight_centimes))
                                  .where(Grant.id.in_(grant_ids)))
        _check_money(uow, grant_ids)
    if wins == ["approve"]:
        assert b.status == BatchStatus.APPROVED and statuses == {InstructionStatus.PENDING}
        assert held == 3 * 800_000
    else:
        assert b.status == BatchStatus.CANCELLED and statuses == {InstructionStatus.CANCELLED}
        assert held == 0


def test_the_same_return_file_reconciled_twice_at_once_pays_each_line_once(
        db: empower.Database) -> None:
    program_id, grant_ids = _setup(db, 5)
    with db.unit_of_work() as uow:
        batch = _build(uow, program_id).batch
        assert batch is not None
        empower.approve_batch(uow, batch.id, on=ON, actor=APPROVER)
        empower.send_batch(uow, batch.id, on=ON, actor=BUILDER)
        batch_id = batch.id
        refs = [i.reference for i in batch.instructions]
        uow.commit()
    lines = [ReturnLine(line=n + 2, reference=ref, status="paid" if n != 1 else "failed",
                        paid_on=PAID_ON if n != 1 else None, reason="RIB erroné" if n == 1 else None)
             for n, ref in enumerate(refs)]
    race = Race(THREADS)

    def reconciler(i: int) -> None:
        with db.unit_of_work() as uow, race.act():
            empower.reconcile_batch(uow, batch_id, lines, actor=BUILDER, on=PAID_ON)
            race.hold_commit()
            uow.commit()

    assert run_in_threads(THREADS, reconciler) == []
    with db.unit_of_work(readonly=True) as uow:
        tranches = uow.session.scalar(select(func.count()).select_from(Disbursement))
        linked = uow.session.scalar(select(func.count(func.distinct(
            PaymentInstruction.disbursement_id))).where(PaymentInstruction.batch_id == batch_id))
        b = uow.session.get(PaymentBatch, batch_id)
        assert b is not None and b.status == BatchStatus.RECONCILED
        _check_money(uow, grant_ids)
    assert tranches == linked == 4  # one tranche per paid line


_serial = itertools.count(1)
OUTCOMES = st.sampled_from(["paid", "paid", "failed", "returned", None])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(amounts=st.lists(st.integers(min_value=1, max_value=4000), min_size=1, max_size=4),
       shares=st.sampled_from([None, ["40", "40", "20"], ["50", "50"], ["30", "30", "40"]]),
       rounds=st.lists(st.lists(OUTCOMES, min_size=4, max_size=4), min_size=1, max_size=4))
def test_reconciled_batches_say_what_the_tranches_say(
        db: empower.Database, amounts: list[int], shares: list[str] | None,
        rounds: list[list[str | None]]) -> None:
    """Any sequence of monthly runs (each line paid, failed, returned or not yet in the return
    file): paid instructions total their tranches, each grant's disbursed is the sum of its
    tranches and its amount in flight the sum of its open instructions."""
    with db.unit_of_work() as uow:  # never committed: each example leaves nothing behind
        n = next(_serial)
        program = make_program(uow, code=f"PR{n}", tranche_shares=shares,
                               budget=Decimal("1000000"), grant_cap=None)
        make_user(uow, "karima", "officer")
        make_user(uow, "nadia", "admin")
        grant_ids = [make_payable(uow, program, amount=str(a * 5)).id for a in amounts]
        for k, outcomes in enumerate(rounds):
            on = ON + timedelta(days=30 * k)
            built = _build(uow, program.id, on=on)
            if built.batch is None:
                continue
            batch = built.batch
            empower.approve_batch(uow, batch.id, on=on, actor=APPROVER)
            empower.send_batch(uow, batch.id, on=on, actor=BUILDER)
            lines = [ReturnLine(line=i + 2, reference=ins.reference, status=outcome,
                                paid_on=on + timedelta(days=3) if outcome == "paid" else None)
                     for i, (ins, outcome) in enumerate(zip(batch.instructions, outcomes,
                                                            strict=False))
                     if outcome is not None]
            if lines:
                empower.reconcile_batch(uow, batch.id, lines, actor=BUILDER,
                                        on=on + timedelta(days=4))
                # The same file again changes nothing.
                again = empower.reconcile_batch(uow, batch.id, lines, actor=BUILDER,
                                                on=on + timedelta(days=4))
                assert again.unchanged == len(lines) and again.paid == 0
            if built.instructions and len(lines) < built.instructions:
                break  # a line not yet in a return file: its grant stays in that batch
        paid_sum, linked_sum = uow.session.execute(
            select(func.coalesce(func.sum(PaymentInstruction.amount_centimes), 0),
                   func.coalesce(func.sum(Disbursement.amount_centimes), 0))
            .join(Disbursement, Disbursement.id == PaymentInstruction.disbursement_id,
                  isouter=True)
            .where(PaymentInstruction.status == InstructionStatus.PAID,
                   PaymentInstruction.grant_id.in_(grant_ids))).one()
        assert paid_sum == linked_sum
        unlinked = uow.session.scalar(select(func.count()).select_from(PaymentInstruction).where(
            PaymentInstruction.status == InstructionStatus.PAID,
            PaymentInstruction.disbursement_id.is_(None)))
        assert unlinked == 0
        _check_money(uow, grant_ids)
