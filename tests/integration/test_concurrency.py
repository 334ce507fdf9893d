"""Money rules under concurrent writers, and "tranches never exceed the approved amount" as a
property over any sequence of tranches."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import empower
from empower.errors import BudgetExceeded, InvalidTransition, OverDisbursement
from empower.models import Disbursement, Grant, Program
from empower.rules import mad
from empower.schemas import DisbursementCreate
from tests.factories import ACTOR, make_enrolled, make_grant, make_program

THREADS = 8


def run_in_threads(n: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``n`` threads released together; return what they raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 - collected and checked by the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


class Race:
    """Makes a race certain: writers run the same act, and the first to get through it holds
    its commit until every writer is inside the act, so the others run against its uncommitted
    write (blocked on its lock, or, if a lock were missing, reading stale values).

    ``in_flight_at_hold`` records how many writers were inside the act when the first holder
    was released: the test checks it is all of them, that is, that the race happened.
    """

    def __init__(self, writers: int) -> None:
        self.writers = writers
        self._cond = threading.Condition()
        self._entered = 0
        self._inside = 0
        self.in_flight_at_hold: int | None = None

    @contextmanager
    def act(self) -> Iterator[None]:
        with self._cond:
            self._entered += 1
            self._inside += 1
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._inside -= 1

    def hold_commit(self) -> None:
        """Called by a writer whose act succeeded, before it commits."""
        with self._cond:
            assert self._cond.wait_for(lambda: self._entered == self.writers, timeout=60), \
                "the other writers never started"
            if self.in_flight_at_hold is None:
                self.in_flight_at_hold = self._inside
        # Give the last ones to enter the time to reach the database (and wait on the lock).
        time.sleep(0.1)


def test_many_writers_paying_one_grant_never_exceed_the_approved_amount(
        db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program)
        grant = make_grant(uow, program, beneficiary_id=woman.id, amount="10000")
        empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
        grant_id = grant.id
        uow.commit()
    # 8 writers x 5 tranches of 300 MAD: 12,000 MAD offered against 10,000 approved.
    accepted: list[int] = []
    refused: list[BaseException] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        for k in range(5):
            try:
                with db.unit_of_work() as uow:
                    empower.disburse(uow, DisbursementCreate(
                        grant_id=grant_id, amount=Decimal("300"), paid_on=date(2024, 4, 1 + k),
                        channel="cash"), actor=f"test:writer-{i}")
                    uow.commit()
                with lock:
                    accepted.append(30_000)
            except (OverDisbursement, InvalidTransition) as exc:
                with lock:
                    refused.append(exc)

    crashes = run_in_threads(THREADS, writer)
    assert crashes == []
    with db.unit_of_work(readonly=True) as uow:
        g = uow.session.get(Grant, grant_id)
        rows = uow.session.scalar(select(func.sum(Disbursement.amount_centimes))
                                  .where(Disbursement.grant_id == grant_id))
        count = uow.session.scalar(select(func.count()).select_from(Disbursement)
                                   .where(Disbursement.grant_id == grant_id))
    assert g.disbursed_centimes == rows == sum(accepted)
    assert g.disbursed_centimes <= g.amount_approved_centimes
    # 33 tranches of 300 fit in 10,000; the 34th would not, nor would anything after.
    assert count == len(accepted) == 33
    assert len(refused) == THREADS * 5 - 33
    assert g.status == "approved"  # 9,900 paid: not complete, so not closed


def test_writers_racing_for_the_last_tranche_close_the_grant_once(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program)
        grant = make_grant(uow, program, beneficiary_id=woman.id, amount="1000")
        empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
        uow.commit()
    outcomes: list[str] = []

    def writer(i: int) -> None:
        for _ in range(3):
            try:
                with db.unit_of_work() as uow:
                    empower.disburse(uow, DisbursementCreate(
                        grant_id=grant.id, amount=Decimal("100"), paid_on=date(2024, 4, 1),
                        channel="cash"), actor=f"test:writer-{i}")
                    uow.commit()
                outcomes.append("paid")
            except OverDisbursement:
                outcomes.append("over")
            except InvalidTransition:
                outcomes.append("closed")

    assert run_in_threads(THREADS, writer) == []
    assert outcomes.count("paid") == 10
    with db.unit_of_work(readonly=True) as uow:
        g = uow.session.get(Grant, grant.id)
        assert (g.status, g.disbursed_centimes) == ("closed", 100_000)
        refs = list(uow.session.scalars(select(Disbursement.reference)
                                        .where(Disbursement.grant_id == grant.id)))
    assert len(set(refs)) == 10


def test_concurrent_approvals_never_overspend_the_budget(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow, budget=Decimal("100000"), grant_cap=None)
        grants = []
        for i in range(THREADS):
            woman = make_enrolled(uow, program, cin=f"RC{i + 1}", birth_date=date(1980, 1, 1 + i))
            grants.append(make_grant(uow, program, beneficiary_id=woman.id, amount="30000"))
        # Someone already took 40,000: 60,000 left, room for two of the eight.
        first = make_enrolled(uow, program, cin="RC99", birth_date=date(1970, 1, 1))
        big = make_grant(uow, program, beneficiary_id=first.id, amount="40000")
        empower.approve_grant(uow, big.id, on=date(2024, 3, 5), actor=ACTOR)
        program_id = program.id
        grant_ids = [g.id for g in grants]
        uow.commit()
    outcomes: list[str] = []
    race = Race(THREADS)

    def approver(i: int) -> None:
        try:
            with db.unit_of_work() as uow, race.act():
                empower.approve_grant(uow, grant_ids[i], on=date(2024, 3, 6),
                                      actor=f"test:officer-{i}")
                race.hold_commit()
                uow.commit()
            outcomes.append("approved")
        except BudgetExceeded:
            outcomes.append("refused")

    assert run_in_threads(THREADS, approver) == []
    assert race.in_flight_at_hold == THREADS  # every approval ran against an uncommitted one
    assert sorted(outcomes) == ["approved"] * 2 + ["refused"] * (THREADS - 2)
    with db.unit_of_work(readonly=True) as uow:
        p = uow.session.get(Program, program_id)
        approved = uow.session.scalar(select(func.sum(Grant.amount_approved_centimes))
                                      .where(Grant.program_id == program_id))
        statuses = sorted(uow.session.scalars(select(Grant.status)
                                              .where(Grant.id.in_(grant_ids))))
    assert p.committed_centimes == approved == 10_000_000
    assert p.committed_centimes <= p.budget_centimes
    assert statuses == ["approved"] * 2 + ["submitted"] * (THREADS - 2)


_serial = itertools.count(1)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(approved=st.integers(min_value=1, max_value=2_000_000),
       tranches=st.lists(st.integers(min_value=1, max_value=2_500_000), max_size=12))
def test_tranches_accepted_exactly_when_they_fit(db: empower.Database, approved: int,
                                                 tranches: list[int]) -> None:
    with db.unit_of_work() as uow:  # never committed: each example leaves nothing behind
        n = next(_serial)
        program = make_program(uow, code=f"P{n}", budget=Decimal("1000000"), grant_cap=None)
        woman = make_enrolled(uow, program, cin=f"PT{n}")
        grant = make_grant(uow, program, beneficiary_id=woman.id, amount=str(mad(approved)))
        empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
        paid = 0
        for amount in tranches:
            fits = paid + amount <= approved
            try:
                empower.disburse(uow, DisbursementCreate(
                    grant_id=grant.id, amount=mad(amount), paid_on=date(2024, 4, 1),
                    channel="cash"), actor=ACTOR)
            except OverDisbursement:
                assert not fits
                assert paid < approved
            except InvalidTransition:
                assert paid == approved  # fully paid, so closed
            else:
                assert fits
                paid += amount
            assert grant.disbursed_centimes == paid <= approved
        assert (grant.status == "closed") == (paid == approved)
        total = uow.session.scalar(select(func.coalesce(func.sum(Disbursement.amount_centimes), 0))
                                   .where(Disbursement.grant_id == grant.id))
        assert total == paid


@pytest.mark.parametrize("amount", ["0.01", "9999.99"])
def test_check_constraint_is_the_last_line_of_defence(db: empower.Database, amount: str) -> None:
    """Even a write that bypasses the service cannot pay above the approved amount."""
    from sqlalchemy import update

    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program)
        grant = make_grant(uow, program, beneficiary_id=woman.id, amount="10000")
        empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
        uow.session.execute(update(Grant).where(Grant.id == grant.id)
                            .values(disbursed_centimes=1_000_000 - 1))
        with pytest.raises(empower.OverDisbursement, match="approved amount") as refused:
            uow.session.execute(update(Grant).where(Grant.id == grant.id).values(
                disbursed_centimes=Grant.disbursed_centimes + int(Decimal(amount) * 100) + 1))
        assert isinstance(refused.value.__cause__, db.engine.dialect.dbapi.IntegrityError)


def test_officers_approving_the_same_grant_at_once_reserve_the_budget_once(
        db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program)
        grant_id = make_grant(uow, program, beneficiary_id=woman.id, amount="10000").id
        program_id = program.id
        uow.commit()
    outcomes: list[str] = []
    race = Race(THREADS)

    def approver(i: int) -> None:
        try:
            with db.unit_of_work() as uow, race.act():
                empower.approve_grant(uow, grant_id, on=date(2024, 3, 6), actor=f"test:o-{i}")
                race.hold_commit()
                uow.commit()
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("already")

    assert run_in_threads(THREADS, approver) == []
    assert race.in_flight_at_hold == THREADS  # all were approving while the first one held
    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["approved"]
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Program, program_id).committed_centimes == 1_000_000


def test_cancelling_while_others_pay_keeps_budget_and_tranches_consistent(
        db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program)
        grant_id = make_grant(uow, program, beneficiary_id=woman.id, amount="10000").id
        empower.approve_grant(uow, grant_id, on=date(2024, 3, 5), actor=ACTOR)
        program_id = program.id
        uow.commit()

    def worker(i: int) -> None:
        if i == THREADS - 1:
            with db.unit_of_work() as uow:
                empower.cancel_grant(uow, grant_id, on=date(2024, 4, 2), actor="test:boss")
                uow.commit()
            return
        for _ in range(3):
            try:
                with db.unit_of_work() as uow:
                    empower.disburse(uow, DisbursementCreate(
                        grant_id=grant_id, amount=Decimal("250"), paid_on=date(2024, 4, 1),
                        channel="cash"), actor=f"test:writer-{i}")
                    uow.commit()
            except InvalidTransition:
                pass

    assert run_in_threads(THREADS, worker) == []
    with db.unit_of_work(readonly=True) as uow:
        g = uow.session.get(Grant, grant_id)
        paid = uow.session.scalar(select(func.coalesce(func.sum(Disbursement.amount_centimes), 0))
                                  .where(Disbursement.grant_id == grant_id))
        committed = uow.session.get(Program, program_id).committed_centimes
    assert g.status == "cancelled"
    assert g.disbursed_centimes == paid
    # Only what was paid before the cancellation stays committed; the rest went back.
    assert committed == paid
