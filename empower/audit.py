"""The append-only audit log: who did what to which record, with personal values redacted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from empower.errors import InvalidInput
from empower.models import AuditEvent, table_of, utcnow

if TYPE_CHECKING:
    from empower.db import UnitOfWork

__all__ = ["REDACTED", "SENSITIVE_FIELDS", "audit_trail", "check_actor", "diff", "record", "redact"]

# Identifying values never enter the audit log: it is read by more people than the registry.
# Everything an erasure clears is here too, or the log would keep what the erasure removed.
SENSITIVE_FIELDS = frozenset(
    {"cin", "phone", "first_name", "last_name", "first_name_ar", "last_name_ar", "match_key",
     "commune"}
)
REDACTED = "[redacted]"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def redact(changes: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready copy of ``changes`` with sensitive fields' values replaced by ``[redacted]``.

    ``changes`` maps a field to its new value or to an ``[old, new]`` pair; a redacted pair keeps
    whether the value was set, so the log still shows that a phone was added or removed.
    """
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key in SENSITIVE_FIELDS:
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
    return actor.strip()[:100]


def record(uow: UnitOfWork, *, actor: str, action: str, entity: str, entity_id: int | None,
           changes: Mapping[str, Any] | None = None) -> None:
    """Append one audit event in the unit of work's transaction."""
    uow.session.add(AuditEvent(
        at=utcnow(), actor=check_actor(actor), action=action, entity=entity, entity_id=entity_id,
        changes=redact(changes) if changes else None,
    ))


def record_many(uow: UnitOfWork, *, actor: str, action: str, entity: str,
                items: Iterable[tuple[int, Mapping[str, Any] | None]]) -> int:
    """Append one event per ``(entity_id, changes)`` with a single multi-row insert (bulk paths)."""
    at = utcnow()
    who = check_actor(actor)
    rows = [
        {"at": at, "actor": who, "action": action, "entity": entity, "entity_id": entity_id,
         "changes": redact(changes) if changes else None}
        for entity_id, changes in items
    ]
    if rows:
        # Core insert on the table: the ORM would split the rows by which values are NULL.
        uow.session.execute(insert(table_of(AuditEvent)), rows)
    return len(rows)


def audit_trail(uow: UnitOfWork, entity: str, entity_id: int) -> list[AuditEvent]:
    """The events of one record, oldest first."""
    stmt = (select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id))
    return list(uow.session.scalars(stmt))
