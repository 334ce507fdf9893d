"""Core reads for the panel's trainings pages: a session's roster, an activity's completion, hers.

The rules are the core's, used as they are: who is on a roster is
:func:`empower.services.activities.enrolled_on_session_day` (enrolled in the activity's program
on the session's date) narrowed to the women her regions cover (:func:`empower.scope.condition`)
and not archived that day; a woman's completion is her ``present`` sessions
(:func:`empower.predicates.attended_sql`) over the planned number, completed when
:func:`empower.predicates.completion_met` says so (:func:`empower.services.activities.completions`
for one woman). These reads run on the core's SQLAlchemy session, off the event loop, like the
dashboard's counts (empower.panel_queries): the panel itself never reads with SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, func, select

from empower import scope
from empower.db import UnitOfWork
from empower.models import Activity, ActivitySession, Attendance, Beneficiary, Enrollment, table_of
from empower.predicates import ARCHIVED, attended_sql, completion_met
from empower.services.activities import completions, enrolled_on_session_day

__all__ = ["activity_completion", "roster", "roster_ids", "woman_completions"]

_NAME = (Beneficiary.id, Beneficiary.first_name, Beneficiary.last_name, Beneficiary.first_name_ar,
         Beneficiary.last_name_ar)


def roster_ids(uow: UnitOfWork, session: ActivitySession,
               regions: Collection[str] | None) -> set[int]:
    """The women of her regions who may be on this session's roster: enrolled in the activity's
    program on its date (the core's rule) and not archived that day."""
    candidates = uow.session.scalars(select(Beneficiary.id).where(
        Beneficiary.id.in_(select(Enrollment.beneficiary_id).where(
            Enrollment.program_id == session.activity.program_id)),
        scope.condition(Beneficiary, regions),
        ~ARCHIVED.sql(session.scheduled_on, Beneficiary)))
    return enrolled_on_session_day(uow, session, candidates)


def roster(uow: UnitOfWork, session_id: int,
           regions: Collection[str] | None) -> list[dict[str, Any]]:
    """Her part of a session's roster, by name: each woman and her mark (None: not marked)."""
    session = uow.session.get(ActivitySession, session_id)
    if session is None:
        return []
    ids = roster_ids(uow, session, regions)
    marks = dict(uow.session.execute(select(Attendance.beneficiary_id, Attendance.status).where(
        Attendance.session_id == session_id)).all())
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 900):
        chunk = sorted(ids)[start:start + 900]
        for bid, first, last, first_ar, last_ar in uow.session.execute(
                select(*_NAME).where(Beneficiary.id.in_(chunk))):
            status = marks.get(bid)
            rows.append({"id": bid, "name": f"{first} {last}".strip(),
                         "name_ar": f"{first_ar or ''} {last_ar or ''}".strip(),
                         "status": None if status is None else str(status.value)})
    rows.sort(key=lambda r: (str(r["name"]).casefold(), str(r["id"]).zfill(12)))
    return rows


def activity_completion(uow: UnitOfWork, activity_id: int, regions: Collection[str] | None,
                        as_of: date) -> list[dict[str, Any]]:
    """Each woman of her regions on a roster of the activity: present sessions by ``as_of``,
    planned sessions, and whether she completed it (the activity's completion share)."""
    activity = uow.session.get(Activity, activity_id)
    if activity is None:
        return []
    a = table_of(Attendance)
    s = table_of(ActivitySession)
    present = func.coalesce(func.sum(cast(attended_sql(as_of, a, s), Integer)), 0)
    stmt = (select(a.c.beneficiary_id, present)
            .select_from(a).join(s, s.c.id == a.c.session_id)
            .where(s.c.activity_id == activity_id, s.c.scheduled_on <= as_of,
                   a.c.beneficiary_id.in_(select(Beneficiary.id).where(
                       scope.condition(Beneficiary, regions))))
            .group_by(a.c.beneficiary_id))
    counts = {int(b): int(n) for b, n in uow.session.execute(stmt)}
    names = {}
    ids = sorted(counts)
    for start in range(0, len(ids), 900):
        for bid, first, last, first_ar, last_ar in uow.session.execute(
                select(*_NAME).where(Beneficiary.id.in_(ids[start:start + 900]))):
            names[bid] = (f"{first} {last}".strip(), f"{first_ar or ''} {last_ar or ''}".strip())
    rows = [{"id": b, "name": names.get(b, ("", ""))[0], "name_ar": names.get(b, ("", ""))[1],
             "present": n, "planned": activity.planned_sessions,
             "share": n / activity.planned_sessions if activity.planned_sessions else 0.0,
             "completed": completion_met(n, activity.planned_sessions,
                                         activity.completion_share)}
            for b, n in counts.items()]
    rows.sort(key=lambda r: (str(r["name"]).casefold(), str(r["id"]).zfill(12)))
    return rows


def woman_completions(uow: UnitOfWork, beneficiary_id: int, as_of: date) -> list[dict[str, Any]]:
    """Her completion of every activity whose roster she is on (the core's ``completions``),
    with each activity's title, for her page."""
    rows = completions(uow, beneficiary_id, as_of)
    titles = dict(uow.session.execute(select(Activity.id, Activity.title).where(
        Activity.id.in_([r.activity_id for r in rows]))).all()) if rows else {}
    return [{"activity_id": r.activity_id, "code": r.activity_code,
             "title": titles.get(r.activity_id, ""), "present": r.present,
             "planned": r.planned, "share": r.share, "completion_share": r.completion_share,
             "completed": r.completed} for r in rows]
