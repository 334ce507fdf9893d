"""Sessions (key: reference): planned, then held or cancelled, through the services.

A new row plans the session (:func:`~empower.services.activities.plan_session`) and, when its
status says so, holds it (:func:`~empower.services.activities.hold_session`, dated no later than
the import's today) or cancels it. A recorded planned session whose row says held or cancelled
takes that step; anything else that differs is rejected (``import.session_differs``): the core
has no correction service for sessions yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from empower.io.importing.kinds.activities import activity_by_code, differs
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, model
from empower.models import ActivitySession
from empower.schemas import SessionCreate
from empower.services.activities import cancel_session, hold_session, plan_session
from empower.vocab import SessionStatus

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def _step(run: ImportRun, session: ActivitySession, status: SessionStatus | None) -> bool:
    """Hold or cancel a planned session as the file says; whether a step was taken.

    Raises :class:`~empower.errors.InvalidTransition` (held to cancelled, or back) and what
    :func:`hold_session` raises.
    """
    if status is None or status == session.status:
        return False
    if status == SessionStatus.HELD:
        hold_session(run.uow, session.id, actor=run.actor, today=run.today)
    elif status == SessionStatus.CANCELLED:
        cancel_session(run.uow, session.id, actor=run.actor)
    else:
        raise differs("session", session.reference, "status")
    return True


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Plan the session and take its status; a recorded one moves forward or must match."""
    activity = activity_by_code(run, v["activity_code"])
    wanted = model(SessionCreate, {"activity_id": activity.id, "reference": v["reference"],
                                   "scheduled_on": v["scheduled_on"],
                                   "commune": v.get("commune"),
                                   "facilitator": v.get("facilitator")})
    found = run.uow.session.scalar(select(ActivitySession).where(
        ActivitySession.reference == wanted.reference))
    if found is None:
        session = plan_session(run.uow, wanted, actor=run.actor)
        _step(run, session, v.get("status"))
        return CREATED
    for name, column in (("activity_id", "activity_code"), ("scheduled_on", "scheduled_on"),
                         ("commune", "commune"), ("facilitator", "facilitator")):
        if column in run.present and getattr(found, name) != getattr(wanted, name):
            raise differs("session", found.reference, column)
    return UPDATED if _step(run, found, v.get("status")) else UNCHANGED
