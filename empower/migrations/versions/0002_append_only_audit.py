"""audit log append-only: triggers refuse UPDATE, DELETE (and TRUNCATE) of audit events

Before the triggers exist, one documented pass cleans what older versions wrote into the
log and that an erasure could no longer remove once the log is append-only: exact birth
dates in field diffs are redacted; in free text (reasons, notes, grant purposes) the
identifiers of the women the event is about are blanked out, as new events have them; and
the free text of events about women already erased is replaced whole by the redaction mark
(her identifiers are gone from the registry, so they cannot be searched for any more).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

REDACTED = "[redacted]"
_FREE_TEXT = ("reason", "note", "purpose")
# The SQLSTATE and the constraint name the library's error hook turns into a domain error.
_MESSAGE = "audit_events_append_only: the audit log is append-only"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION empower_audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_MESSAGE}'
        USING ERRCODE = 'integrity_constraint_violation',
              CONSTRAINT = 'audit_events_append_only', TABLE = 'audit_events';
END
$$
"""


_OWNER_SQL = {
    "grant": "SELECT id, beneficiary_id FROM grants WHERE beneficiary_id IS NOT NULL",
    "enrollment": "SELECT id, beneficiary_id FROM enrollments",
    "membership": "SELECT id, beneficiary_id FROM memberships",
    "survey": "SELECT id, beneficiary_id FROM survey_records",
}


def _women_concerned(conn: sa.Connection) -> dict[tuple[str, int], list[int]]:
    """(entity, id) -> the ids of the women an event about that record concerns."""
    out: dict[tuple[str, int], list[int]] = {}
    for entity, sql in _OWNER_SQL.items():
        for record_id, bid in conn.execute(sa.text(sql)):
            out[(entity, record_id)] = [bid]
    for cid, a, b in conn.execute(sa.text(
            "SELECT id, beneficiary_id, other_beneficiary_id FROM duplicate_candidates")):
        out[("duplicate_candidate", cid)] = [a, b]
    return out


def _redact_old_rows() -> None:
    from empower.privacy import identifier_pattern, scrub

    conn = op.get_bind()
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("entity", sa.String),
                      sa.column("entity_id", sa.Integer), sa.column("changes", sa.JSON))
    people = sa.table("beneficiaries", *(sa.column(n, sa.String) for n in (
        "cin", "first_name", "last_name", "first_name_ar", "last_name_ar", "phone", "commune")),
        sa.column("id", sa.Integer), sa.column("birth_date", sa.Date),
        sa.column("erased_on", sa.Date))
    women = {row.id: row for row in conn.execute(sa.select(people))}
    concerned = _women_concerned(conn) if women else {}
    rows = conn.execute(sa.select(events.c.id, events.c.entity, events.c.entity_id,
                                  events.c.changes).where(events.c.changes.is_not(None)))
    updates: list[dict[str, Any]] = []
    for event_id, entity, entity_id, changes in rows:
        if isinstance(changes, str):
            changes = json.loads(changes)
        if not isinstance(changes, dict):
            continue
        new = dict(changes)
        if "birth_date" in new:
            value = new["birth_date"]
            new["birth_date"] = ([None if v is None else REDACTED for v in value]
                                 if isinstance(value, list) else
                                 None if value is None else REDACTED)
        texts = [k for k in _FREE_TEXT if new.get(k)]
        if texts and entity_id is not None:
            ids = [entity_id] if entity == "beneficiary" else concerned.get((entity, entity_id), [])
            concerned_women = [women[i] for i in ids if i in women]
            if any(p.erased_on is not None for p in concerned_women):
                # Her identifiers are gone from the registry: nothing left to search the text
                # for, so the whole text goes.
                for key in texts:
                    new[key] = ([None if v is None else REDACTED for v in new[key]]
                                if isinstance(new[key], list) else REDACTED)
            else:
                pattern = identifier_pattern(concerned_women)
                for key in texts:
                    value = new[key]
                    new[key] = ([scrub(v, pattern) if isinstance(v, str) else v for v in value]
                                if isinstance(value, list) else
                                scrub(value, pattern) if isinstance(value, str) else value)
        if new != changes:
            updates.append({"event_id": event_id, "new_changes": new})
    if updates:
        conn.execute(events.update().where(events.c.id == sa.bindparam("event_id"))
                     .values(changes=sa.bindparam("new_changes")), updates)


def upgrade() -> None:
    _redact_old_rows()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE "
                   "ON audit_events FOR EACH ROW "
                   "EXECUTE FUNCTION empower_audit_events_append_only()")
        # Row triggers do not see TRUNCATE; a statement trigger does.
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE "
                   "ON audit_events FOR EACH STATEMENT "
                   "EXECUTE FUNCTION empower_audit_events_append_only()")
    else:
        # SQLite has no TRUNCATE: a DELETE without WHERE fires the DELETE trigger.
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} "
                       f"ON audit_events BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS empower_audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
