"""Grievances ("plaintes"): complaints and data-protection requests, from receipt to closing.

Every write is a core service of :mod:`empower.services.grievances`, run with her as the
``viewer`` so the core applies the confidential channel itself: *receive* (the create form),
*acknowledge*, *review*, *assign*, *note*, *resolve*, *unfounded*, *tell* (she was told the
answer, satisfied or not), *appeal* (once), *close*, and for an erasure request *erase* (admins:
it runs ``erase_beneficiary``). An access request is answered with her subject file
(``empower privacy subject-file --grievance REF``).

**Who sees what.** A grievance is its province's (``empower.scope``). Conduct and sexual
exploitation and abuse cases are confidential (:mod:`empower.grievances`): officers and viewers
do not see them at all (:func:`visible`: not in lists, counts, searches, exports; 404 by id); a
focal point (``users.focal_point``) sees them in her regions; an admin who is not a focal point
sees that they exist (reference, dates, status, category, province), not what they concern
(:func:`shown` blanks the woman, the records concerned and who handles it; the page shows no
description, answer or log, and offers no action). Descriptions, answers and notes are never
columns: they are never listed or exported, and appear only on the case's page.

**My open grievances** (``my_grievances``, its own module): the open cases assigned to her (or received by her
and not yet assigned), the nearest due date first, each marked on track, at risk or late
(:func:`empower.grievances.deadline_mark`; the list's ``mark`` filter is its Tortoise twin).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

import empower
from empower import vocab
from empower.grievances import (
    OPEN_STATUSES,
    AccessLevel,
    DeadlineMark,
    GrievanceConfig,
    access_level,
    at_risk_cutoff,
)
from empower.models import utcnow
from empower.schemas import GrievanceCreate, parse_input
from empower.services import grievances as service

from .. import models as m
from ..compat import gettext
from ..forms import DATE_ON, Action, Field, FormSpec, form_data
from ..scope import Principal, check_grant, check_person, check_program, check_province
from .base import N_, Column, Filter, Resource
from .filters import equals, program_options, search_fields, vocab_options

__all__ = [
    "ACTIONS",
    "COLUMNS",
    "EXTRA",
    "FILTERS",
    "content_visible",
    "late",
    "marked",
    "mine",
    "page",
    "resource",
    "shown",
    "visible",
]

_C = Column
_OPEN = [s.value for s in OPEN_STATUSES]
# What an admin without the focal-point role does not see of a confidential case.
_CONTENT = (
    "beneficiary_id",
    "program_id",
    "grant_id",
    "payment_instruction_id",
    "intake_id",
    "assigned_to",
    "received_by",
    "satisfied",
    "fulfilment",
    "request_kind",
)

FIELDS = [
    Field("received_on", N_("Received on"), "date", required=True),
    Field("channel", N_("Channel"), "select", vocab.GrievanceChannel, required=True),
    Field("category", N_("Category"), "select", vocab.GrievanceCategory, required=True),
    Field("request_kind", N_("Data-protection request"), "select", vocab.DataRequestKind),
    Field("sensitivity", N_("Sensitivity"), "select", vocab.Sensitivity),
    Field("beneficiary_id", N_("Beneficiary #"), "number"),
    Field("province_code", N_("Province"), "select", "provinces"),
    Field("program_id", N_("Program"), "select", "programs"),
    Field("grant_id", N_("Grant #"), "number"),
    Field("description", N_("What she said"), "textarea"),
]


# -- who sees what ----------------------------------------------------------------------------
def visible(p: Principal) -> Any:
    """Her rows: her regions, and confidential cases only for a focal point or an admin (the
    Tortoise twin of :func:`empower.grievances.visible_sql`)."""

    def scope(qs: QuerySet[Any]) -> QuerySet[Any]:
        qs = p.within(qs)
        if p.focal_point or p.is_admin:
            return qs
        return qs.filter(sensitivity__not=vocab.Sensitivity.CONFIDENTIAL.value)

    return scope


def content_visible(row: dict[str, Any], p: Principal) -> bool:
    """Whether she sees the case's content (the row is one she sees at all)."""
    return access_level(p.viewer, row.get("sensitivity") or "standard", True) == AccessLevel.FULL


