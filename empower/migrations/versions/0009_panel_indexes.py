"""panel indexes: every listed column of the women's list sorts through an index, the
enrolment-status filter reads its women from one

At a million women the panel's list sorted by a name, the milieu or the archive date read and
sorted the whole table for a page of 25 (0.6-1.2 s on SQLite). Each sortable column without a
usable index gets one on ``(column, id)``: the list breaks ties by id in the sort's own
direction, so the index is read forwards or backwards and stops after a page, on SQLite and
PostgreSQL alike. The enrolment-status filter (``id IN (SELECT beneficiary_id FROM enrollments
WHERE status = ...)``) reads its women from ``(status, beneficiary_id)`` instead of every
enrolment, and the capped count of a region's (or an officer's provinces') women of one milieu
reads ``(province_code, milieu)`` alone, not each woman's row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (index, table, columns): the same list as the models' ``Index`` entries.
INDEXES = [
    ("ix_beneficiaries_first_name_id", "beneficiaries", ["first_name", "id"]),
    ("ix_beneficiaries_last_name_id", "beneficiaries", ["last_name", "id"]),
    ("ix_beneficiaries_first_name_ar_id", "beneficiaries", ["first_name_ar", "id"]),
    ("ix_beneficiaries_last_name_ar_id", "beneficiaries", ["last_name_ar", "id"]),
    ("ix_beneficiaries_birth_date_id", "beneficiaries", ["birth_date", "id"]),
    ("ix_beneficiaries_phone_id", "beneficiaries", ["phone", "id"]),
    ("ix_beneficiaries_milieu_id", "beneficiaries", ["milieu", "id"]),
    ("ix_beneficiaries_archived_on_id", "beneficiaries", ["archived_on", "id"]),
    ("ix_beneficiaries_province_code_milieu", "beneficiaries", ["province_code", "milieu"]),
    ("ix_enrollments_status_beneficiary_id", "enrollments", ["status", "beneficiary_id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
