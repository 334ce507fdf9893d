"""One tree of domain errors.

Every error a user can meet derives from :class:`EmpowerError` and carries a one-line,
plain-language message naming what was refused, which record, and why. The command line prints
that line (never a traceback); the panel shows it on the form.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BudgetExceeded",
    "Conflict",
    "EmpowerError",
    "InvalidInput",
    "InvalidTransition",
    "NotEligible",
    "NotFound",
    "OverDisbursement",
    "RuleViolation",
]


class EmpowerError(Exception):
    """Base of every error raised by the library on purpose.

    ``field`` names the input field at fault where there is one, and ``value`` the value that
    was refused, so importers and forms can point at the cell.
    """

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class NotFound(EmpowerError):
    """A record named by the caller does not exist (or is outside the caller's scope)."""

    code = "not_found"


class Conflict(EmpowerError):
    """The write would duplicate a record that must be unique; ``existing_id`` names it."""

    code = "conflict"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        existing_id: int | None = None,
    ) -> None:
        super().__init__(message, field=field, value=value)
        self.existing_id = existing_id


class InvalidInput(EmpowerError, ValueError):
    """An input value is malformed (a CIN, a phone number, a date, a vocabulary value).

    Also a ``ValueError`` so that pydantic validators raising it produce a normal validation
    error.
    """

    code = "invalid_input"


class RuleViolation(EmpowerError):
    """The input is well formed but a program rule refuses it."""

    code = "rule_violation"


class NotEligible(RuleViolation):
    """The person or cooperative does not qualify on the business date of the act."""

    code = "not_eligible"


class BudgetExceeded(RuleViolation):
    """The amount is above the program's per-grant cap or its remaining budget."""

    code = "budget_exceeded"


class OverDisbursement(RuleViolation):
    """A tranche would take the total paid on a grant above its approved amount."""

    code = "over_disbursement"


class InvalidTransition(RuleViolation):
    """The record's state machine does not allow this move from its current state."""

    code = "invalid_transition"
