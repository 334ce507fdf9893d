"""archive periods: archiving and restoring a woman become dated facts

Until now an archive was one date on her record, cleared by a restore, so a restore rewrote
the past: a woman archived in August and restored in September disappeared from August's
figures after the fact, and came back into them. Each archive is now a period of its own
(archived on, restored on), and the reports count each day against the periods.

The existing history is carried over from what the database holds: the audit log's archive
and restore events, replayed in order per woman (a restore's date is the day its event was
written, the only date the old restore recorded), and her current archive date, which opens
(or corrects the start of) her open period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _history(conn: sa.Connection) -> dict[int, list[list[date | None]]]:
    """Per woman, her archive periods as the audit log tells them, oldest first."""
    periods: dict[int, list[list[date | None]]] = {}
    events = conn.execute(sa.text(
        "SELECT entity_id, action, at, changes FROM audit_events "
        "WHERE entity = 'beneficiary' AND action IN ('archive', 'restore') "
        "AND entity_id IS NOT NULL ORDER BY id"))
    for bid, action, at, changes in events:
        if isinstance(changes, str):
            changes = json.loads(changes)
        mine = periods.setdefault(bid, [])
        is_open = bool(mine) and mine[-1][1] is None
        if action == "archive":
            pair = (changes or {}).get("archived_on")
            start = _day(pair[1] if isinstance(pair, list) and len(pair) == 2 else pair)
            if start is not None and not is_open:
                mine.append([start, None])
        elif is_open:
            start = mine[-1][0]
            assert start is not None
            back = _day((changes or {}).get("restored_on")) or _day(at) or start
            mine[-1][1] = max(back, start)
    return periods


def upgrade() -> None:
    op.create_table(
        'archive_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('archived_on', sa.Date(), nullable=False),
        sa.Column('restored_on', sa.Date(), nullable=True),
        sa.CheckConstraint('restored_on IS NULL OR restored_on >= archived_on',
                           name=op.f('ck_archive_periods_restored_after_archived')),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'],
                                name=op.f('fk_archive_periods_beneficiary_id_beneficiaries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_periods')),
    )
    op.create_index('ix_archive_periods_beneficiary_id_archived_on', 'archive_periods',
                    ['beneficiary_id', 'archived_on'], unique=False)
    op.create_index('uq_archive_periods_open', 'archive_periods', ['beneficiary_id'],
                    unique=True, sqlite_where=sa.text('restored_on IS NULL'),
                    postgresql_where=sa.text('restored_on IS NULL'))

    conn = op.get_bind()
    periods = _history(conn)
    current: dict[int, Any] = dict(conn.execute(sa.text(
        "SELECT id, archived_on FROM beneficiaries WHERE archived_on IS NOT NULL")).all())
    for bid in set(periods) | set(current):
        mine = [p for p in periods.get(bid, []) if p[0] is not None]
        now = _day(current.get(bid))
        if mine and mine[-1][1] is None and now is None:
            mine.pop()  # an open period the record no longer shows (older writers): not kept
        if now is not None:
            if mine and mine[-1][1] is None:
                mine[-1][0] = now
            else:
                mine.append([now, None])
            # The record's own date wins; earlier periods end by then.
            kept = [p for p in mine[:-1] if p[0] is not None and p[0] < now]
            for p in kept:
                if p[1] is None or p[1] > now:
                    p[1] = now
            mine = kept + [mine[-1]]
        rows = [{"b": bid, "a": a, "r": r} for a, r in mine]
        if rows:
            conn.execute(sa.text(
                "INSERT INTO archive_periods (beneficiary_id, archived_on, restored_on) "
                "VALUES (:b, :a, :r)"), rows)


def downgrade() -> None:
    op.drop_index('uq_archive_periods_open', table_name='archive_periods')
    op.drop_index('ix_archive_periods_beneficiary_id_archived_on', table_name='archive_periods')
    op.drop_table('archive_periods')
