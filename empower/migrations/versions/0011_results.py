"""results against targets: indicators, targets, manual results, partner contributions

A program's logframe (``indicators``: computed from a KPI of the monthly report, or manual;
``targets`` per program, optional partner and region, and period ``YYYY``, ``YYYY-Qn`` or
``YYYY-MM``), the figures recorded by hand for manual indicators (``manual_results``), and what
partners gave under their agreements (``contributions``, cash or in kind valued in MAD). A target
and a manual result are unique per indicator, program, period and ``slot`` (partner and region
as one text, so a missing partner or region still collides).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
# After main's head (0008 -> 0009 -> 0010 -> this one).
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_fr', sa.String(length=300), nullable=False),
    sa.Column('name_ar', sa.String(length=300), nullable=True),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('direction', sa.Enum('higher', 'lower', name='indicator_direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kpi', sa.String(length=60), nullable=False),
    sa.Column('aggregation', sa.Enum('flow', 'stock', name='indicator_aggregation', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code'))
    )
    op.create_table('manual_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=2), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('slot', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_manual_results_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_manual_results_partner_id_partners')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_manual_results_program_id_programs')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_manual_results_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_results')),
    sa.UniqueConstraint('indicator_id', 'program_id', 'period', 'slot', name=op.f('uq_manual_results_indicator_id_program_id_period_slot'))
    )
    with op.batch_alter_table('manual_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manual_results_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manual_results_program_id'), ['program_id'], unique=False)

    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=2), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('slot', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_targets_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_targets_partner_id_partners')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_targets_program_id_programs')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_targets_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    sa.UniqueConstraint('indicator_id', 'program_id', 'period', 'slot', name=op.f('uq_targets_indicator_id_program_id_period_slot'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_program_id'), ['program_id'], unique=False)

    op.create_table('contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('cash', 'in_kind', name='contribution_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount_centimes', sa.BigInteger(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_centimes > 0', name=op.f('ck_contributions_amount_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_contributions_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('reference', name=op.f('uq_contributions_reference'))
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contributions_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_received_on'), ['received_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_received_on'))
        batch_op.drop_index(batch_op.f('ix_contributions_agreement_id'))

    op.drop_table('contributions')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_program_id'))
        batch_op.drop_index(batch_op.f('ix_targets_partner_id'))
        batch_op.drop_index(batch_op.f('ix_targets_indicator_id'))

    op.drop_table('targets')
    with op.batch_alter_table('manual_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manual_results_program_id'))
        batch_op.drop_index(batch_op.f('ix_manual_results_indicator_id'))

    op.drop_table('manual_results')
    op.drop_table('indicators')
