"""Attendance (key: session reference + CIN): rosters written a session at a time.

Rows are buffered (``_CHUNK`` rows, or up to the run's commit point) and grouped per session.
For each session, the core's own rules decide each row: the session must take attendance
(:func:`~empower.services.activities.check_session_takes_attendance`: held, not planned or
cancelled), she must be registered and not archived on the session's day, and enrolled in the
activity's program that day (:func:`~empower.services.activities.roster_refusals`). A
session's rows go to one :func:`~empower.services.activities.record_roster` call, in a
savepoint, which checks them and writes only the lines that change (one audit event per
roster); when it refuses, :func:`~empower.services.activities.roster_refusals` (its own rules)
says which rows fail, each gets its own rejection (line, column, value), and the others are
written by a second call. So a re-import of the same file changes nothing, and there is no
query per row: sessions and women are looked up a chunk at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from empower.errors import EmpowerError, NotFound
from empower.models import Activity, ActivitySession, Beneficiary
from empower.rules import normalize_cin
from empower.schemas import AttendanceMark
from empower.services.activities import (
    check_session_takes_attendance,
    record_roster,
    roster_refusals,
)

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["AttendanceBatch"]

_CHUNK = 5000
# Lookups go in IN lists of at most this many values (SQLite's limit on bound parameters).
_IN = 900
Row = tuple[int, dict[str, Any], dict[str, Any]]


class AttendanceBatch:
    """Buffers roster rows and writes them per session through the roster service."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.buffer: list[Row] = []
        self.sessions: dict[str, ActivitySession | None] = {}
        self.cins: dict[str, str] = {}

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None:
        self.buffer.append((line, values, raw))
        if len(self.buffer) >= _CHUNK:
            self.flush()

    def finish(self) -> None:
        self.flush()

    def _cin(self, value: str) -> str:
        # The run has checked every CIN of the file already (it is part of the key).
        cin = self.cins.get(value)
        if cin is None:
            if len(self.cins) > 100_000:
                self.cins.clear()
            cin = self.cins[value] = normalize_cin(value, self.run.uow.rules)
        return cin

    def _load_sessions(self, refs: set[str]) -> None:
        todo = [r for r in refs if r not in self.sessions]
        session = self.run.uow.session
        for start in range(0, len(todo), _IN):
            chunk = todo[start:start + _IN]
            for s in session.scalars(select(ActivitySession).where(
                    ActivitySession.reference.in_(chunk))
                    .options(selectinload(ActivitySession.activity)
                             .selectinload(Activity.program))):
                self.sessions[s.reference] = s
            for ref in chunk:
                self.sessions.setdefault(ref, None)

    def _load_women(self, cins: set[str]) -> dict[str, Beneficiary]:
        todo = list(cins)
        found: dict[str, Beneficiary] = {}
        for start in range(0, len(todo), _IN):
            for b in self.run.uow.session.scalars(
                    select(Beneficiary).where(Beneficiary.cin.in_(todo[start:start + _IN]))
                    .options(selectinload(Beneficiary.archive_periods))):
                assert b.cin is not None
                found[b.cin] = b
        return found

    def flush(self) -> None:
        run, batch = self.run, self.buffer
        self.buffer = []
        if not batch:
            return
        groups: dict[str, list[tuple[Row, str]]] = {}
        for row in batch:
            groups.setdefault(row[1]["session_reference"], []).append(
                (row, self._cin(row[1]["cin"])))
        self._load_sessions(set(groups))
        women = self._load_women({cin for rows in groups.values() for _, cin in rows})
        for ref, rows in groups.items():
            self._session(ref, rows, women)
        # Women are looked up again by the next chunk; keep the unit of work small.
        for person in women.values():
            run.uow.session.expunge(person)

    def _session(self, ref: str, rows: list[tuple[Row, str]],
                 women: dict[str, Beneficiary]) -> None:
        run = self.run
        session = self.sessions[ref]
        try:
            if session is None:
                raise NotFound(f"session '{ref}' does not exist", code="import.session_unknown",
                               params={"reference": ref}, field="session_reference", value=ref)
            check_session_takes_attendance(session)
        except EmpowerError as exc:
            for (line, _, raw), _cin in rows:
                run.reject_error(line, exc, raw)
            return
        assert session is not None
        kept: dict[int, tuple[Row, Beneficiary]] = {}
        for row, cin in rows:
            person = women.get(cin)
            if person is None:
                run.reject_error(row[0], NotFound(
                    f"no beneficiary has CIN {cin}", code="beneficiary.unknown_cin",
                    params={"cin": cin}, field="cin", value=row[1]["cin"]), row[2])
                continue
            # The file's keys are unique, so one woman is on one row of this session.
            kept[person.id] = (row, person)
        if not kept:
            return
        loaded = {b: p for b, (_, p) in kept.items()}
        # Ids from the database and statuses parsed by the column's vocabulary: already valid,
        # so built without validating again (a roster import makes hundreds of thousands).
        marks = [AttendanceMark.model_construct(beneficiary_id=b, status=row[1]["status"])
                 for b, (row, _) in kept.items()]
        try:
            # Most rosters hold: the service checks and writes them in one go. It checks every
            # line before writing any, so a refusal leaves nothing to undo (no savepoint).
            result = record_roster(run.uow, session.id, marks, actor=run.actor, women=loaded)
        except EmpowerError:
            # Some woman may not be on it: the same rules say which, each on her own row,
            # and the others are written.
            refusals = roster_refusals(run.uow, session, loaded)
            for beneficiary_id, refusal in refusals.items():
                row = kept[beneficiary_id][0]
                run.reject_error(row[0], refusal, row[2])
            marks = [m for m in marks if m.beneficiary_id not in refusals]
            if not marks:
                return
            try:
                with run.uow.savepoint():
                    result = record_roster(run.uow, session.id, marks, actor=run.actor,
                                           women=loaded)
            except EmpowerError as exc:
                # The rules above are the service's own; this is a write that raced them.
                for m in marks:
                    row = kept[m.beneficiary_id][0]
                    run.reject_error(row[0], exc, row[2])
                return
        report = run.report
        report.created += result.added
        report.updated += result.changed
        report.unchanged += result.unchanged
