"""What an import says: one :class:`Rejection` per refused cell or row, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from empower.errors import EmpowerError
from empower.messages import describe, render
from empower.text import Shortened, echo

__all__ = ["Issue", "ImportReport", "Rejection", "reason", "show"]

# A refused cell before it is reported: (canonical column or None for the row, value, why).
Issue = tuple[str | None, Any, EmpowerError]


@dataclass(frozen=True)
class Rejection:
    """One refused cell or row: where it is, what it held, why (in the import's language), and
    the message code of the refusal (stable across languages, for scripts)."""

    line: int
    column: str
    value: str
    reason: str
    code: str = ""


@dataclass
class ImportReport:
    """What an import did; ``exit_code`` is the command's exit status (0 or 1)."""

    kind: str
    mode: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicate_candidates: int = 0
    committed: bool = False
    rejections: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def reason(error: EmpowerError, lang: str = "en") -> str:
    """The reason column of a rejection, in ``lang``, from the error's code and params.

    The catalog's sentences do not repeat the field (the column says it); an error whose code
    has no entry is said by its English message.
    """
    return describe(error, lang, sentence=False)


def show(value: Any, lang: str = "en") -> str:
    """A cell's value as the report shows it: dates in ISO, text echoed as every refused value
    is (:func:`empower.text.echo`: at most 60 characters with its length said in ``lang``,
    control and invisible characters written as codes, so a line of the report reads as what
    it holds)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    shown = echo(value)
    if isinstance(shown, Shortened):
        return render("text.shortened", {"head": shown.head, "length": shown.length}, lang,
                      default=shown, sentence=False)
    return shown
