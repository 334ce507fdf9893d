"""The append-only audit log: who did what to which record, with personal values redacted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from empower.bulk import insert_rows
from empower.errors import InvalidInput
from empower.models import AuditEvent, table_of, utcnow
from empower.text import clean_text

if TYPE_CHECKING:
    from empower.db import UnitOfWork

__all__ = ["REDACTED", "SENSITIVE_FIELDS", "audit_trail", "check_actor", "diff", "record", "redact"]

# Identifying values never enter the audit log: it is read by more people than the registry.
# Everything an erasure clears is here too, or the log would keep what the erasure removed.
# The exact birth date is among them: with the province it singles most women out.
SENSITIVE_FIELDS = frozenset(
    {"cin", "phone", "first_name", "last_name", "first_name_ar", "last_name_ar", "match_key",
     "search_key",
     "commune", "birth_date", "rib", "payee_name", "payee_cin", "payee_rib", "payee_phone"}
)
REDACTED = "[redacted]"
# Fields personal on some records only: a grievance's description, answer and notes tell her
# story (and an anonymous complainant's), so the log keeps whether they were set, not the text.
ENTITY_SENSITIVE_FIELDS: dict[str, frozenset[str]] = {
    "grievance": frozenset({"description", "resolution", "note"}),
}
# Free text an officer types (reasons, notes, grant purposes) is kept, but the identifiers of
# the women the event is about are blanked out of it first: the log is append-only, so an
# erasure could not remove them later.
FREE_TEXT_FIELDS = frozenset({"reason", "note", "purpose"})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def redact(changes: Mapping[str, Any], entity: str | None = None) -> dict[str, Any]:
    """JSON-ready copy of ``changes`` with sensitive fields' values replaced by ``[redacted]``.

    ``changes`` maps a field to its new value or to an ``[old, new]`` pair; a redacted pair keeps
    whether the value was set, so the log still shows that a phone was added or removed.
    ``entity`` adds the fields personal on that kind of record (:data:`ENTITY_SENSITIVE_FIELDS`).
    """
    out: dict[str, Any] = {}
    sensitive = SENSITIVE_FIELDS | ENTITY_SENSITIVE_FIELDS.get(entity or "", frozenset())
    for key, value in changes.items():
        if key in sensitive:
            if isinstance(value, list | tuple):
                out[key] = [None if v is None else REDACTED for v in value]
            else:
                out[key] = None if value is None else REDACTED
        elif isinstance(value, list | tuple):
            out[key] = [_plain(v) for v in value]
        else:
            out[key] = _plain(value)
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def check_actor(actor: str) -> str:
    """An actor is required on every write: ``"user:amina"``, ``"script:etl"``, ``"import:file"``."""
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidInput("actor: every write needs an actor (who is doing this)",
                           code="actor.required", field="actor")
    # The text rule: an actor named after a file ("import:<name>") keeps no bidi control.
    return clean_text(actor, field="actor").strip()[:100]


_PERSON_OF = {"grant": "Grant", "enrollment": "Enrollment", "membership": "Membership",
              "survey": "SurveyRecord"}


def _people_concerned(uow: UnitOfWork, entity: str,
                      entity_ids: Iterable[int | None]) -> dict[int, list[Any]]:
    """Per ``entity`` id: the women an event about that record concerns (for scrubbing free
    text), looked up in a few queries whatever the number of ids (the bulk paths)."""
    from empower import models

    wanted = sorted({i for i in entity_ids if i is not None})
    if not wanted:
        return {}
    session = uow.session
    owners: dict[int, list[int]] = {}
    if entity == "beneficiary":
        owners = {i: [i] for i in wanted}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        if entity == "duplicate_candidate":
            cand = models.DuplicateCandidate
            for cid, one, other in session.execute(
                    select(cand.id, cand.beneficiary_id, cand.other_beneficiary_id)
                    .where(cand.id.in_(chunk))):
                owners[cid] = [one, other]
        elif entity in _PERSON_OF:
            model = getattr(models, _PERSON_OF[entity])
            for oid, bid in session.execute(select(model.id, model.beneficiary_id)
                                            .where(model.id.in_(chunk))):
                owners[oid] = [bid] if bid is not None else []
    people_ids = sorted({b for ids in owners.values() for b in ids if b is not None})
    people: dict[int, Any] = {}
    for start in range(0, len(people_ids), _CHUNK):
        people.update((p.id, p) for p in session.scalars(
            select(models.Beneficiary)
            .where(models.Beneficiary.id.in_(people_ids[start:start + _CHUNK]))))
    return {oid: [people[b] for b in ids if b in people] for oid, ids in owners.items()}


_CHUNK = 5000


def _free_texts(changes: Mapping[str, Any]) -> list[str]:
    return [k for k in FREE_TEXT_FIELDS & set(changes)
            if isinstance(changes[k], str | list | tuple)]


def _scrubbed(changes: Mapping[str, Any], people: list[Any]) -> dict[str, Any]:
    out = dict(changes)
    texts = _free_texts(out)
    if not texts or not people:
        return out
    from empower.privacy import identifier_pattern, may_hold_identifiers, scrub

    values = [v for k in texts for v in (out[k] if isinstance(out[k], list | tuple) else [out[k]])
              if isinstance(v, str)]
    # Compiling a woman's pattern costs far more than this check, which it rarely passes.
    if not any(may_hold_identifiers(v, people) for v in values):
        return out
    pattern = identifier_pattern(people)
    if pattern is None:
        return out
    for key in texts:
        value = out[key]
        if isinstance(value, list | tuple):
            out[key] = [scrub(v, pattern) if isinstance(v, str) else v for v in value]
        else:
            out[key] = scrub(value, pattern)
    return out


def scrub_free_text(uow: UnitOfWork, entity: str, entity_id: int | None,
                    changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with the identifiers of the women concerned blanked out of its free text."""
    if not _free_texts(changes) or entity_id is None:
        return dict(changes)
    people = _people_concerned(uow, entity, [entity_id]).get(entity_id, [])
    return _scrubbed(changes, people)


