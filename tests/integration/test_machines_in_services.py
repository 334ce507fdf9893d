"""The services follow the state machines: random action sequences against a real database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import empower
from empower.errors import InvalidTransition, OverDisbursement
from empower.schemas import DisbursementCreate, EnrollmentCreate
from empower.states import ENROLLMENT_TRANSITIONS, GRANT_TRANSITIONS
from empower.vocab import EnrollmentStatus, GrantStatus
from tests.factories import ACTOR, make_beneficiary, make_enrolled, make_grant, make_program

_serial = itertools.count(1)
PROPERTY = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@PROPERTY
@given(actions=st.lists(st.sampled_from(["enroll", "reject", "exit"]), max_size=6))
def test_enrollment_services_follow_the_machine(db: empower.Database, actions: list[str]) -> None:
    with db.unit_of_work() as uow:  # rolled back: examples leave nothing behind
        n = next(_serial)
        program = make_program(uow, code=f"E{n}")
        woman = make_beneficiary(uow, cin=f"EM{n}")
        enr = empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                                  applied_on=date(2024, 2, 1)), actor=ACTOR)
        state = EnrollmentStatus.APPLIED
        on = date(2024, 2, 1)
        for action in actions:
            on += timedelta(days=7)
            expected = ENROLLMENT_TRANSITIONS.get((state, action))
            call = {"enroll": lambda: empower.enroll(uow, enr.id, on=on, actor=ACTOR),
                    "reject": lambda: empower.reject_enrollment(uow, enr.id, on=on, actor=ACTOR),
                    "exit": lambda: empower.exit_enrollment(uow, enr.id, on=on, actor=ACTOR,
                                                            reason="completed")}[action]
            try:
                call()
            except InvalidTransition:
                assert expected is None
            else:
                assert expected is not None
                state = expected
            assert enr.status == state


@PROPERTY
@given(actions=st.lists(st.one_of(st.sampled_from(["approve", "reject", "cancel", "close"]),
                                  st.integers(min_value=1, max_value=8000)), max_size=10))
def test_grant_services_follow_the_machine(db: empower.Database,
                                           actions: list[str | int]) -> None:
    with db.unit_of_work() as uow:
        n = next(_serial)
        program = make_program(uow, code=f"G{n}")
        woman = make_enrolled(uow, program, cin=f"GM{n}")
        grant = make_grant(uow, program, beneficiary_id=woman.id, amount="10000")
        state, paid, on = GrantStatus.SUBMITTED, 0, date(2024, 3, 1)
        for action in actions:
            on += timedelta(days=3)
            if isinstance(action, int):  # a tranche of that many MAD
                try:
                    empower.disburse(uow, DisbursementCreate(
                        grant_id=grant.id, amount=Decimal(action), paid_on=on, channel="cash"),
                        actor=ACTOR)
                except InvalidTransition:
                    assert state != GrantStatus.APPROVED
                except OverDisbursement:
                    assert state == GrantStatus.APPROVED and paid + action * 100 > 1_000_000
                else:
                    assert state == GrantStatus.APPROVED
                    paid += action * 100
                    if paid == 1_000_000:
                        state = GrantStatus.CLOSED
                assert grant.disbursed_centimes == paid
            else:
                expected = GRANT_TRANSITIONS.get((state, action))
                act = {"approve": empower.approve_grant, "reject": empower.reject_grant,
                       "cancel": empower.cancel_grant, "close": empower.close_grant}[action]
                try:
                    act(uow, grant.id, on=on, actor=ACTOR)
                except InvalidTransition:
                    assert expected is None
                else:
                    assert expected is not None
                    state = expected
            assert grant.status == state
        uow.session.refresh(program)
        # Cancelled and closed grants keep only what was paid; approved ones the whole amount.
        committed = {GrantStatus.SUBMITTED: 0, GrantStatus.REJECTED: 0,
                     GrantStatus.CANCELLED: paid, GrantStatus.CLOSED: paid}.get(state, 1_000_000)
        assert program.committed_centimes == committed