def shown(row: dict[str, Any], p: Principal) -> dict[str, Any]:
    """The row as she may see it: a confidential case's content blanked for an admin who is not
    a focal point."""
    if "sensitivity" not in row or content_visible(row, p):
        return row
    return {**row, **{k: None for k in _CONTENT if k in row}, "hidden": True}


def late(p: Principal, today: date) -> QuerySet[Any]:
    """The open cases she sees that are past their due date (the dashboard's card)."""
    return visible(p)(m.Grievance.all()).filter(status__in=_OPEN, due_on__lt=today)


def marked(qs: QuerySet[Any], mark: str, today: date, config: GrievanceConfig | None = None) -> QuerySet[Any]:
    """The open cases of ``mark`` (the Tortoise twin of :func:`deadline_mark_sql`)."""
    cutoff = at_risk_cutoff(today, config or GrievanceConfig())
    qs = qs.filter(status__in=_OPEN)
    if mark == DeadlineMark.LATE:
        return qs.filter(due_on__lt=today)
    if mark == DeadlineMark.AT_RISK:
        return qs.filter(due_on__gte=today, due_on__lte=cutoff)
    if mark == DeadlineMark.ON_TRACK:
        return qs.filter(due_on__gt=cutoff)
    return qs


def _mark_filter(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    if value not in {m_.value for m_ in DeadlineMark}:
        return qs
    return marked(qs, value, utcnow().date())


def _open_filter(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    if value == "yes":
        return qs.filter(status__in=_OPEN)
    if value == "no":
        return qs.filter(status__not_in=_OPEN)
    return qs


def mine(p: Principal) -> Any:
    """Her open cases: assigned to her, or received by her and not yet assigned."""

    def scope(qs: QuerySet[Any]) -> QuerySet[Any]:
        return visible(p)(qs).filter(
            Q(Q(assigned_to=p.actor), Q(assigned_to__isnull=True, received_by=p.actor), join_type="OR"),
            status__in=_OPEN,
        )

    return scope


# -- writes -----------------------------------------------------------------------------------
def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    """Receive a complaint; a confidential one she may not see afterwards goes to the list."""
    data = parse_input(GrievanceCreate, form_data(FIELDS, values))
    check_person(uow, p, data.beneficiary_id)
    check_province(uow, p, data.province_code)
    check_program(uow, p, data.program_id)
    if data.grant_id is not None:
        check_grant(uow, p, data.grant_id)
    case = service.receive_grievance(uow, data, actor=p.actor, viewer=p.viewer)
    seen = access_level(p.viewer, case.sensitivity, True) == AccessLevel.FULL
    return f"/grievances/{case.id}" if seen else "/grievances?received=confidential"


def _on(values: dict[str, Any]) -> date:
    raw = (values.get("on") or "").strip()
    return date.fromisoformat(raw) if raw else utcnow().date()


def _day(values: dict[str, Any]) -> date:
    from empower.errors import InvalidInput

    try:
        return _on(values)
    except ValueError:
        raise InvalidInput(
            f"on: '{str(values.get('on'))[:20]}' is not a date (YYYY-MM-DD)",
            code="input.not_a_date",
            params={"value": str(values.get("on"))[:20]},
            field="on",
        ) from None


def _to(record_id: int) -> str:
    return f"/grievances/{record_id}"


def acknowledge(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.acknowledge_grievance(uow, rid, on=_day(values), actor=p.actor, viewer=p.viewer)
    return _to(rid)


def review(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.start_review(uow, rid, on=_day(values), actor=p.actor, viewer=p.viewer)
    return _to(rid)


def assign(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    who = (values.get("assignee") or "").strip()
    empower.assign_grievance(
        uow,
        rid,
        f"user:{who}" if who and ":" not in who else who,
        on=_day(values),
        note=values.get("note") or None,
        actor=p.actor,
        viewer=p.viewer,
    )
    return _to(rid)


def note(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.add_grievance_note(
        uow, rid, values.get("note") or "", on=_day(values), actor=p.actor, viewer=p.viewer
    )
    return _to(rid)


def resolve(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.resolve_grievance(
        uow, rid, values.get("resolution") or "", on=_day(values), actor=p.actor, viewer=p.viewer
    )
    return _to(rid)


def unfounded(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.declare_unfounded(
        uow, rid, values.get("resolution") or "", on=_day(values), actor=p.actor, viewer=p.viewer
    )
    return _to(rid)


def tell(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    raw = values.get("satisfied")
    satisfied = None if raw not in ("true", "false") else raw == "true"
    empower.tell_complainant(uow, rid, on=_day(values), satisfied=satisfied, actor=p.actor, viewer=p.viewer)
    return _to(rid)


def appeal(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.appeal_grievance(
        uow, rid, on=_day(values), reason=values.get("reason") or None, actor=p.actor, viewer=p.viewer
    )
    return _to(rid)


def close(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.close_grievance(uow, rid, on=_day(values), actor=p.actor, viewer=p.viewer)
    return _to(rid)


def erase(uow: Any, rid: int, values: dict[str, Any], p: Principal) -> str:
    empower.fulfil_erasure(uow, rid, on=_day(values), actor=p.actor, viewer=p.viewer)
    return _to(rid)


def _in(*statuses: str) -> Any:
    return lambda row: row.get("status") in statuses


async def _offered(row: dict[str, Any], p: Principal, _panel: Any) -> bool:
    return content_visible(row, p)


def _action(
    name: str,
    text: str,
    fields: list[Field],
    handler: Any,
    when: Any,
    style: str = "primary",
    roles: tuple[str, ...] = ("admin", "officer"),
) -> Action:
    return Action(name, text, fields, handler, when, style, roles=roles, offered=_offered)


_OPEN_OR_ANSWERED = (*_OPEN, "resolved", "unfounded")
ACTIONS = [
    _action("acknowledge", N_("Acknowledge receipt"), DATE_ON, acknowledge, _in("received"), "success"),
    _action("review", N_("Start the review"), DATE_ON, review, _in("acknowledged", "appealed")),
    _action(
        "assign",
        N_("Assign"),
        [
            Field("assignee", N_("To (user name)"), required=True),
            Field("note", N_("Note"), "textarea"),
            *DATE_ON,
        ],
        assign,
        _in(*_OPEN_OR_ANSWERED),
        "secondary",
    ),
    _action(
        "note",
        N_("Add a note"),
        [Field("note", N_("Note"), "textarea", required=True), *DATE_ON],
        note,
        _in(*_OPEN_OR_ANSWERED),
        "secondary",
    ),
    _action(
        "resolve",
        N_("Answer: resolved"),
        [Field("resolution", N_("What was done"), "textarea", required=True), *DATE_ON],
        resolve,
        lambda row: (
            row.get("status") == "under_review" and row.get("request_kind") not in ("erasure", "access")
        ),
        "success",
    ),
    _action(
        "unfounded",
        N_("Answer: unfounded"),
        [Field("resolution", N_("Why"), "textarea", required=True), *DATE_ON],
        unfounded,
        _in("under_review"),
        "warning",
    ),
    _action(
        "erase",
        N_("Erase her data (law 09-08)"),
        DATE_ON,
        erase,
        lambda row: row.get("status") == "under_review" and row.get("request_kind") == "erasure",
        "danger",
        roles=("admin",),
    ),
    _action(
        "tell",
        N_("She was told the answer"),
        [Field("satisfied", N_("Satisfied"), "bool"), *DATE_ON],
        tell,
        _in("resolved", "unfounded"),
        "primary",
    ),
    _action(
        "appeal",
        N_("She appeals"),
        [Field("reason", N_("Reason"), "textarea"), *DATE_ON],
        appeal,
        lambda row: (
            row.get("status") in ("resolved", "unfounded", "closed") and row.get("appealed_on") is None
        ),
        "warning",
    ),
    _action(
        "close",
        N_("Close the case"),
        DATE_ON,
        close,
        lambda row: (
            row.get("status") in ("resolved", "unfounded") and row.get("complainant_told_on") is not None
        ),
        "secondary",
    ),
]


# -- the case's page --------------------------------------------------------------------------
async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """Its description, answer and log for whoever sees its content; a notice otherwise."""
    if not content_visible(row, p):
        return {"hidden": True}
    full = await m.Grievance.filter(id=row["id"]).first().values("description", "resolution")
    steps = (
        await m.GrievanceStep.filter(grievance_id=row["id"])
        .order_by("id")
        .values("on", "at", "actor", "kind", "assigned_to", "note")
    )
    viewer_sees_words = not p.masked
    return {
        "hidden": False,
        "description": (full or {}).get("description"),
        "resolution": (full or {}).get("resolution"),
        "steps": steps,
        "words": viewer_sees_words,
    }


COLUMNS = [
    _C("id", "#"),
    _C("reference", N_("Reference")),
    _C("received_on", N_("Received on"), "date"),
    _C("channel", N_("Channel"), "label"),
    _C("category", N_("Category"), "label"),
    _C("sensitivity", N_("Sensitivity"), "label"),
    _C("status", N_("Status"), "label", context="grievance"),
    _C("province_code", N_("Province"), "province"),
    _C("due_on", N_("Due on"), "deadline"),
    _C("assigned_to", N_("Assigned to")),
]
EXTRA = [
    _C("request_kind", N_("Data-protection request"), "label"),
    _C("beneficiary_id", N_("Beneficiary"), "link"),
    _C("program_id", N_("Program"), "link"),
    _C("grant_id", N_("Grant"), "link"),
    _C("received_by", N_("Received by")),
    _C("acknowledge_due_on", N_("Acknowledge by"), "date"),
    _C("acknowledged_on", N_("Acknowledged on"), "date"),
    _C("resolved_on", N_("Answered on"), "date"),
    _C("complainant_told_on", N_("She was told on"), "date"),
    _C("satisfied", N_("Satisfied"), "bool"),
    _C("appealed_on", N_("Appealed on"), "date"),
    _C("closed_on", N_("Closed on"), "date"),
    _C("fulfilment", N_("Fulfilled by"), "label"),
    _C("fulfilled_on", N_("Fulfilled on"), "date"),
]
FILTERS = [
    Filter(
        "status",
        N_("Status"),
        vocab_options(vocab.GrievanceStatus, "grievance"),
        equals("status", vocab.GrievanceStatus),
    ),
    Filter(
        "category",
        N_("Category"),
        vocab_options(vocab.GrievanceCategory),
        equals("category", vocab.GrievanceCategory),
    ),
    Filter(
        "channel",
        N_("Channel"),
        vocab_options(vocab.GrievanceChannel),
        equals("channel", vocab.GrievanceChannel),
    ),
    Filter("mark", N_("Deadline"), vocab_options(DeadlineMark, "mark"), _mark_filter),
    Filter("open", N_("Open"), lambda _p: [("yes", gettext("yes")), ("no", gettext("no"))], _open_filter),
    Filter(
        "program",
        N_("Program"),
        program_options,
        lambda qs, v, _p: qs.filter(program_id=int(v)) if v.isdigit() else qs,
    ),
]

resource = Resource(
    "grievances",
    N_("Grievances"),
    m.Grievance,
    COLUMNS,
    visible,
    search_fields("reference"),
    N_("Reference"),
    FILTERS,
    extra=EXTRA,
    create=FormSpec(FIELDS, create, N_("Receive a complaint")),
    actions=ACTIONS,
    page=page,
    page_template="_grievance.html",
    audit_entity="grievance",
    shown=shown,
)
