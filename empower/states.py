"""The state machines of enrolments and grants, as data, checked without a database."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from empower.errors import InvalidTransition
from empower.vocab import (
    BatchStatus,
    EnrollmentStatus,
    GrantStatus,
    GrievanceStatus,
    InstructionStatus,
    IntakeStatus,
    SessionStatus,
)

__all__ = [
    "BATCH_TRANSITIONS",
    "ENROLLMENT_TRANSITIONS",
    "GRANT_TRANSITIONS",
    "GRIEVANCE_TRANSITIONS",
    "INSTRUCTION_TRANSITIONS",
    "INTAKE_TRANSITIONS",
    "SESSION_TRANSITIONS",
    "check_transition",
]

# (from, action) -> to
ENROLLMENT_TRANSITIONS: dict[tuple[EnrollmentStatus, str], EnrollmentStatus] = {
    (EnrollmentStatus.APPLIED, "enroll"): EnrollmentStatus.ENROLLED,
    (EnrollmentStatus.APPLIED, "reject"): EnrollmentStatus.REJECTED,
    (EnrollmentStatus.ENROLLED, "exit"): EnrollmentStatus.EXITED,
    # Intakes: beyond the places she waits; a place freed before the deadline promotes her.
    (EnrollmentStatus.APPLIED, "waitlist"): EnrollmentStatus.WAITLISTED,
    (EnrollmentStatus.WAITLISTED, "enroll"): EnrollmentStatus.ENROLLED,
    (EnrollmentStatus.WAITLISTED, "reject"): EnrollmentStatus.REJECTED,
    # An officer overrides a refusal by the intake's rules, with a written reason.
    (EnrollmentStatus.REJECTED, "override"): EnrollmentStatus.APPLIED,
}

INTAKE_TRANSITIONS: dict[tuple[IntakeStatus, str], IntakeStatus] = {
    (IntakeStatus.DRAFT, "open"): IntakeStatus.OPEN,
    (IntakeStatus.OPEN, "close"): IntakeStatus.CLOSED,
    (IntakeStatus.CLOSED, "select"): IntakeStatus.SELECTED,
}

GRANT_TRANSITIONS: dict[tuple[GrantStatus, str], GrantStatus] = {
    (GrantStatus.SUBMITTED, "approve"): GrantStatus.APPROVED,
    (GrantStatus.SUBMITTED, "reject"): GrantStatus.REJECTED,
    (GrantStatus.APPROVED, "cancel"): GrantStatus.CANCELLED,
    (GrantStatus.APPROVED, "close"): GrantStatus.CLOSED,
}

SESSION_TRANSITIONS: dict[tuple[SessionStatus, str], SessionStatus] = {
    (SessionStatus.PLANNED, "hold"): SessionStatus.HELD,
    (SessionStatus.PLANNED, "cancel"): SessionStatus.CANCELLED,
}

BATCH_TRANSITIONS: dict[tuple[BatchStatus, str], BatchStatus] = {
    (BatchStatus.DRAFT, "approve"): BatchStatus.APPROVED,
    (BatchStatus.DRAFT, "cancel"): BatchStatus.CANCELLED,
    (BatchStatus.APPROVED, "send"): BatchStatus.SENT,
    (BatchStatus.SENT, "reconcile"): BatchStatus.RECONCILED,
    (BatchStatus.RECONCILED, "close"): BatchStatus.CLOSED,
}

# An instruction is open (holds money in flight) while pending or sent.
INSTRUCTION_TRANSITIONS: dict[tuple[InstructionStatus, str], InstructionStatus] = {
    (InstructionStatus.PENDING, "send"): InstructionStatus.SENT,
    (InstructionStatus.PENDING, "cancel"): InstructionStatus.CANCELLED,
    (InstructionStatus.SENT, "pay"): InstructionStatus.PAID,
    (InstructionStatus.SENT, "fail"): InstructionStatus.FAILED,
    (InstructionStatus.SENT, "return"): InstructionStatus.RETURNED,
}

# A grievance: acknowledged, investigated, answered; an answer may be appealed (once, which
# empower.grievances.check_action enforces), which reopens the review.
GRIEVANCE_TRANSITIONS: dict[tuple[GrievanceStatus, str], GrievanceStatus] = {
    (GrievanceStatus.RECEIVED, "acknowledge"): GrievanceStatus.ACKNOWLEDGED,
    (GrievanceStatus.ACKNOWLEDGED, "review"): GrievanceStatus.UNDER_REVIEW,
    (GrievanceStatus.UNDER_REVIEW, "resolve"): GrievanceStatus.RESOLVED,
    (GrievanceStatus.UNDER_REVIEW, "unfounded"): GrievanceStatus.UNFOUNDED,
    (GrievanceStatus.RESOLVED, "close"): GrievanceStatus.CLOSED,
    (GrievanceStatus.UNFOUNDED, "close"): GrievanceStatus.CLOSED,
    (GrievanceStatus.RESOLVED, "appeal"): GrievanceStatus.APPEALED,
    (GrievanceStatus.UNFOUNDED, "appeal"): GrievanceStatus.APPEALED,
    (GrievanceStatus.CLOSED, "appeal"): GrievanceStatus.APPEALED,
    (GrievanceStatus.APPEALED, "review"): GrievanceStatus.UNDER_REVIEW,
}

_TABLES: dict[type[StrEnum], dict[Any, Any]] = {
    GrievanceStatus: GRIEVANCE_TRANSITIONS,
    BatchStatus: BATCH_TRANSITIONS,
    InstructionStatus: INSTRUCTION_TRANSITIONS,
    EnrollmentStatus: ENROLLMENT_TRANSITIONS,
    GrantStatus: GRANT_TRANSITIONS,
    IntakeStatus: INTAKE_TRANSITIONS,
    SessionStatus: SESSION_TRANSITIONS,
}


S = TypeVar("S", bound=StrEnum)


def check_transition(current: S, action: str, *, what: str, ref: str | None = None) -> S:
    """The state after ``action`` from ``current``, or :class:`InvalidTransition` naming both.

    ``what`` is the kind of record (``"grant"``, ``"enrolment"``) and ``ref`` the one refused
    (``"G-001"``, ``"#12"``); the message starts with both (``grant G-001: cannot ...``).
    """
    table = _TABLES[type(current)]
    nxt = table.get((current, action))
    if nxt is None:
        allowed = sorted(a for (s, a) in table if s == current)
        hint = f"; from {current.value} it can only {', '.join(allowed)}" if allowed else \
            f"; {current.value} is final"
        name = f"{what} {ref}" if ref else what
        raise InvalidTransition(
            f"{name}: cannot {action} a {current.value} record{hint}",
            code="transition.refused" if allowed else "transition.final",
            params={"what": what, "ref": ref or "", "action": action, "state": current.value,
                    **({"allowed": allowed} if allowed else {})},
            field="status", value=current.value)
    return nxt
