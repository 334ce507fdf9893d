"""Attendance (key: session reference + CIN): rosters checked and written a chunk at a time.

Rows are buffered (:data:`CHUNK_ROWS` rows, or up to the run's commit point) and grouped per
session. A session that does not take attendance (planned, cancelled:
:func:`~empower.services.activities.check_session_takes_attendance`) or does not exist refuses
all its rows; a CIN no woman has refuses its row. The others go, all the chunk's sessions
together, to :func:`~empower.services.activities.record_rosters_accepted`, the bulk twin of
:func:`~empower.services.activities.record_roster` with the same rules (registered, not
archived on the session's day, enrolled in the activity's program that day): it writes the
lines that hold (one audit event per session whose roster changed) and says why the others do
not, each reported on its own row (line, column, value). So a re-import of the same file changes
nothing, and there is no query per row or per session: sessions, women and their enrolments are
read a chunk at a time, and the chunk is written with a handful of statements. In atomic mode a
refusal in a later chunk leaves nothing written: the run does not commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from empower.errors import EmpowerError, NotFound
from empower.models import Activity, ActivitySession, Beneficiary
from empower.services.activities import check_session_takes_attendance, record_rosters_accepted
from empower.vocab import AttendanceStatus

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["CHUNK_ROWS", "AttendanceBatch"]

# Rows checked and written together: a few hundred sessions' rosters per set of statements.
CHUNK_ROWS = 20_000
# Lookups go in IN lists of at most this many values (SQLite's limit on bound parameters).
_IN = 900
# (line, values, raw cells, normalised CIN)
Row = tuple[int, dict[str, Any], dict[str, Any], str]


class AttendanceBatch:
    """Buffers roster rows and writes them a chunk at a time through the roster service."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.chunk = CHUNK_ROWS
        self.buffer: list[Row] = []
        self.sessions: dict[str, ActivitySession | None] = {}

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None:
        # The run has checked every CIN of the file (it is part of the key): its memo has it.
        self.buffer.append((line, values, raw, self.run.cin(values["cin"])))
        if len(self.buffer) >= self.chunk:
            self.flush()

    def finish(self) -> None:
        self.flush()

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
        groups: dict[str, list[Row]] = {}
        for row in batch:
            ref = row[1]["session_reference"]
            rows = groups.get(ref)
            if rows is None:
                rows = groups[ref] = []
            rows.append(row)
        self._load_sessions(set(groups))
        women = self._load_women({row[3] for row in batch})
        by_id = {person.id: person for person in women.values()}
        rosters: list[tuple[ActivitySession, dict[int, AttendanceStatus]]] = []
        # The row of each line sent, by session id then woman's id (to report a refusal).
        sent: dict[int, dict[int, Row]] = {}
        # The chunk's refusals, reported in the order of the file's lines.
        refused_rows: list[tuple[int, EmpowerError, dict[str, Any]]] = []
        for ref, rows in groups.items():
            session = self.sessions[ref]
            try:
                if session is None:
                    raise NotFound(f"session '{ref}' does not exist",
                                   code="import.session_unknown", params={"reference": ref},
                                   field="session_reference", value=ref)
                check_session_takes_attendance(session)
            except EmpowerError as exc:
                refused_rows.extend((line, exc, raw) for line, _values, raw, _cin in rows)
                continue
            marks: dict[int, AttendanceStatus] = {}
            lines: dict[int, Row] = {}
            for row in rows:
                person = women.get(row[3])
                if person is None:
                    refused_rows.append((row[0], NotFound(
                        f"no beneficiary has CIN {row[3]}", code="beneficiary.unknown_cin",
                        params={"cin": row[3]}, field="cin", value=row[1]["cin"]), row[2]))
                    continue
                # The file's keys are unique, so one woman is on one row of this session.
                marks[person.id] = row[1]["status"]
                lines[person.id] = row
            if marks:
                rosters.append((session, marks))
                sent[session.id] = lines
        if rosters:
            results, refusals = record_rosters_accepted(run.uow, rosters, actor=run.actor,
                                                        women=by_id)
            for session_id, refused in refusals.items():
                for beneficiary_id, refusal in refused.items():
                    row = sent[session_id][beneficiary_id]
                    refused_rows.append((row[0], refusal, row[2]))
            report = run.report
            for result in results:
                report.created += result.added
                report.updated += result.changed
                report.unchanged += result.unchanged
        refused_rows.sort(key=lambda r: r[0])
        for line, error, raw in refused_rows:
            run.reject_error(line, error, raw)
        # Women are looked up again by the next chunk; keep the unit of work small.
        for person in women.values():
            run.uow.session.expunge(person)
