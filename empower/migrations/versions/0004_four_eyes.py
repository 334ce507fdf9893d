"""four eyes on money: who submitted a grant does not approve it, who approved it does not pay it

A program says whether it applies the rule (``programs.four_eyes``, on by default, so every
existing program applies it from now on). A grant records who took the two steps the rule
compares (``grants.submitted_by``, ``grants.approved_by``), so the check does not depend on
reading the audit log on every approval.

Existing grants get them from the audit log, which has recorded the actor of every write since
0001: the actor of the grant's first ``submit`` event, and of its last ``approve`` event for an
approved grant. What the log does not say stays empty (grants written by ``empower demo`` before
0004 have one ``submit`` event each, so no approver), and the rule cannot compare an actor that
is not known.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN on both backends: a batch would rebuild the tables on
    # SQLite, which the foreign keys pointing at programs and grants do not allow.
    op.add_column('programs', sa.Column('four_eyes', sa.Boolean(), server_default=sa.true(),
                                        nullable=False))
    op.add_column('grants', sa.Column('submitted_by', sa.String(length=100), nullable=True))
    op.add_column('grants', sa.Column('approved_by', sa.String(length=100), nullable=True))

    # One correlated UPDATE per column (ix_audit_events_entity serves the lookups), the same
    # statement on SQLite and PostgreSQL.
    op.execute(sa.text(
        "UPDATE grants SET submitted_by = ("
        " SELECT a.actor FROM audit_events a WHERE a.entity = 'grant'"
        " AND a.entity_id = grants.id AND a.action = 'submit' ORDER BY a.id LIMIT 1)"))
    op.execute(sa.text(
        "UPDATE grants SET approved_by = ("
        " SELECT a.actor FROM audit_events a WHERE a.entity = 'grant'"
        " AND a.entity_id = grants.id AND a.action = 'approve' ORDER BY a.id DESC LIMIT 1)"
        " WHERE approved_on IS NOT NULL"))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild, for the same reason as above.
    op.drop_column('grants', 'approved_by')
    op.drop_column('grants', 'submitted_by')
    op.drop_column('programs', 'four_eyes')
