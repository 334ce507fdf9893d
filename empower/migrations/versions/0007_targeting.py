"""targeting: calls for applications with eligibility rules, scores and a waiting list

An intake (``intakes``) is a program's call: its dates, where it is open, its places, its
eligibility rules and score weights as data (``empower.targeting``), a rules version bumped on
every change. An application to it records each rule's result, the rules version, the score and,
after selection, the rank (new ``enrollments`` columns); women beyond the places wait
(``enrollments.status`` 'waitlisted').

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intakes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('province_codes', sa.JSON(), nullable=True),
    sa.Column('region_codes', sa.JSON(), nullable=True),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('rules_version', sa.Integer(), nullable=False),
    sa.Column('promote_until', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', 'selected', name='intake_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('selected_on', sa.Date(), nullable=True),
    sa.Column('selected_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_intakes_dates_ordered')),
    sa.CheckConstraint('places >= 1', name=op.f('ck_intakes_places_positive')),
    sa.CheckConstraint('rules_version >= 1', name=op.f('ck_intakes_rules_version_positive')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_intakes_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intakes')),
    sa.UniqueConstraint('code', name=op.f('uq_intakes_code'))
    )
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intakes_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intakes_selected_on'), ['selected_on'], unique=False)

    statuses = "status IN ('applied', 'enrolled', 'exited', 'rejected', 'waitlisted')"
    new_columns: list[sa.Column[Any]] = [
        sa.Column('intake_id', sa.Integer(), nullable=True),
        sa.Column('rules_version', sa.Integer(), nullable=True),
        sa.Column('rule_results', sa.JSON(), nullable=True),
        sa.Column('eligible', sa.Boolean(), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.Column('waitlisted_on', sa.Date(), nullable=True),
        sa.Column('override_reason', sa.Text(), nullable=True),
        sa.Column('overridden_by', sa.String(length=100), nullable=True),
    ]
    if op.get_bind().dialect.name == 'sqlite':
        # A new status value changes the status CHECK, which SQLite only does by rebuilding the
        # table (no foreign key points at enrollments, so it can be). The rebuild copies from
        # the table as 0006 left it, written out here because SQLite's reflection drops CHECKs.
        with op.batch_alter_table('enrollments', recreate='always',
                                  copy_from=_enrollments_0006()) as batch_op:
            for column in new_columns:
                batch_op.add_column(column)
            batch_op.drop_constraint(batch_op.f('ck_enrollments_enrollment_status'),
                                     type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_enrollments_enrollment_status'), statuses)
            batch_op.create_index(batch_op.f('ix_enrollments_intake_id'), ['intake_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_enrollments_intake_id_intakes'), 'intakes',
                                        ['intake_id'], ['id'])
    else:
        for column in new_columns:
            op.add_column('enrollments', column)
        op.alter_column('enrollments', 'status', existing_type=sa.String(length=8),
                        type_=sa.String(length=10), existing_nullable=False)
        op.drop_constraint(op.f('ck_enrollments_enrollment_status'), 'enrollments', type_='check')
        op.create_check_constraint(op.f('ck_enrollments_enrollment_status'), 'enrollments',
                                   statuses)
        op.create_index(op.f('ix_enrollments_intake_id'), 'enrollments', ['intake_id'])
        op.create_foreign_key(op.f('fk_enrollments_intake_id_intakes'), 'enrollments', 'intakes',
                              ['intake_id'], ['id'])


def _enrollments_0006(with_waitlisted: bool = False) -> sa.Table:
    """The enrollments table as revision 0006 left it (0007 without its columns)."""
    values = "'applied', 'enrolled', 'exited', 'rejected'" + (", 'waitlisted'"
                                                              if with_waitlisted else "")
    return sa.Table(
        'enrollments', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('applied_on', sa.Date(), nullable=False),
        sa.Column('enrolled_on', sa.Date(), nullable=True),
        sa.Column('rejected_on', sa.Date(), nullable=True),
        sa.Column('exited_on', sa.Date(), nullable=True),
        sa.Column('exit_reason', sa.String(length=11), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_enrollments'),
        sa.CheckConstraint("(status = 'exited') = (exited_on IS NOT NULL AND exit_reason IS NOT NULL)",
                           name='ck_enrollments_exit_complete'),
        sa.CheckConstraint('enrolled_on IS NULL OR enrolled_on >= applied_on',
                           name='ck_enrollments_enrolled_after_applied'),
        sa.CheckConstraint('exited_on IS NULL OR exited_on >= enrolled_on',
                           name='ck_enrollments_exited_after_enrolled'),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'],
                                name='fk_enrollments_beneficiary_id_beneficiaries'),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'],
                                name='fk_enrollments_program_id_programs'),
        sa.UniqueConstraint('beneficiary_id', 'program_id',
                            name='uq_enrollments_beneficiary_id_program_id'),
        sa.CheckConstraint(f'status IN ({values})', name='ck_enrollments_enrollment_status'),
        sa.CheckConstraint("exit_reason IN ('completed', 'graduated', 'dropped_out', 'moved', "
                           "'deceased', 'duplicate', 'other')", name='ck_enrollments_exit_reason'),
        sa.Index('ix_enrollments_beneficiary_id', 'beneficiary_id'),
        sa.Index('ix_enrollments_enrolled_on', 'enrolled_on'),
        sa.Index('ix_enrollments_exited_on', 'exited_on'),
        sa.Index('ix_enrollments_program_id', 'program_id'),
    )



def downgrade() -> None:
    # Waitlisted applications go back to applied (0006 had no waiting list).
    op.execute(sa.text("UPDATE enrollments SET status = 'applied' WHERE status = 'waitlisted'"))
    statuses = "status IN ('applied', 'enrolled', 'exited', 'rejected')"
    dropped = ['overridden_by', 'override_reason', 'waitlisted_on', 'rank', 'score', 'eligible',
               'rule_results', 'rules_version', 'intake_id']
    if op.get_bind().dialect.name == 'sqlite':
        table = _enrollments_0006(with_waitlisted=True)
        for name in reversed(dropped):
            table.append_column(sa.Column(name, sa.Integer()))
        with op.batch_alter_table('enrollments', recreate='always', copy_from=table) as batch_op:
            for name in dropped:
                batch_op.drop_column(name)
            batch_op.drop_constraint(batch_op.f('ck_enrollments_enrollment_status'),
                                     type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_enrollments_enrollment_status'), statuses)
    else:
        op.drop_constraint(op.f('fk_enrollments_intake_id_intakes'), 'enrollments',
                           type_='foreignkey')
        op.drop_index(op.f('ix_enrollments_intake_id'), 'enrollments')
        op.drop_constraint(op.f('ck_enrollments_enrollment_status'), 'enrollments', type_='check')
        op.create_check_constraint(op.f('ck_enrollments_enrollment_status'), 'enrollments',
                                   statuses)
        for name in dropped:
            op.drop_column('enrollments', name)
        op.alter_column('enrollments', 'status', existing_type=sa.String(length=10),
                        type_=sa.String(length=8), existing_nullable=False)

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intakes_selected_on'))
        batch_op.drop_index(batch_op.f('ix_intakes_program_id'))

    op.drop_table('intakes')
