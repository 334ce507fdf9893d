"""What every kind's upsert policy shares: outcomes, the row-by-row handler, small helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from empower.errors import EmpowerError
from empower.schemas import parse_input
from empower.services._common import columns as snapshot

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["CREATED", "UNCHANGED", "UPDATED", "Handler", "RowByRow", "Upsert", "changed",
           "given", "model"]

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

# One row's policy: create the record its key names, or bring the existing one to the file's
# values through the services; returns the outcome, raises EmpowerError to reject the row.
Upsert = Callable[["ImportRun", dict[str, Any]], str]


class Handler(Protocol):
    """Takes the parsed rows of a file and writes them through the services."""

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None: ...

    def finish(self) -> None: ...


class RowByRow:
    """Each row in its own savepoint: a row refused half-way leaves nothing behind."""

    def __init__(self, run: ImportRun, upsert: Upsert) -> None:
        self.run = run
        self.upsert = upsert

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None:
        run = self.run
        try:
            with run.uow.savepoint():
                outcome = self.upsert(run, values)
        except EmpowerError as exc:
            run.reject_error(line, exc, raw)
            return
        run.accept(outcome)

    def finish(self) -> None:
        """Nothing is buffered."""


def given(run: ImportRun, values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The values of those columns the file has (a column absent leaves the field alone)."""
    return {n: values[n] for n in names if n in run.present}


def model(schema: type, data: dict[str, Any]) -> Any:
    """``data`` validated as the service's input ``schema``; raises :class:`InvalidInput`."""
    return parse_input(schema, data)


def changed(obj: Any, action: Callable[[], Any]) -> bool:
    """Run ``action`` and say whether it changed any column of ``obj``."""
    before = snapshot(obj)
    action()
    return snapshot(obj) != before
