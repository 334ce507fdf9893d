"""One tree of domain errors.

Every error a user can meet derives from :class:`EmpowerError` and carries a one-line,
plain-language message naming what was refused, which record, and why. The command line prints
that line (never a traceback). Each error also carries a stable dotted ``code`` (``"cin.invalid"``)
and the ``params`` its sentence is built from, so the panel and the importer say it in French,
Arabic or English from :mod:`empower.messages` without reading the English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from empower.text import ECHO_LIMIT, NAME_LIMIT, echo, escape, needs_echo

__all__ = [
    "BudgetExceeded",
    "Conflict",
    "EmpowerError",
    "InvalidInput",
    "InvalidTransition",
    "LineProblem",
    "NotEligible",
    "NotFound",
    "OverDisbursement",
    "ReturnRefused",
    "RuleViolation",
]


class EmpowerError(Exception):
    """Base of every error raised by the library on purpose.

    ``message`` is the English sentence (scripts, logs, the command line). ``code`` is the stable
    dotted message code the translations are keyed by, and ``params`` the plain values (str, int,
    date, Decimal) the sentence is built from; an error raised without a code has its class's
    ``kind`` as code, which no catalog entry matches, so it is shown in English. ``field`` names
    the input field at fault where there is one, and ``value`` the value that was refused, so
    importers and forms can point at the cell.

    What an error says back is short and visible: a text parameter, and the refused value where
    the message quotes it, are :func:`~empower.text.echo`-ed (the value in at most 60
    characters, another text in 200; control and invisible characters escaped), so a megabyte
    cell or a U+202E in a value cannot flood or reorder a terminal, a log line or a form.
    ``value`` itself keeps what was refused.
    """

    #: The kind of error, one per class; the message code says which refusal it is.
    kind = "error"

    def __init__(self, message: str, *, code: str | None = None,
                 params: Mapping[str, Any] | None = None, field: str | None = None,
                 value: Any = None) -> None:
        shown = dict(params or {})
        for key, item in shown.items():
            # The refused value is said in 60 characters; a file name or a reference the
            # sentence names may be longer, and is bounded too.
            limit = ECHO_LIMIT if key == "value" else NAME_LIMIT
            if isinstance(item, str) and needs_echo(item, limit):
                shown[key] = echo(item, limit)
        if isinstance(value, str) and value and needs_echo(value):
            message = message.replace(value, echo(value))
        if needs_echo(message, len(message)):
            message = escape(message)
        super().__init__(message)
        self.message = message
        self.code = code or self.kind
        self.params: dict[str, Any] = shown
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class NotFound(EmpowerError):
    """A record named by the caller does not exist (or is outside the caller's scope)."""

    kind = "not_found"


class Conflict(EmpowerError):
    """The write would duplicate a record that must be unique; ``existing_id`` names it."""

    kind = "conflict"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
        field: str | None = None,
        value: Any = None,
        existing_id: int | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params, field=field, value=value)
        self.existing_id = existing_id


class InvalidInput(EmpowerError, ValueError):
    """An input value is malformed (a CIN, a phone number, a date, a vocabulary value).

    Also a ``ValueError`` so that pydantic validators raising it produce a normal validation
    error.
    """

    kind = "invalid_input"


class RuleViolation(EmpowerError):
    """The input is well formed but a program rule refuses it."""

    kind = "rule_violation"


class NotEligible(RuleViolation):
    """The person or cooperative does not qualify on the business date of the act."""

    kind = "not_eligible"


class BudgetExceeded(RuleViolation):
    """The amount is above the program's per-grant cap or its remaining budget."""

    kind = "budget_exceeded"


class OverDisbursement(RuleViolation):
    """A tranche would take the total paid on a grant above its approved amount."""

    kind = "over_disbursement"


class InvalidTransition(RuleViolation):
    """The record's state machine does not allow this move from its current state."""

    kind = "invalid_transition"


class ReturnRefused(InvalidInput):
    """A payment provider's return file that cannot be applied whole: each problem names its
    line, field and value (an unknown reference, a line contradicting one already reconciled,
    two lines saying different things). Nothing of the file is recorded."""

    kind = "return_refused"

    def __init__(self, message: str, *, problems: list[LineProblem], code: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)
        self.problems = problems


@dataclass(frozen=True)
class LineProblem:
    """One refused line of a file: its number (the header is line 1), the field, the value."""

    line: int
    field: str | None
    value: Any
    message: str
    code: str
    params: Mapping[str, Any]