def record(uow: UnitOfWork, *, actor: str, action: str, entity: str, entity_id: int | None,
           changes: Mapping[str, Any] | None = None) -> None:
    """Append one audit event in the unit of work's transaction.

    Sensitive fields are redacted and free text is scrubbed of the identifiers of the women the
    event is about (see :data:`FREE_TEXT_FIELDS`).
    """
    if changes:
        changes = scrub_free_text(uow, entity, entity_id, changes)
    uow.session.add(AuditEvent(
        at=utcnow(), actor=check_actor(actor), action=action, entity=entity, entity_id=entity_id,
        changes=redact(changes, entity) if changes else None,
    ))


def record_many(uow: UnitOfWork, *, actor: str, action: str, entity: str,
                items: Iterable[tuple[int, Mapping[str, Any] | None]]) -> int:
    """Append one event per ``(entity_id, changes)`` with a single multi-row insert (bulk paths).

    Redacted and scrubbed like :func:`record` (the scrub looks the women up only for events
    that carry free text).
    """
    at = utcnow()
    who = check_actor(actor)
    items = list(items)
    people = _people_concerned(uow, entity, [i for i, changes in items
                                             if changes and _free_texts(changes)])
    rows = [
        {"at": at, "actor": who, "action": action, "entity": entity, "entity_id": entity_id,
         "changes": redact(_scrubbed(changes, people.get(entity_id, [])), entity)
         if changes else None}
        for entity_id, changes in items
    ]
    if rows:
        # Straight to the driver (the ORM would split the rows by which values are NULL).
        insert_rows(uow, table_of(AuditEvent), rows)
    return len(rows)


def audit_trail(uow: UnitOfWork, entity: str, entity_id: int) -> list[AuditEvent]:
    """The events of one record, oldest first."""
    stmt = (select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id))
    return list(uow.session.scalars(stmt))
