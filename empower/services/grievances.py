"""The grievance mechanism: a complaint or a data-protection request from receipt to closing.

One service per step, each with its actor and an audit event (descriptions, answers and notes
redacted: :data:`empower.audit.ENTITY_SENSITIVE_FIELDS`), and a line in the case's own log
(``GrievanceStep``, append-only). The rules are :mod:`empower.grievances`: the deadlines, the
state machine and what must hold on top of it, and the confidential channel.

Every service takes an optional ``viewer`` (:class:`empower.grievances.Viewer`), the person on
whose behalf it runs (the panel passes hers): a case she may not see is :class:`NotFound` as if
it did not exist; one she may see only exists for her (an admin without the focal-point role,
on a confidential case) is refused (``grievance.confidential``). Scripts pass none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import InvalidInput, NotFound, RuleViolation
from empower.grievances import (
    AccessLevel,
    GrievanceConfig,
    Viewer,
    access_level,
    check_action,
    due_dates,
    sensitivity_for,
)
from empower.models import (
    Beneficiary,
    Grant,
    Grievance,
    GrievanceStep,
    Intake,
    PaymentInstruction,
    Program,
    utcnow,
)
from empower.rules import free_text
from empower.schemas import GrievanceCreate
from empower.scope import covers
from empower.services._common import (
    check_not_in_future,
    check_province,
    check_unique,
    get,
    not_found,
    today,
)
from empower.text import clean_text
from empower.vocab import DataRequestKind, GrievanceCategory, GrievanceStatus, GrievanceStepKind

__all__ = [
    "acknowledge_grievance",
    "add_grievance_note",
    "appeal_grievance",
    "assign_grievance",
    "close_grievance",
    "declare_unfounded",
    "fulfil_erasure",
    "grievance_by_reference",
    "load_grievance",
    "receive_grievance",
    "record_subject_file",
    "resolve_grievance",
    "start_review",
    "tell_complainant",
]

ENTITY = "grievance"
NOTE_MAX = 4000
# Requests that are about her own record: without her, there is nothing to give or erase.
_NEED_HER = (DataRequestKind.ACCESS, DataRequestKind.ERASURE, DataRequestKind.CORRECTION)


def _reference(uow: UnitOfWork, on: date) -> str:
    prefix = f"PLA-{on.year}-"
    taken = (
        uow.session.scalar(
            select(func.count()).select_from(Grievance).where(Grievance.reference.like(f"{prefix}%"))
        )
        or 0
    )
    number = taken + 1
    while (
        uow.session.scalar(select(Grievance.id).where(Grievance.reference == f"{prefix}{number:05d}"))
        is not None
    ):
        number += 1
    return f"{prefix}{number:05d}"


def _step(
    uow: UnitOfWork,
    case_: Grievance,
    kind: GrievanceStepKind,
    *,
    actor: str,
    on: date,
    note: str | None = None,
    assigned_to: str | None = None,
) -> GrievanceStep:
    answer = kind in (GrievanceStepKind.RESOLVE, GrievanceStepKind.UNFOUNDED)
    step = GrievanceStep(
        grievance_id=case_.id,
        at=utcnow(),
        on=on,
        actor=actor,
        kind=kind,
        note=note,
        assigned_to=assigned_to,
        due_on=case_.due_on if answer else None,
        opened_on=(case_.appealed_on or case_.received_on) if answer else None,
    )
    case_.steps.append(step)
    uow.session.add(step)
    return step


def load_grievance(
    uow: UnitOfWork, grievance_id: int, viewer: Viewer | None = None, *, act: bool = False, lock: bool = False
) -> Grievance:
    """The case, as ``viewer`` may see it: :class:`NotFound` when it does not exist or she may
    not see it (outside her regions, or confidential and she is no focal point nor an admin);
    with ``act``, :class:`RuleViolation` (``grievance.confidential``) when she may see only
    that it exists."""
    case_ = get(uow, Grievance, grievance_id, what="grievance", lock=lock)
    if viewer is None:
        return case_
    in_scope = viewer.regions is None or covers(uow.session, "grievances", case_.id, viewer.regions)
    level = access_level(viewer, case_.sensitivity, in_scope)
    if level == AccessLevel.NONE:
        raise not_found("grievance", grievance_id)
    if act and level == AccessLevel.EXISTENCE:
        raise RuleViolation(
            f"grievance {case_.reference} is confidential: only a focal point acts on it",
            code="grievance.confidential",
            params={"ref": case_.reference},
            field="grievance_id",
            value=grievance_id,
        )
    return case_


def grievance_by_reference(uow: UnitOfWork, reference: str, viewer: Viewer | None = None) -> Grievance:
    """A case by its reference, as :func:`load_grievance` lets ``viewer`` see it."""
    reference = clean_text(str(reference), field="reference").strip()
    found = uow.session.scalar(select(Grievance.id).where(Grievance.reference == reference))
    unknown = NotFound(
        f"grievance '{reference}' does not exist",
        code="grievance.unknown",
        params={"reference": reference},
        field="reference",
        value=reference,
    )
    if found is None:
        raise unknown
    try:
        return load_grievance(uow, found, viewer)
    except NotFound:
        # The same refusal as for no case at all: not even its number is said.
        raise unknown from None


def receive_grievance(
    uow: UnitOfWork,
    data: GrievanceCreate,
    *,
    actor: str,
    viewer: Viewer | None = None,
    config: GrievanceConfig | None = None,
    today: date | None = None,
) -> Grievance:
    """Record a complaint or a data-protection request as received, with its due dates
    (from ``config``, default the unit of work's ``rules.grievances``); ``today`` (an
    import's) bounds the date received.

    Conduct and sexual exploitation and abuse cases are confidential whatever ``sensitivity``
    says. Raises :class:`InvalidInput` (``grievance.request_kind_required``,
    ``grievance.request_kind_not_data``, ``grievance.province_required``,
    ``grievance.request_needs_beneficiary``, ``province.unknown``, ``date.in_future``),
    :class:`NotFound` for a woman, program, grant, payment or intake that does not exist (or a
    ``province.outside_regions`` for a province outside ``viewer``'s regions),
    :class:`Conflict` (``grievance.reference_taken``).
    """
    who = audit.check_actor(actor)
    check_not_in_future(uow, data.received_on, field="received_on", today_=today)
    if data.category == GrievanceCategory.DATA_PROTECTION and data.request_kind is None:
        raise InvalidInput(
            "request_kind: a data-protection request says which right "
            "(access, correction, objection, erasure)",
            code="grievance.request_kind_required",
            field="request_kind",
        )
    if data.category != GrievanceCategory.DATA_PROTECTION and data.request_kind is not None:
        raise InvalidInput(
            f"request_kind: only a data-protection request has one (this is {data.category.value})",
            code="grievance.request_kind_not_data",
            params={"category": data.category.value},
            field="request_kind",
            value=str(data.request_kind),
        )
    province = data.province_code
    if data.beneficiary_id is not None:
        person = get(uow, Beneficiary, data.beneficiary_id, what="beneficiary")
        province = person.province_code
    elif data.request_kind in _NEED_HER:
        raise InvalidInput(
            f"beneficiary_id: an {data.request_kind} request is about her own record: say whose",
            code="grievance.request_needs_beneficiary",
            params={"kind": str(data.request_kind)},
            field="beneficiary_id",
        )
    if province is None:
        raise InvalidInput(
            "province_code: a complaint without a registered woman says which province it concerns",
            code="grievance.province_required",
            field="province_code",
        )
    check_province(uow, province)
    if (
        viewer is not None
        and viewer.regions is not None
        and not covers(uow.session, "provinces", province, viewer.regions)
    ):
        raise InvalidInput(
            f"province_code: '{province}' is outside your regions",
            code="province.outside_regions",
            params={"value": province},
            field="province_code",
            value=province,
        )
    for model, value, what in (
        (Program, data.program_id, "program"),
        (Grant, data.grant_id, "grant"),
        (PaymentInstruction, data.payment_instruction_id, "payment"),
        (Intake, data.intake_id, "intake"),
    ):
        if value is not None:
            get(uow, model, value, what=what)
    if data.reference is not None:
        # The panel says "already in use" without the number when the case is not hers to see.
        check_unique(
            uow,
            Grievance.reference,
            data.reference,
            code="grievance.reference_taken",
            what="grievance",
            field="reference",
        )
    sensitivity = sensitivity_for(data.category, data.sensitivity)
    acknowledge_due, due = due_dates(
        data.received_on, data.category, sensitivity, config or uow.rules.grievances
    )
    case_ = Grievance(
        reference=data.reference or _reference(uow, data.received_on),
        received_on=data.received_on,
        received_by=who,
        channel=data.channel,
        category=data.category,
        request_kind=data.request_kind,
        sensitivity=sensitivity,
        beneficiary_id=data.beneficiary_id,
        program_id=data.program_id,
        grant_id=data.grant_id,
        payment_instruction_id=data.payment_instruction_id,
        intake_id=data.intake_id,
        province_code=province,
        description=data.description,
        status=GrievanceStatus.RECEIVED,
        acknowledge_due_on=acknowledge_due,
        due_on=due,
    )
    uow.session.add(case_)
    uow.session.flush()
    _step(uow, case_, GrievanceStepKind.RECEIVE, actor=who, on=data.received_on)
    audit.record(
        uow,
        actor=who,
        action="receive",
        entity=ENTITY,
        entity_id=case_.id,
        changes={
            "reference": case_.reference,
            "received_on": case_.received_on,
            "channel": case_.channel,
            "category": case_.category,
            "request_kind": case_.request_kind,
            "sensitivity": case_.sensitivity,
            "beneficiary_id": case_.beneficiary_id,
            "province_code": case_.province_code,
            "description": case_.description,
            "acknowledge_due_on": acknowledge_due,
            "due_on": due,
        },
    )
    return case_


def _move(
    uow: UnitOfWork,
    grievance_id: int,
    action: str,
    *,
    actor: str,
    on: date | None,
    viewer: Viewer | None,
    note: str | None = None,
    **fields: Any,
) -> Grievance:
    """Take ``action`` on the case: the rules, the new status, the dated fields, a log line
    and an audit event (the step kind is the action)."""
    who = audit.check_actor(actor)
    on = on or today()
    check_not_in_future(uow, on, field="on")
    case_ = load_grievance(uow, grievance_id, viewer, act=True, lock=True)
    if on < case_.received_on:
        raise InvalidInput(
            f"on: {on.isoformat()} is before the case was received ({case_.received_on.isoformat()})",
            code="grievance.before_received",
            params={"on": on, "received_on": case_.received_on},
            field="on",
            value=on.isoformat(),
        )
    before = case_.status
    # The rules read the case as it stands, before this action's fields are written.
    after = check_action(case_, action)
    for name, value in fields.items():
        setattr(case_, name, value)
    case_.status = after
    _step(uow, case_, GrievanceStepKind(action), actor=who, on=on, note=note)
    changes: dict[str, Any] = {"status": [before, after], **fields}
    if note is not None:
        changes["note"] = note
    audit.record(uow, actor=who, action=action, entity=ENTITY, entity_id=case_.id, changes=changes)
    return case_


def acknowledge_grievance(
    uow: UnitOfWork, grievance_id: int, *, actor: str, on: date | None = None, viewer: Viewer | None = None
) -> Grievance:
    """The complainant was told her complaint is received (``received`` -> ``acknowledged``).
    Raises :class:`InvalidTransition`, :class:`NotFound`, ``grievance.confidential``."""
    on = on or today()
    return _move(uow, grievance_id, "acknowledge", actor=actor, on=on, viewer=viewer, acknowledged_on=on)


def start_review(
    uow: UnitOfWork, grievance_id: int, *, actor: str, on: date | None = None, viewer: Viewer | None = None
) -> Grievance:
    """The investigation starts (``acknowledged`` or ``appealed`` -> ``under_review``)."""
    return _move(uow, grievance_id, "review", actor=actor, on=on, viewer=viewer)


def _answer(text: str | None, field: str) -> str:
    answer = free_text(text, field=field, max_length=NOTE_MAX)
    if answer is None:
        raise InvalidInput(
            f"{field}: say what was decided and why", code="grievance.answer_required", field=field
        )
    return answer


def resolve_grievance(
    uow: UnitOfWork,
    grievance_id: int,
    resolution: str,
    *,
    actor: str,
    on: date | None = None,
    viewer: Viewer | None = None,
) -> Grievance:
    """The case is answered (``under_review`` -> ``resolved``) with what was done. An erasure
    or access request is resolved only by :func:`fulfil_erasure` / :func:`record_subject_file`
    (``grievance.not_fulfilled``)."""
    on = on or today()
    return _move(
        uow,
        grievance_id,
        "resolve",
        actor=actor,
        on=on,
        viewer=viewer,
        resolution=_answer(resolution, "resolution"),
        resolved_on=on,
    )


def declare_unfounded(
    uow: UnitOfWork,
    grievance_id: int,
    resolution: str,
    *,
    actor: str,
    on: date | None = None,
    viewer: Viewer | None = None,
) -> Grievance:
    """The complaint is found unfounded (``under_review`` -> ``unfounded``), with why."""
    on = on or today()
    return _move(
        uow,
        grievance_id,
        "unfounded",
        actor=actor,
        on=on,
        viewer=viewer,
        resolution=_answer(resolution, "resolution"),
        resolved_on=on,
    )


def appeal_grievance(
    uow: UnitOfWork,
    grievance_id: int,
    *,
    actor: str,
    on: date | None = None,
    reason: str | None = None,
    viewer: Viewer | None = None,
    config: GrievanceConfig | None = None,
) -> Grievance:
    """She contests the answer (``resolved``, ``unfounded`` or ``closed`` -> ``appealed``),
    once (``grievance.appeal_once``). The answer's date, the date she was told and the closing
    are cleared for the new review (the answer itself stays until a new one replaces it), and
    the answer is due again as if the case were received on the day of the appeal."""
    on = on or today()
    case_ = load_grievance(uow, grievance_id, viewer, act=True)
    _ack, due = due_dates(on, case_.category, case_.sensitivity, config or uow.rules.grievances)
    return _move(
        uow,
        grievance_id,
        "appeal",
        actor=actor,
        on=on,
        viewer=viewer,
        note=free_text(reason, field="reason", max_length=NOTE_MAX),
        appealed_on=on,
        due_on=due,
        resolved_on=None,
        complainant_told_on=None,
        satisfied=None,
        closed_on=None,
    )


def close_grievance(
    uow: UnitOfWork, grievance_id: int, *, actor: str, on: date | None = None, viewer: Viewer | None = None
) -> Grievance:
    """Close an answered case; refused without a resolution and the date the complainant was
    told (``grievance.close_unanswered``)."""
    on = on or today()
    return _move(uow, grievance_id, "close", actor=actor, on=on, viewer=viewer, closed_on=on)


def tell_complainant(
    uow: UnitOfWork,
    grievance_id: int,
    *,
    actor: str,
    on: date | None = None,
    satisfied: bool | None = None,
    viewer: Viewer | None = None,
) -> Grievance:
    """Record that she was told the answer, and whether she was satisfied. Only an answered
    case (``resolved`` or ``unfounded``) has an answer to tell (``grievance.not_answered``)."""
    who = audit.check_actor(actor)
    on = on or today()
    check_not_in_future(uow, on, field="on")
    case_ = load_grievance(uow, grievance_id, viewer, act=True, lock=True)
    if case_.status not in (GrievanceStatus.RESOLVED, GrievanceStatus.UNFOUNDED):
        raise RuleViolation(
            f"grievance {case_.reference} is {case_.status.value}: there is no answer to tell yet",
            code="grievance.not_answered",
            params={"ref": case_.reference, "state": case_.status.value},
            field="status",
            value=case_.status.value,
        )
    if case_.resolved_on is not None and on < case_.resolved_on:
        raise InvalidInput(
            f"on: {on.isoformat()} is before the answer ({case_.resolved_on.isoformat()})",
            code="grievance.told_before_answer",
            params={"on": on, "resolved_on": case_.resolved_on},
            field="on",
            value=on.isoformat(),
        )
    before = (case_.complainant_told_on, case_.satisfied)
    case_.complainant_told_on = on
    case_.satisfied = satisfied
    _step(uow, case_, GrievanceStepKind.TELL, actor=who, on=on)
    audit.record(
        uow,
        actor=who,
        action="tell",
        entity=ENTITY,
        entity_id=case_.id,
        changes={"complainant_told_on": [before[0], on], "satisfied": [before[1], satisfied]},
    )
    return case_


def assign_grievance(
    uow: UnitOfWork,
    grievance_id: int,
    assignee: str,
    *,
    actor: str,
    on: date | None = None,
    note: str | None = None,
    viewer: Viewer | None = None,
) -> Grievance:
    """Give the case to someone to investigate (any open or answered state; not closed)."""
    who = audit.check_actor(actor)
    on = on or today()
    if not isinstance(assignee, str) or not assignee.strip():
        raise InvalidInput(
            "assignee: say who investigates (a user name)",
            code="grievance.assignee_required",
            field="assignee",
        )
    assignee = audit.check_actor(assignee)
    case_ = _loggable(uow, grievance_id, viewer, on)
    before = case_.assigned_to
    case_.assigned_to = assignee
    text = free_text(note, field="note", max_length=NOTE_MAX)
    _step(uow, case_, GrievanceStepKind.ASSIGN, actor=who, on=on, assigned_to=assignee, note=text)
    audit.record(
        uow,
        actor=who,
        action="assign",
        entity=ENTITY,
        entity_id=case_.id,
        changes={"assigned_to": [before, assignee], "note": text},
    )
    return case_


def add_grievance_note(
    uow: UnitOfWork,
    grievance_id: int,
    note: str,
    *,
    actor: str,
    on: date | None = None,
    viewer: Viewer | None = None,
) -> GrievanceStep:
    """Add a note to the case's log (what was found, who was heard)."""
    who = audit.check_actor(actor)
    on = on or today()
    text = free_text(note, field="note", max_length=NOTE_MAX)
    if text is None:
        raise InvalidInput("note: a note says something", code="grievance.note_empty", field="note")
    case_ = _loggable(uow, grievance_id, viewer, on)
    step = _step(uow, case_, GrievanceStepKind.NOTE, actor=who, on=on, note=text)
    audit.record(uow, actor=who, action="note", entity=ENTITY, entity_id=case_.id, changes={"note": text})
    return step


def _loggable(uow: UnitOfWork, grievance_id: int, viewer: Viewer | None, on: date) -> Grievance:
    check_not_in_future(uow, on, field="on")
    case_ = load_grievance(uow, grievance_id, viewer, act=True, lock=True)
    if case_.status == GrievanceStatus.CLOSED:
        raise RuleViolation(
            f"grievance {case_.reference} is closed",
            code="grievance.closed",
            params={"ref": case_.reference},
            field="status",
            value="closed",
        )
    return case_


def _fulfil(
    uow: UnitOfWork,
    grievance_id: int,
    kind: DataRequestKind,
    fulfilment: str,
    *,
    actor: str,
    on: date,
    viewer: Viewer | None,
) -> Grievance:
    case_ = load_grievance(uow, grievance_id, viewer, act=True, lock=True)
    if case_.request_kind != kind:
        raise RuleViolation(
            f"grievance {case_.reference} is not an {kind.value} request",
            code="grievance.wrong_request",
            params={"ref": case_.reference, "kind": kind.value},
            field="request_kind",
            value=str(case_.request_kind),
        )
    if case_.status != GrievanceStatus.UNDER_REVIEW:
        raise RuleViolation(
            f"grievance {case_.reference} is {case_.status.value}: a request is fulfilled while under review",
            code="grievance.fulfil_not_under_review",
            params={"ref": case_.reference, "state": case_.status.value},
            field="status",
            value=case_.status.value,
        )
    case_.fulfilled_on = on
    case_.fulfilment = fulfilment
    who = audit.check_actor(actor)
    _step(uow, case_, GrievanceStepKind.FULFIL, actor=who, on=on)
    audit.record(
        uow,
        actor=who,
        action="fulfil",
        entity=ENTITY,
        entity_id=case_.id,
        changes={"fulfilled_on": on, "fulfilment": fulfilment},
    )
    return case_


def fulfil_erasure(
    uow: UnitOfWork, grievance_id: int, *, actor: str, on: date | None = None, viewer: Viewer | None = None
) -> Grievance:
    """Honour an erasure request: run :func:`empower.erase_beneficiary` on her, record it on
    the case, and resolve it. Raises what the erasure raises (an instruction in flight, already
    erased), ``grievance.wrong_request``, ``grievance.fulfil_not_under_review``."""
    from empower.services.beneficiaries import erase_beneficiary

    on = on or today()
    case_ = _fulfil(uow, grievance_id, DataRequestKind.ERASURE, "erasure", actor=actor, on=on, viewer=viewer)
    assert case_.beneficiary_id is not None  # receive_grievance requires her for an erasure
    erase_beneficiary(uow, case_.beneficiary_id, actor=actor, on=on)
    return _move(
        uow,
        grievance_id,
        "resolve",
        actor=actor,
        on=on,
        viewer=viewer,
        resolution=f"erasure (law 09-08) done on {on.isoformat()}",
        resolved_on=on,
    )


def record_subject_file(
    uow: UnitOfWork, grievance_id: int, *, actor: str, on: date | None = None, viewer: Viewer | None = None
) -> Grievance:
    """Record that her subject file (``empower privacy subject-file``) was produced for an
    access request, and resolve it."""
    on = on or today()
    _fulfil(uow, grievance_id, DataRequestKind.ACCESS, "subject_file", actor=actor, on=on, viewer=viewer)
    return _move(
        uow,
        grievance_id,
        "resolve",
        actor=actor,
        on=on,
        viewer=viewer,
        resolution=f"subject file (law 09-08) produced on {on.isoformat()}",
        resolved_on=on,
    )
