"""The run loop: read the file row by row, parse, check keys, hand rows to the kind's policy.

Every row is either accepted (created, updated, or unchanged) or rejected with its line, column,
value and a plain-language reason. Modes: ``atomic`` commits only when no row was rejected,
``valid-only`` commits the accepted rows every ``COMMIT_EVERY`` rows (so other writers wait for a
chunk, not the whole file), ``dry-run`` never commits. Each row runs in a savepoint
(see :mod:`empower.io.importing.kinds`), so a row refused half-way leaves nothing behind.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

import empower
from empower.bulk import planned_each_time
from empower.db import Database, UnitOfWork
from empower.errors import EmpowerError, InvalidInput, NotFound
from empower.io.importing.cells import Memo, new_memo, parse_row
from empower.io.importing.columns import Kind, kind_spec
from empower.io.importing.headers import map_headers
from empower.io.importing.kinds import handler_for
from empower.io.importing.report import ImportReport, Issue, Rejection, reason, show
from empower.io.reading import open_table
from empower.models import Beneficiary, Cooperative, Grant, utcnow
from empower.rules import normalize_cin

__all__ = ["MODES", "ImportRun", "import_file"]

MODES = ("atomic", "valid-only", "dry-run")
# Files above these sizes report progress (a few thousand rows).
_PROGRESS_BYTES = 512 * 1024
_PROGRESS_ROWS = 5000
# valid-only imports commit every this many rows, so another writer waits for a chunk, not for
# the whole file (SQLite has one writer at a time). Atomic imports are one transaction by
# definition; dry runs never commit.
COMMIT_EVERY = 2000
# CIN spellings remembered by ImportRun.key (a roster repeats each woman once per session).
_MEMO_CINS = 100_000
# The report keeps the first rejections; ``on_rejection`` sees them all.
_KEEP_ERRORS = 200
# The cyclic garbage collector's first threshold while an import runs (see _collect_less).
_GC_THRESHOLD = 50_000
# Service fields named in errors -> the file's column for them.
_FIELD_COLUMNS = {"beneficiary_id": "cin", "program_id": "program_code", "recipient": "cin",
                  "cooperative_id": "cooperative_reference", "grant_id": "grant_reference"}


class ImportRun:
    """State of one import: the unit of work, the file's columns, counters and rejections."""

    def __init__(self, db: Database, uow: UnitOfWork, kind: Kind, report: ImportReport, *,
                 actor: str, today: date, on_rejection: Callable[[Rejection], None] | None,
                 lang: str = "en"):
        self.db = db
        self.lang = lang
        self.uow = uow
        self.kind = kind
        self.report = report
        self.actor = actor
        self.today = today
        self.on_rejection = on_rejection
        # Canonical column -> the header as written in the file.
        self.headers: dict[str, str] = {}
        self.present: frozenset[str] = frozenset()
        self.required = [c.name for c in kind.columns if c.required]
        self.memo: Memo = new_memo(kind.columns)
        self._programs: dict[str, int] = {}
        self._cins: dict[str, str] = {}

    # --- reporting

    def column_label(self, name: str | None) -> str:
        """The file's header for a canonical column or a service field ("" for the row)."""
        if name is None:
            return ""
        if name == "name" and "name" not in self.kind.by_name:
            name = "first_name"
        name = _FIELD_COLUMNS.get(name, name)
        return self.headers.get(name, name)

    def reject(self, line: int, issues: list[Issue], raw: dict[str, Any] | None = None) -> None:
        """Count the row as rejected and report each of its issues."""
        self.report.rejected += 1
        for column, value, error in issues:
            # The cell as the file wrote it, also for a service's field (program_id: the code).
            cell = None if raw is None or column is None else raw.get(_FIELD_COLUMNS.get(column,
                                                                                         column))
            if cell is not None:
                value = cell
            rej = Rejection(line, self.column_label(column), show(value, self.lang),
                            reason(error, self.lang), error.code)
            if len(self.report.rejections) < _KEEP_ERRORS:
                self.report.rejections.append(rej)
            if self.on_rejection is not None:
                self.on_rejection(rej)

    def reject_error(self, line: int, error: EmpowerError, raw: dict[str, Any]) -> None:
        """Reject a row a service refused, at the cell the error names (else the key's)."""
        field_name = error.field
        if field_name is None and self.kind.key:
            field_name = self.kind.key[0]
        self.reject(line, [(field_name, error.value, error)], raw)

    def accept(self, outcome: str) -> None:
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    # --- lookups shared by the kinds

    def program_id(self, code: str) -> int:
        """The id of the program with this code; :class:`NotFound` when there is none."""
        pid = self._programs.get(code)
        if pid is None:
            pid = empower.program_by_code(self.uow, code).id
            self._programs[code] = pid
        return pid

    def beneficiary(self, cin: str) -> Beneficiary:
        """The woman with this CIN; :class:`NotFound` when there is none."""
        return empower.beneficiary_by_cin(self.uow, cin)

    def cooperative(self, reference: str) -> Cooperative:
        """The cooperative with this reference; :class:`NotFound` when there is none."""
        coop = self.uow.session.scalar(
            select(Cooperative).where(Cooperative.reference == reference))
        if coop is None:
            raise NotFound(f"cooperative '{reference}' does not exist",
                           code="import.cooperative_unknown", params={"reference": reference},
                           field="cooperative_reference", value=reference)
        return coop

    def grant(self, reference: str) -> Grant:
        """The grant with this reference; :class:`NotFound` when there is none."""
        grant = self.uow.session.scalar(select(Grant).where(Grant.reference == reference))
        if grant is None:
            raise NotFound(f"grant '{reference}' does not exist", code="import.grant_unknown",
                           params={"reference": reference}, field="grant_reference",
                           value=reference)
        return grant

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The row's key (CINs normalised), or ``None`` when a part is blank.

        Raises :class:`InvalidInput` for a CIN that is not one.
        """
        parts = []
        for name in self.kind.key:
            value = values.get(name)
            if value is None:
                return None
            parts.append(self.cin(value) if name == "cin" else value)
        return tuple(parts)

    def cin(self, value: str) -> str:
        """``value`` as a normalised CIN; raises :class:`InvalidInput` for one that is not.

        A roster names each woman once per session: each spelling is normalised once.
        """
        norm = self._cins.get(value)
        if norm is None:
            norm = normalize_cin(value, self.uow.rules)
            if len(self._cins) >= _MEMO_CINS:
                self._cins.clear()
            self._cins[value] = norm
        return norm


@contextmanager
def _collect_less() -> Iterator[None]:
    """Run the cyclic garbage collector less often for the block (restored after).

    An import allocates a few dicts per row and keeps a chunk of them alive: at the default
    threshold (700 allocations) the collector ran thousands of times over them, a quarter of a
    200,000-row roster import. Rows make no reference cycles, so reference counting frees them
    as before; what does make cycles (ORM records) is collected, a little later.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], _GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def import_file(db: Database, kind: str, path: str | Path, *, mode: str = "atomic",
                actor: str | None = None, today: date | None = None,
                on_rejection: Callable[[Rejection], None] | None = None,
                progress: Callable[[int, int | None], None] | None = None,
                lang: str = "en") -> ImportReport:
    """Import ``path`` as ``kind`` in ``mode`` and say what happened.

    Rejections give their reason in ``lang`` (``"fr"``, ``"ar"`` or ``"en"``).

    ``on_rejection`` is called for every rejected cell or row as it is found (the report keeps
    only the first ones, so a million bad rows do not fill memory); ``progress(done, total)``
    is called now and then. Raises :class:`~empower.io.reading.FileRejected` when the file
    cannot be read or its header used, :class:`InvalidInput` for an unknown kind or mode.
    """
    spec = kind_spec(kind)
    if mode not in MODES:
        raise InvalidInput(f"mode: '{mode}' is not one of {', '.join(MODES)}",
                           code="import.mode_invalid", params={"value": mode, "modes": MODES},
                           field="mode", value=mode)
    path = Path(path)
    actor = actor or f"import:{path.name}"
    report = ImportReport(kind=spec.name, mode=mode, file=str(path))
    with _collect_less(), open_table(path) as table, db.unit_of_work() as uow, \
            planned_each_time(uow):
        run = ImportRun(db, uow, spec, report, actor=actor, today=today or utcnow().date(),
                        on_rejection=on_rejection, lang=lang)
        positions, run.headers, report.ignored_columns = map_headers(spec, table.headers,
                                                                     path.name)
        run.present = frozenset(run.headers)
        width = len(table.headers)
        handler = handler_for(run)
        if progress is not None and not (
                (table.format == "csv" and (table.total or 0) > _PROGRESS_BYTES)
                or (table.format == "xlsx" and (table.total or 0) > _PROGRESS_ROWS)):
            progress = None
        seen: dict[Any, int] = {}
        since_commit = 0
        single = len(spec.key) == 1
        for number, (line, cells) in enumerate(table.rows, start=1):
            if progress is not None and number % 1000 == 0:
                progress(table.position(), table.total)
            # A blank row is skipped (a loop, not any(): this runs once per row of the file).
            for c in cells:
                if c is not None and (not isinstance(c, str) or c.strip()):
                    break
            else:
                continue
            report.rows += 1
            values, raw, issues = parse_row(positions, width, cells, run.required, run.memo)
            try:
                key = run.key(values)
            except EmpowerError as exc:
                issues.append((exc.field, exc.value, exc))
                key = None
            if key is not None:
                seen_key = key[0] if single else key
                first = seen.get(seen_key)
                if first is not None:
                    issues.append((spec.key[0], None, InvalidInput(
                        f"{' + '.join(spec.key)} repeated: already on line {first} of this file",
                        code="import.key_repeated",
                        params={"key": " + ".join(spec.key), "line": first}, field=spec.key[0])))
                else:
                    seen[seen_key] = line
            if issues:
                run.reject(line, issues, raw)
                continue
            handler.add(line, values, raw)
            since_commit += 1
            if mode == "valid-only" and since_commit >= COMMIT_EVERY:
                handler.finish()
                uow.commit()
                since_commit = 0
        handler.finish()
        if progress is not None:
            progress(table.total or table.position(), table.total)
        if mode == "valid-only" or (mode == "atomic" and not report.rejected):
            uow.commit()
            report.committed = True
    return report
