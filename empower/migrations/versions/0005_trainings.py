"""trainings: activities, their sessions, attendance, coaching visits

What the program does with the women between enrolment and grant: activities (trainings,
coaching, fairs...) run in sessions, each held session has a roster of who was present, and
coaches visit funded projects. A program may set the share of sessions a woman must attend
before her grant is approved or a second tranche paid (``programs.min_completion_share``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('training', 'coaching', 'mentoring', 'fair', 'exchange_visit', name='activity_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('province_code', sa.String(length=6), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('planned_sessions', sa.Integer(), nullable=False),
    sa.Column('completion_share', sa.Float(), server_default='0.8', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('completion_share > 0 AND completion_share <= 1', name=op.f('ck_activities_completion_share_range')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_activities_dates_ordered')),
    sa.CheckConstraint('planned_sessions >= 1', name=op.f('ck_activities_planned_sessions_positive')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_activities_partner_id_partners')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_activities_program_id_programs')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_activities_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('code', name=op.f('uq_activities_code'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_province_code'), ['province_code'], unique=False)

    op.create_table('coaching_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('cooperative_id', sa.Integer(), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('on_site', 'phone', 'group', name='visit_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('next_visit_due', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(beneficiary_id IS NULL) <> (cooperative_id IS NULL)', name=op.f('ck_coaching_visits_exactly_one_visited')),
    sa.CheckConstraint('next_visit_due IS NULL OR next_visit_due >= visited_on', name=op.f('ck_coaching_visits_next_visit_after_visit')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_coaching_visits_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_coaching_visits_cooperative_id_cooperatives')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_coaching_visits_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_visits')),
    sa.UniqueConstraint('reference', name=op.f('uq_coaching_visits_reference'))
    )
    with op.batch_alter_table('coaching_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_visits_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_visits_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_visits_next_visit_due'), ['next_visit_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_visits_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_visits_visited_on'), ['visited_on'], unique=False)

    op.create_table('activity_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('scheduled_on', sa.Date(), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=True),
    sa.Column('facilitator', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('planned', 'held', 'cancelled', name='session_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_sessions_activity_id_activities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_sessions')),
    sa.UniqueConstraint('reference', name=op.f('uq_activity_sessions_reference'))
    )
    with op.batch_alter_table('activity_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_sessions_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_sessions_scheduled_on'), ['scheduled_on'], unique=False)

    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'absent', 'excused', name='attendance_status', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_attendances_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['session_id'], ['activity_sessions.id'], name=op.f('fk_attendances_session_id_activity_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('session_id', 'beneficiary_id', name=op.f('uq_attendances_session_id_beneficiary_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_beneficiary_id'), ['beneficiary_id'], unique=False)

    # In place on both backends: a batch would rebuild programs on SQLite, which the foreign
    # keys pointing at it do not allow. SQLite takes the CHECK with the column.
    check = 'min_completion_share IS NULL OR (min_completion_share > 0 AND min_completion_share <= 1)'
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(sa.text('ALTER TABLE programs ADD COLUMN min_completion_share FLOAT '
                           f'CONSTRAINT ck_programs_min_completion_share_range CHECK ({check})'))
    else:
        op.add_column('programs', sa.Column('min_completion_share', sa.Float(), nullable=True))
        op.create_check_constraint('ck_programs_min_completion_share_range', 'programs', check)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('ck_programs_min_completion_share_range', 'programs', type_='check')
    op.drop_column('programs', 'min_completion_share')

    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_beneficiary_id'))

    op.drop_table('attendances')
    with op.batch_alter_table('activity_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_sessions_scheduled_on'))
        batch_op.drop_index(batch_op.f('ix_activity_sessions_activity_id'))

    op.drop_table('activity_sessions')
    with op.batch_alter_table('coaching_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_visits_visited_on'))
        batch_op.drop_index(batch_op.f('ix_coaching_visits_program_id'))
        batch_op.drop_index(batch_op.f('ix_coaching_visits_next_visit_due'))
        batch_op.drop_index(batch_op.f('ix_coaching_visits_cooperative_id'))
        batch_op.drop_index(batch_op.f('ix_coaching_visits_beneficiary_id'))

    op.drop_table('coaching_visits')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_province_code'))
        batch_op.drop_index(batch_op.f('ix_activities_program_id'))
        batch_op.drop_index(batch_op.f('ix_activities_partner_id'))

    op.drop_table('activities')
