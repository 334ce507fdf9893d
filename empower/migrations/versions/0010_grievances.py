"""grievances: complaints and data-protection requests, their log, the focal point

A complaint or a law 09-08 request (``grievances``) runs from receipt to closing with its
deadlines (acknowledgement and answer due dates, from the category and sensitivity); its log of
actions, assignments and notes is ``grievance_steps`` (append-only). Conduct and sexual
exploitation and abuse cases are confidential: only a user holding the focal-point role
(``users.focal_point``, on top of her account's role) sees them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _vocab(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values))


def upgrade() -> None:
    op.create_table('grievances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_by', sa.String(length=100), nullable=False),
    sa.Column('channel', _vocab('grievance_channel', 'phone', 'in_person', 'association',
                                'letter', 'whatsapp', 'email', 'other'), nullable=False),
    sa.Column('category', _vocab('grievance_category', 'selection', 'payment', 'training',
                                 'conduct', 'sexual_exploitation_abuse', 'data_protection',
                                 'other'), nullable=False),
    sa.Column('request_kind', _vocab('data_request_kind', 'access', 'correction', 'objection',
                                     'erasure'), nullable=True),
    sa.Column('sensitivity', _vocab('sensitivity', 'standard', 'confidential'), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('payment_instruction_id', sa.Integer(), nullable=True),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', _vocab('grievance_status', 'received', 'acknowledged', 'under_review',
                               'resolved', 'unfounded', 'appealed', 'closed'), nullable=False),
    sa.Column('acknowledge_due_on', sa.Date(), nullable=False),
    sa.Column('acknowledged_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assigned_to', sa.String(length=100), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('complainant_told_on', sa.Date(), nullable=True),
    sa.Column('satisfied', sa.Boolean(), nullable=True),
    sa.Column('appealed_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('fulfilled_on', sa.Date(), nullable=True),
    sa.Column('fulfilment', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(category = 'data_protection') = (request_kind IS NOT NULL)",
                       name=op.f('ck_grievances_request_kind_for_data_protection')),
    sa.CheckConstraint("category NOT IN ('conduct', 'sexual_exploitation_abuse') "
                       "OR sensitivity = 'confidential'",
                       name=op.f('ck_grievances_confidential_categories')),
    sa.CheckConstraint("status <> 'closed' OR (resolution IS NOT NULL "
                       "AND complainant_told_on IS NOT NULL)",
                       name=op.f('ck_grievances_closed_when_answered')),
    sa.CheckConstraint('due_on >= received_on AND acknowledge_due_on >= received_on',
                       name=op.f('ck_grievances_due_after_received')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_grievances_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_grievances_program_id_programs')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grievances_grant_id_grants')),
    sa.ForeignKeyConstraint(['payment_instruction_id'], ['payment_instructions.id'], name=op.f('fk_grievances_payment_instruction_id_payment_instructions')),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_grievances_intake_id_intakes')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_grievances_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grievances')),
    sa.UniqueConstraint('reference', name=op.f('uq_grievances_reference'))
    )
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        for column in ('received_on', 'category', 'beneficiary_id', 'program_id', 'grant_id',
                       'payment_instruction_id', 'intake_id', 'province_code', 'due_on',
                       'assigned_to', 'resolved_on'):
            batch_op.create_index(batch_op.f(f'ix_grievances_{column}'), [column], unique=False)
        batch_op.create_index('ix_grievances_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('grievance_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('kind', _vocab('grievance_step_kind', 'receive', 'acknowledge', 'assign', 'note',
                             'review', 'resolve', 'unfounded', 'tell', 'appeal', 'close',
                             'fulfil'), nullable=False),
    sa.Column('assigned_to', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_grievance_steps_grievance_id_grievances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grievance_steps'))
    )
    with op.batch_alter_table('grievance_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grievance_steps_grievance_id'), ['grievance_id'], unique=False)
        batch_op.create_index('ix_grievance_steps_kind_on', ['kind', 'on'], unique=False)

    # In place on both backends (ALTER TABLE ... ADD COLUMN): rebuilding users on SQLite would
    # drop it under user_regions' ON DELETE CASCADE.
    op.add_column('users', sa.Column('focal_point', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))


def downgrade() -> None:
    op.drop_column('users', 'focal_point')
    with op.batch_alter_table('grievance_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_grievance_steps_kind_on')
        batch_op.drop_index(batch_op.f('ix_grievance_steps_grievance_id'))
    op.drop_table('grievance_steps')
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.drop_index('ix_grievances_status_due_on')
        for column in ('received_on', 'category', 'beneficiary_id', 'program_id', 'grant_id',
                       'payment_instruction_id', 'intake_id', 'province_code', 'due_on',
                       'assigned_to', 'resolved_on'):
            batch_op.drop_index(batch_op.f(f'ix_grievances_{column}'))
    op.drop_table('grievances')
