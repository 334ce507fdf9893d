"""Activities, their sessions, attendance rosters and coaching visits.

What the program does with the women between enrolment and grant. A woman's completion of an
activity is her ``present`` sessions (held, dated on or before the day asked about) over the
planned number of sessions; :func:`empower.predicates.completion_met` says when it is enough.
A program with a minimum completion share gates its grants on it
(:func:`check_training_completed`, called by ``approve_grant`` and ``disburse``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, bindparam, cast, func, insert, select, update
from sqlalchemy.orm import selectinload

from empower import audit
from empower.db import UnitOfWork
from empower.errors import EmpowerError, InvalidInput, NotEligible
from empower.models import (
    Activity,
    ActivitySession,
    Attendance,
    Beneficiary,
    CoachingVisit,
    Enrollment,
    Partner,
    Program,
    table_of,
)
from empower.predicates import (
    ACTIVITY_RUNNING,
    ENROLLMENT_ACTIVE,
    attended_sql,
    completion_met,
)
from empower.rules import check_after_program_start, check_after_registration
from empower.schemas import ActivityCreate, AttendanceMark, SessionCreate, VisitCreate
from empower.services._common import (
    check_cooperative_active,
    check_not_archived,
    check_not_in_future,
    check_program_running,
    check_province,
    check_unique,
    get,
    not_found,
)
from empower.states import check_transition
from empower.vocab import ActivityKind, AttendanceStatus, SessionStatus

__all__ = [
    "Completion",
    "RosterResult",
    "cancel_session",
    "check_training_completed",
    "completions",
    "completions_of",
    "create_activity",
    "hold_session",
    "plan_session",
    "record_roster",
    "record_rosters_accepted",
    "record_visit",
    "roster_refusals",
]


def create_activity(uow: UnitOfWork, data: ActivityCreate, *, actor: str) -> Activity:
    """Create an activity of a program, its dates within the program's.

    Raises :class:`NotFound` (program, partner), :class:`InvalidInput` (dates out of order, an
    unknown province), :class:`NotEligible` (dates outside the program's), :class:`Conflict`
    (the code is taken).
    """
    audit.check_actor(actor)
    program = get(uow, Program, data.program_id, what="program")
    if data.partner_id is not None:
        get(uow, Partner, data.partner_id, what="partner")
    check_province(uow, data.province_code)
    if data.ends_on < data.starts_on:
        raise InvalidInput(f"ends_on: {data.ends_on.isoformat()} is before the start "
                           f"{data.starts_on.isoformat()}", code="activity.ends_before_start",
                           params={"starts_on": data.starts_on, "ends_on": data.ends_on},
                           field="ends_on", value=data.ends_on.isoformat())
    check_program_running(program, data.starts_on, field="starts_on")
    check_program_running(program, data.ends_on, field="ends_on")
    check_unique(uow, Activity.code, data.code, code="activity.code_taken", what="activity",
            field="code")
    activity = Activity(**data.model_dump())
    uow.session.add(activity)
    uow.session.flush()
    audit.record(uow, actor=actor, action="create", entity="activity", entity_id=activity.id,
                 changes=data.model_dump())
    return activity


def plan_session(uow: UnitOfWork, data: SessionCreate, *, actor: str) -> ActivitySession:
    """Plan a session of an activity on a day within the activity's and the program's dates.

    Raises :class:`NotFound` (activity), :class:`NotEligible` (outside the dates),
    :class:`Conflict` (the reference is taken).
    """
    audit.check_actor(actor)
    activity = get(uow, Activity, data.activity_id, what="activity")
    _check_in_activity(activity, data.scheduled_on)
    check_unique(uow, ActivitySession.reference, data.reference, code="session.reference_taken",
            what="session", field="reference")
    session = ActivitySession(**data.model_dump(), status=SessionStatus.PLANNED)
    uow.session.add(session)
    uow.session.flush()
    audit.record(uow, actor=actor, action="plan", entity="session", entity_id=session.id,
                 changes=data.model_dump())
    return session


def _check_in_activity(activity: Activity, on: date) -> None:
    if not ACTIVITY_RUNNING.holds(activity, on):
        raise NotEligible(
            f"scheduled_on: activity {activity.code} runs {activity.starts_on.isoformat()} to "
            f"{activity.ends_on.isoformat()}; {on.isoformat()} is outside it",
            code="session.outside_activity",
            params={"activity": activity.code, "starts_on": activity.starts_on,
                    "ends_on": activity.ends_on, "on": on},
            field="scheduled_on", value=on.isoformat())
    check_program_running(activity.program, on, field="scheduled_on")


def hold_session(uow: UnitOfWork, session_id: int, *, actor: str,
                 today: date | None = None) -> ActivitySession:
    """Record that a planned session took place (on its date, which must not be in the future).

    Raises :class:`InvalidTransition` (not planned), :class:`InvalidInput` (dated after today
    plus the margin, ``date.in_future``).
    """
    audit.check_actor(actor)
    session = get(uow, ActivitySession, session_id, what="session", lock=True)
    status = check_transition(session.status, "hold", what="session", ref=session.reference)
    check_not_in_future(uow, session.scheduled_on, field="scheduled_on", today_=today)
    session.status = status
    uow.session.flush()
    audit.record(uow, actor=actor, action="hold", entity="session", entity_id=session.id,
                 changes={"status": [SessionStatus.PLANNED, status]})
    return session


def cancel_session(uow: UnitOfWork, session_id: int, *, actor: str,
                   reason: str | None = None) -> ActivitySession:
    """Cancel a planned session; a cancelled session takes no attendance.

    Raises :class:`InvalidTransition` (held or already cancelled).
    """
    audit.check_actor(actor)
    session = get(uow, ActivitySession, session_id, what="session", lock=True)
    status = check_transition(session.status, "cancel", what="session", ref=session.reference)
    session.status = status
    uow.session.flush()
    audit.record(uow, actor=actor, action="cancel", entity="session", entity_id=session.id,
                 changes={"status": [SessionStatus.PLANNED, status], "reason": reason})
    return session


@dataclass(frozen=True)
class RosterResult:
    """What one call to :func:`record_roster` wrote."""

    session_id: int
    added: int
    changed: int
    unchanged: int


def check_session_takes_attendance(session: ActivitySession) -> None:
    """Refuse a roster for a session that is not held (planned or cancelled)."""
    if session.status == SessionStatus.HELD:
        return
    code = "session.cancelled" if session.status == SessionStatus.CANCELLED else "session.not_held"
    raise NotEligible(f"session {session.reference} is {session.status.value}; attendance is "
                      f"recorded only for held sessions", code=code,
                      params={"reference": session.reference, "status": session.status.value},
                      field="session_reference", value=session.reference)


def enrolled_on_session_day(uow: UnitOfWork, session: ActivitySession,
                            beneficiary_ids: Iterable[int]) -> set[int]:
    """The women among ``beneficiary_ids`` whose enrolment in the activity's program was
    active on the session's date (the roster's rule, for the service, the import and the
    panel's roster page alike)."""
    ids = list(set(beneficiary_ids))
    found: set[int] = set()
    program_id = session.activity.program_id
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        found.update(uow.session.scalars(select(Enrollment.beneficiary_id).where(
            Enrollment.program_id == program_id, Enrollment.beneficiary_id.in_(chunk),
            ENROLLMENT_ACTIVE.sql(session.scheduled_on, Enrollment))))
    return found


def record_roster(uow: UnitOfWork, session_id: int,
                  marks: Iterable[AttendanceMark | Mapping[str, Any]], *,
                  actor: str, women: Mapping[int, Beneficiary] | None = None) -> RosterResult:
    """Record a held session's roster in one call: present, absent or excused for each woman.

    Every woman must have had an active enrolment in the activity's program on the session's
    date and not be archived then. A woman already on the roster gets her new mark (one row
    per session and woman); women left out of ``marks`` keep theirs. Nothing is written unless
    every line holds. ``women`` may give the women already loaded (by id, with their archive
    periods): they are not loaded again, and checked all the same.

    Raises :class:`NotFound` (session, a woman), :class:`NotEligible` (session not held, a woman
    not enrolled or archived that day), :class:`InvalidInput` (a woman twice in the roster).
    """
    audit.check_actor(actor)
    session = get(uow, ActivitySession, session_id, what="session")
    check_session_takes_attendance(session)
    wanted: dict[int, AttendanceStatus] = {}
    for raw in marks:
        mark = raw if isinstance(raw, AttendanceMark) else AttendanceMark.model_validate(raw)
        if mark.beneficiary_id in wanted:
            raise InvalidInput(f"beneficiary_id: beneficiary #{mark.beneficiary_id} is twice in "
                               f"the roster of session {session.reference}",
                               code="attendance.twice",
                               params={"id": mark.beneficiary_id, "reference": session.reference},
                               field="beneficiary_id", value=mark.beneficiary_id)
        wanted[mark.beneficiary_id] = mark.status
    known = _known_women(uow, wanted, women)
    for beneficiary_id in wanted:
        if beneficiary_id not in known:
            get(uow, Beneficiary, beneficiary_id, what="beneficiary")
    refusals = roster_refusals(uow, session, {b: known[b] for b in wanted})
    for beneficiary_id in wanted:
        if beneficiary_id in refusals:
            raise refusals[beneficiary_id]
    return _write_rosters(uow, [(session, wanted)], actor=actor)[0]


def record_rosters_accepted(
        uow: UnitOfWork, rosters: Sequence[tuple[ActivitySession, Mapping[int, AttendanceStatus]]],
        *, actor: str, women: Mapping[int, Beneficiary] | None = None,
) -> tuple[list[RosterResult], dict[int, dict[int, EmpowerError]]]:
    """Record many held sessions' rosters at once, each line that holds; say why the others
    do not (the bulk twin of :func:`record_roster`, for imports).

    ``rosters`` pairs each session (distinct, loaded with its activity and program) with its
    marks by woman's id. A line holds under :func:`record_roster`'s rules
    (:func:`roster_refusals`); a woman who does not exist is refused with
    :class:`NotFound`. The lines that hold are written as :func:`record_roster` writes them
    (new lines inserted, changed marks updated, one audit event per session whose roster
    changed), with a handful of statements for all the sessions. Returns one result per session,
    in order, and the refusals by session id, then woman's id.

    Raises :class:`NotEligible` for a session that is not held (the whole call writes nothing;
    callers check :func:`check_session_takes_attendance` first to refuse those rows alone).
    """
    audit.check_actor(actor)
    for session, _marks in rosters:
        check_session_takes_attendance(session)
    known = _known_women(uow, {b for _s, marks in rosters for b in marks}, women)
    refusals: dict[int, dict[int, EmpowerError]] = {}
    checked: list[tuple[ActivitySession, dict[int, Beneficiary]]] = []
    for session, marks in rosters:
        found: dict[int, Beneficiary] = {}
        for beneficiary_id in marks:
            person = known.get(beneficiary_id)
            if person is None:
                refusals.setdefault(session.id, {})[beneficiary_id] = not_found(
                    "beneficiary", beneficiary_id)
            else:
                found[beneficiary_id] = person
        checked.append((session, found))
    for session_id, refused in _refusals(uow, checked).items():
        refusals.setdefault(session_id, {}).update(refused)
    accepted = [(session, {b: s for b, s in marks.items()
                           if b not in refusals.get(session.id, ())})
                for session, marks in rosters]
    return _write_rosters(uow, accepted, actor=actor), refusals


def roster_refusals(uow: UnitOfWork, session: ActivitySession,
                    women: Mapping[int, Beneficiary]) -> dict[int, EmpowerError]:
    """Why each of ``women`` (by id) may not be on this session's roster, for those who may
    not: archived or erased on the session's day, or not enrolled in the activity's program
    that day. The roster's rules, for :func:`record_roster` and for the importer, which
    reports each woman's refusal on her own row. One query for the enrolments."""
    return _refusals(uow, [(session, women)]).get(session.id, {})


def _refusals(uow: UnitOfWork, rosters: Sequence[tuple[ActivitySession, Mapping[int, Beneficiary]]]
              ) -> dict[int, dict[int, EmpowerError]]:
    """:func:`roster_refusals` for many sessions at once (by session id): the enrolments of all
    the women are read in one go and checked with the pure rule
    (:data:`~empower.predicates.ENROLLMENT_ACTIVE`), not one query per session."""
    out: dict[int, dict[int, EmpowerError]] = {}
    programs = {session.activity.program_id for session, _women in rosters}
    enrolments = _enrolments(uow, programs, {b for _s, women in rosters for b in women})
    for session, women in rosters:
        on, program_id = session.scheduled_on, session.activity.program_id
        refused: dict[int, EmpowerError] = {}
        for beneficiary_id, person in women.items():
            try:
                check_not_archived(person, on)
            except EmpowerError as exc:
                refused[beneficiary_id] = exc
                continue
            dates = enrolments.get((beneficiary_id, program_id))
            if dates is None or not ENROLLMENT_ACTIVE.holds_between(*dates, on):
                refused[beneficiary_id] = _not_enrolled(session, beneficiary_id)
        if refused:
            out[session.id] = refused
    return out


def _enrolments(uow: UnitOfWork, program_ids: Collection[int], beneficiary_ids: Collection[int]
                ) -> dict[tuple[int, int], tuple[date | None, date | None]]:
    """The start and end of the women's enrolments in these programs (the columns of
    :data:`~empower.predicates.ENROLLMENT_ACTIVE`), by (woman, program): one per pair (a unique
    constraint)."""
    ids = list(beneficiary_ids)
    span = ENROLLMENT_ACTIVE
    assert span.start is not None and span.end is not None
    out: dict[tuple[int, int], tuple[date | None, date | None]] = {}
    for start in range(0, len(ids), 900):
        for woman, program, begun, ended in uow.session.execute(
                select(Enrollment.beneficiary_id, Enrollment.program_id,
                       getattr(Enrollment, span.start), getattr(Enrollment, span.end))
                .where(Enrollment.program_id.in_(list(program_ids)),
                       Enrollment.beneficiary_id.in_(ids[start:start + 900]))):
            out[(woman, program)] = (begun, ended)
    return out


def _not_enrolled(session: ActivitySession, beneficiary_id: int) -> NotEligible:
    program = session.activity.program
    return NotEligible(
        f"beneficiary_id: beneficiary #{beneficiary_id} is not enrolled in program "
        f"{program.code} on {session.scheduled_on.isoformat()} (session "
        f"{session.reference})", code="attendance.not_enrolled",
        params={"id": beneficiary_id, "program": program.code,
                "on": session.scheduled_on, "reference": session.reference},
        field="beneficiary_id", value=beneficiary_id)


def _known_women(uow: UnitOfWork, ids: Iterable[int],
                 women: Mapping[int, Beneficiary] | None) -> dict[int, Beneficiary]:
    """The women of ``ids`` that exist, from ``women`` when it has them, else loaded."""
    known = {b: women[b] for b in ids if b in women} if women is not None else {}
    known.update({b.id: b for b in _load_women(uow, [b for b in ids if b not in known])})
    return known


def _load_women(uow: UnitOfWork, ids: Iterable[int]) -> list[Beneficiary]:
    ids = list(ids)
    out: list[Beneficiary] = []
    for start in range(0, len(ids), 900):
        # With their archive periods: the archive check reads them for every woman, and one
        # lazy load per woman made a roster of 30 cost 30 queries.
        out.extend(uow.session.scalars(
            select(Beneficiary).options(selectinload(Beneficiary.archive_periods))
            .where(Beneficiary.id.in_(ids[start:start + 900]))))
    return out


_ATTENDANCES = table_of(Attendance)
# One statement for every changed mark of a chunk (executemany), not one per session.
_UPDATE_MARK = (update(_ATTENDANCES)
                .where(_ATTENDANCES.c.session_id == bindparam("s"),
                       _ATTENDANCES.c.beneficiary_id == bindparam("b"))
                .values(status=bindparam("st")))


def _write_rosters(uow: UnitOfWork,
                   rosters: Sequence[tuple[ActivitySession, Mapping[int, AttendanceStatus]]], *,
                   actor: str) -> list[RosterResult]:
    """Insert the new lines and update the changed ones of these sessions' rosters (checked),
    then one audit event per roster that changed: one read, one insert, one update and one
    audit insert for all of them."""
    current: dict[int, dict[int, AttendanceStatus]] = {s.id: {} for s, _marks in rosters}
    session_ids = list(current)
    for start in range(0, len(session_ids), 900):
        for session_id, beneficiary_id, status in uow.session.execute(
                select(_ATTENDANCES.c.session_id, _ATTENDANCES.c.beneficiary_id,
                       _ATTENDANCES.c.status)
                .where(_ATTENDANCES.c.session_id.in_(session_ids[start:start + 900]))):
            current[session_id][beneficiary_id] = status
    new: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    events: list[tuple[int, dict[str, Any]]] = []
    results: list[RosterResult] = []
    for session, wanted in rosters:
        session_id = session.id
        now = current[session_id]
        added = 0
        changed: list[list[Any]] = []
        for b, s in wanted.items():
            old = now.get(b)
            if old is None:
                new.append({"session_id": session_id, "beneficiary_id": b, "status": s})
                added += 1
            elif old != s:
                updates.append({"s": session_id, "b": b, "st": s})
                changed.append([b, old.value, s.value])
        result = RosterResult(session_id, added, len(changed), len(wanted) - added - len(changed))
        results.append(result)
        if added or changed:
            counts = dict.fromkeys((s.value for s in AttendanceStatus), 0)
            for s in wanted.values():
                counts[s.value] += 1
            # Women by id only: their CINs and names never enter the log.
            events.append((session_id, {**counts, "added": added, "changed": changed}))
    if new:
        uow.session.execute(insert(_ATTENDANCES), new)
    if updates:
        uow.session.execute(_UPDATE_MARK, updates)
    audit.record_many(uow, actor=actor, action="record_roster", entity="session", items=events)
    return results


def record_visit(uow: UnitOfWork, data: VisitCreate, *, actor: str,
                 today: date | None = None) -> CoachingVisit:
    """Record a coaching visit to exactly one woman's or one cooperative's project.

    The visit is dated within the program's start and today; a woman must be registered and
    not archived that day, a cooperative active. The note is personal: the audit log records
    only that there was one.

    Raises :class:`InvalidInput` (no or two recipients, next visit before this one),
    :class:`NotFound`, :class:`NotEligible`, :class:`Conflict` (the reference is taken).
    """
    audit.check_actor(actor)
    if (data.beneficiary_id is None) == (data.cooperative_id is None):
        raise InvalidInput("recipient: a visit is to exactly one beneficiary or one cooperative",
                           code="visit.one_recipient", field="beneficiary_id", value=None)
    program = get(uow, Program, data.program_id, what="program")
    on = data.visited_on
    check_not_in_future(uow, on, field="visited_on", today_=today)
    check_after_program_start(on, program.code, program.start_date, field="visited_on")
    if data.next_visit_due is not None and data.next_visit_due < on:
        raise InvalidInput(f"next_visit_due: {data.next_visit_due.isoformat()} is before the "
                           f"visit on {on.isoformat()}", code="visit.next_before_visit",
                           params={"next_visit_due": data.next_visit_due, "on": on},
                           field="next_visit_due", value=data.next_visit_due.isoformat())
    if data.beneficiary_id is not None:
        person = get(uow, Beneficiary, data.beneficiary_id, what="beneficiary")
        check_not_archived(person, on)
        check_after_registration(on, person.registered_on, field="visited_on")
    else:
        assert data.cooperative_id is not None
        check_cooperative_active(uow, data.cooperative_id, on)
    check_unique(uow, CoachingVisit.reference, data.reference, code="visit.reference_taken",
            what="visit", field="reference")
    visit = CoachingVisit(**data.model_dump())
    uow.session.add(visit)
    uow.session.flush()
    changes = data.model_dump()
    changes["note"] = None if data.note is None else audit.REDACTED
    audit.record(uow, actor=actor, action="record", entity="visit", entity_id=visit.id,
                 changes=changes)
    return visit


@dataclass(frozen=True)
class Completion:
    """A woman's completion of one activity as of a day."""

    activity_id: int
    activity_code: str
    present: int
    planned: int
    completion_share: float

    @property
    def share(self) -> float:
        """Present sessions over planned sessions."""
        return self.present / self.planned if self.planned else 0.0

    @property
    def completed(self) -> bool:
        """Whether she reached the activity's own completion share."""
        return completion_met(self.present, self.planned, self.completion_share)


def completions(uow: UnitOfWork, beneficiary_id: int, as_of: date, *,
                program_id: int | None = None,
                kind: ActivityKind | None = None) -> list[Completion]:
    """Her completion of every activity whose roster she is on, as of ``as_of``.

    An activity counts once she has a roster line on one of its sessions dated on or before
    ``as_of``; her present sessions are those of held sessions dated by then.
    """
    return completions_of(uow, [beneficiary_id], as_of, program_id=program_id,
                          kind=kind).get(beneficiary_id, [])


def completions_of(uow: UnitOfWork, beneficiary_ids: Iterable[int], as_of: date, *,
                   program_id: int | None = None,
                   kind: ActivityKind | None = None) -> dict[int, list[Completion]]:
    """:func:`completions` of many women at once (a payment batch checks thousands), by id: a
    query per 900 women, not one per woman. A woman on no roster has no entry."""
    s = table_of(ActivitySession)
    a = table_of(Attendance)
    present = func.coalesce(func.sum(cast(attended_sql(as_of, a, s), Integer)), 0)
    stmt = (select(a.c.beneficiary_id, Activity.id, Activity.code, present,
                   Activity.planned_sessions, Activity.completion_share)
            .select_from(a)
            .join(s, s.c.id == a.c.session_id)
            .join(Activity, Activity.id == s.c.activity_id)
            .where(s.c.scheduled_on <= as_of)
            .group_by(a.c.beneficiary_id, Activity.id, Activity.code, Activity.planned_sessions,
                      Activity.completion_share)
            .order_by(a.c.beneficiary_id, Activity.starts_on, Activity.id))
    if program_id is not None:
        stmt = stmt.where(Activity.program_id == program_id)
    if kind is not None:
        stmt = stmt.where(Activity.kind == kind)
    ids = sorted(set(beneficiary_ids))
    out: dict[int, list[Completion]] = {}
    for start in range(0, len(ids), 900):
        for woman, i, code, p, n, share in uow.session.execute(
                stmt.where(a.c.beneficiary_id.in_(ids[start:start + 900]))):
            out.setdefault(woman, []).append(Completion(int(i), code, int(p), int(n),
                                                        float(share)))
    return out


def check_training_completed(uow: UnitOfWork, program: Program, beneficiary_id: int,
                             on: date, *, required: bool = False,
                             done: Mapping[int, list[Completion]] | None = None) -> None:
    """Refuse money for a woman who has not completed the program's training, when the program
    sets a minimum completion share (or ``required``: a tranche plan asks for it, and each
    activity's own completion share applies where the program sets no minimum).

    She must be on the roster of at least one of the program's training activities by ``on``,
    and for each of them her present sessions over the planned number must reach the
    program's minimum.

    ``done``: the program's training completions as of ``on`` already read for many women
    (:func:`completions_of`), when checking many at once.

    Raises :class:`NotEligible` naming her figures ("attended 5 of 12 sessions, 0.42 < 0.80").
    """
    program_minimum = program.min_completion_share
    if program_minimum is None and not required:
        return
    minimum = program_minimum if program_minimum is not None else 0.0
    rows = (done.get(beneficiary_id, []) if done is not None else
            completions(uow, beneficiary_id, on, program_id=program.id,
                        kind=ActivityKind.TRAINING))
    if not rows:
        raise NotEligible(
            f"beneficiary #{beneficiary_id} is on the roster of no training activity of program "
            f"{program.code} by {on.isoformat()}; the program asks for {minimum:.2f} of the "
            f"sessions", code="training.no_roster",
            params={"id": beneficiary_id, "program": program.code, "on": on,
                    "min": f"{minimum:.2f}"}, field="beneficiary_id", value=beneficiary_id)
    for row in rows:
        if program_minimum is None:
            minimum = row.completion_share
        if not completion_met(row.present, row.planned, minimum):
            raise NotEligible(
                f"beneficiary #{beneficiary_id} attended {row.present} of {row.planned} sessions "
                f"of {row.activity_code} by {on.isoformat()}, {row.share:.2f} < {minimum:.2f}",
                code="training.not_completed",
                params={"id": beneficiary_id, "activity": row.activity_code,
                        "present": row.present, "planned": row.planned,
                        "share": f"{row.share:.2f}", "min": f"{minimum:.2f}", "on": on},
                field="beneficiary_id", value=beneficiary_id)
