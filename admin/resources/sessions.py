"""Sessions of an activity: planned, then held or cancelled; a held session's roster.

The roster (a session's page) lists the women of her regions enrolled in the activity's program
on the session's date (:func:`empower.panel_trainings.roster`); an officer marks each present,
absent or excused and saves the whole roster once, through :func:`empower.record_roster` (one
transaction). A woman not on her roster cannot be marked, even by a crafted form.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool

import empower
from empower import vocab
from empower.errors import InvalidInput, NotFound
from empower.models import ActivitySession
from empower.panel_trainings import roster, roster_ids
from empower.schemas import SessionCreate, parse_input

from .. import models as m
from ..forms import DATE_REASON, Action, Field, FormSpec, form_data
from ..scope import Principal, check_activity, check_session
from .base import N_, Column, Filter, Resource
from .filters import equals, search_fields, vocab_options

__all__ = ["MARK", "resource"]

_C = Column

# The roster form's fields: ``mark-<beneficiary id>`` = present | absent | excused (or empty).
MARK = re.compile(r"mark-([0-9]{1,10})")

FIELDS = [
    Field("activity_id", N_("Activity #"), "number", required=True),
    Field("reference", N_("Reference"), required=True),
    Field("scheduled_on", N_("Date"), "date", required=True),
    Field("commune", N_("Commune")),
    Field("facilitator", N_("Facilitator")),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(SessionCreate, form_data(FIELDS, values))
    check_activity(uow, p, data.activity_id)
    session = empower.plan_session(uow, data, actor=p.actor)
    return f"/activity_sessions/{session.id}"


def hold(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_session(uow, p, record_id)
    empower.hold_session(uow, record_id, actor=p.actor)
    return f"/activity_sessions/{record_id}"


def cancel(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_session(uow, p, record_id)
    empower.cancel_session(uow, record_id, actor=p.actor, reason=values.get("reason") or None)
    return f"/activity_sessions/{record_id}"


def save_roster(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    """Every mark of the form in one call of :func:`empower.record_roster`.

    Raises :class:`NotFound` for a woman who is not on her roster (outside her regions, or not
    enrolled that day: the page never offered her), :class:`InvalidInput` for a mark that is
    not one of the statuses; the core's refusals (session not held...) pass through.
    """
    check_session(uow, p, record_id)
    session = uow.session.get(ActivitySession, record_id)
    marks: list[dict[str, Any]] = []
    for key, raw in values.items():
        found = MARK.fullmatch(key)
        if found is None or not raw:
            continue
        if raw not in {s.value for s in vocab.AttendanceStatus}:
            raise InvalidInput(f"status: '{raw[:20]}' is not an attendance status",
                               code="choice.invalid",
                               params={"value": raw[:20], "allowed": ", ".join(
                                   s.value for s in vocab.AttendanceStatus)},
                               field="status", value=raw[:20])
        marks.append({"beneficiary_id": int(found.group(1)), "status": raw})
    if marks and session is not None:
        allowed = roster_ids(uow, session, p.region_scope)
        for mark in marks:
            if mark["beneficiary_id"] not in allowed:
                raise NotFound(f"beneficiary #{mark['beneficiary_id']} is not on this roster",
                               code="record.not_found",
                               params={"what": "beneficiary", "id": mark["beneficiary_id"]},
                               field="beneficiary_id", value=mark["beneficiary_id"])
    empower.record_roster(uow, record_id, marks, actor=p.actor)
    return f"/activity_sessions/{record_id}"


async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """The roster as she may see it (and, an officer on a held session, mark it)."""
    def read() -> list[dict[str, Any]]:
        with panel.db.unit_of_work(readonly=True) as uow:
            return roster(uow, row["id"], p.region_scope)

    return {"roster": await run_in_threadpool(read),
            "statuses": [s.value for s in vocab.AttendanceStatus],
            "can_mark": p.can_write and row.get("status") == "held"}


def _planned(row: dict[str, Any]) -> bool:
    return row.get("status") == "planned"


resource = Resource(
    "activity_sessions", N_("Sessions"), m.ActivitySession,
    [_C("id", "#"), _C("reference", N_("Reference")),
     _C("activity_id", N_("Activity"), "link"), _C("scheduled_on", N_("Date"), "date"),
     _C("status", N_("Status"), "label"), _C("commune", N_("Commune")),
     _C("facilitator", N_("Facilitator"))],
    lambda p: p.within, search_fields("reference", "commune", "facilitator"),
    N_("Reference, commune or facilitator"),
    [Filter("status", N_("Status"), vocab_options(vocab.SessionStatus),
            equals("status", vocab.SessionStatus))],
    create=FormSpec(FIELDS, create, N_("Plan a session")),
    actions=[
        Action("hold", N_("Mark as held"), [], hold, _planned, "success"),
        Action("cancel", N_("Cancel"), DATE_REASON[1:], cancel, _planned, "danger"),
        Action("roster", N_("Save the roster"), [], save_roster,
               lambda r: r.get("status") == "held", inline=True),
    ],
    page=page, page_template="_roster.html",
    audit_entity="session",
)
