"""The enrolment and grant state machines, driven by random action sequences (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empower.errors import InvalidTransition
from empower.states import ENROLLMENT_TRANSITIONS, GRANT_TRANSITIONS, check_transition
from empower.vocab import EnrollmentStatus, GrantStatus

# The machines as the design states them, written out independently of empower.states.
ENROLLMENT = {
    ("applied", "enroll"): "enrolled", ("applied", "reject"): "rejected",
    ("enrolled", "exit"): "exited",
    # intakes: a waiting list, and an officer's override of a refusal by the rules
    ("applied", "waitlist"): "waitlisted", ("waitlisted", "enroll"): "enrolled",
    ("waitlisted", "reject"): "rejected", ("rejected", "override"): "applied",
}
GRANT = {
    ("submitted", "approve"): "approved", ("submitted", "reject"): "rejected",
    ("approved", "cancel"): "cancelled", ("approved", "close"): "closed",
}
ACTIONS = ["enroll", "reject", "exit", "approve", "cancel", "close", "apply", "pay", "submit",
           "waitlist", "override"]


def test_tables_are_the_designed_machines() -> None:
    assert {(s.value, a): t.value for (s, a), t in ENROLLMENT_TRANSITIONS.items()} == ENROLLMENT
    assert {(s.value, a): t.value for (s, a), t in GRANT_TRANSITIONS.items()} == GRANT


@pytest.mark.parametrize(("machine", "start", "table"), [
    (EnrollmentStatus, EnrollmentStatus.APPLIED, ENROLLMENT),
    (GrantStatus, GrantStatus.SUBMITTED, GRANT),
])
@given(actions=st.lists(st.sampled_from(ACTIONS), max_size=12))
def test_random_action_sequences_follow_the_machine(machine: type, start: object,
                                                    table: dict[tuple[str, str], str],
                                                    actions: list[str]) -> None:
    state = start
    reachable = {start.value} | set(table.values())  # type: ignore[attr-defined]
    for action in actions:
        expected = table.get((state.value, action))  # type: ignore[attr-defined]
        if expected is None:
            with pytest.raises(InvalidTransition) as err:
                check_transition(state, action, what="record")  # type: ignore[type-var]
            assert err.value.value == state.value  # type: ignore[attr-defined]
            assert action in err.value.message
        else:
            nxt = check_transition(state, action, what="record")  # type: ignore[type-var]
            assert isinstance(nxt, machine)
            assert nxt.value == expected
            state = nxt
        assert state.value in reachable  # type: ignore[attr-defined]


@pytest.mark.parametrize("final", [EnrollmentStatus.EXITED,
                                   GrantStatus.REJECTED, GrantStatus.CANCELLED,
                                   GrantStatus.CLOSED])
def test_final_states_allow_nothing(final: EnrollmentStatus | GrantStatus) -> None:
    for action in ACTIONS:
        with pytest.raises(InvalidTransition) as err:
            check_transition(final, action, what="record")
        assert "final" in err.value.message


def test_refusal_says_what_is_allowed() -> None:
    with pytest.raises(InvalidTransition) as err:
        check_transition(GrantStatus.SUBMITTED, "close", what="grant G-1")
    assert err.value.message.startswith("grant G-1: cannot close a submitted record")
    assert "approve, reject" in err.value.message
