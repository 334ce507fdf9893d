"""payment runs: batches signed off by a second person, instructions, reconciliation

Tranches are paid in batches: finance builds one from the grants whose next tranche is due
(``payment_batches``, one line per grant in ``payment_instructions`` with the payee as she was),
someone else approves it, its file goes to the bank or cash-out network, and the provider's
return file says which lines were paid. What open lines hold is reserved on the grant
(``grants.in_flight_centimes``, within the approved amount with what was paid). Transfers need a
RIB (``beneficiaries.rib``, ``cooperatives.rib``). A program may set a tranche plan
(``programs.tranche_shares``, ``programs.tranche_conditions``) and whether the panel's one-off
"pay" is still allowed (``programs.panel_payments``, off).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('bank_transfer', 'cash_out', 'mobile_money', name='payment_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('provider', sa.String(length=100), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=True),
    sa.Column('status', sa.Enum('draft', 'approved', 'sent', 'reconciled', 'closed', 'cancelled', name='batch_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('reconciled_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_payment_batches_program_id_programs')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_payment_batches_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batches')),
    sa.UniqueConstraint('reference', name=op.f('uq_payment_batches_reference'))
    )
    with op.batch_alter_table('payment_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_batches_planned_on'), ['planned_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_batches_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_batches_region_code'), ['region_code'], unique=False)

    op.create_table('payment_instructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('tranche_number', sa.Integer(), nullable=False),
    sa.Column('amount_centimes', sa.BigInteger(), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=True),
    sa.Column('payee_cin', sa.String(length=12), nullable=True),
    sa.Column('payee_rib', sa.String(length=24), nullable=True),
    sa.Column('payee_phone', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sent', 'paid', 'failed', 'returned', 'cancelled', name='instruction_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('provider_reference', sa.String(length=60), nullable=True),
    sa.Column('failure_reason', sa.String(length=300), nullable=True),
    sa.Column('disbursement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_centimes > 0', name=op.f('ck_payment_instructions_amount_positive')),
    sa.CheckConstraint('tranche_number >= 1', name=op.f('ck_payment_instructions_tranche_number_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_payment_instructions_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['disbursement_id'], ['disbursements.id'], name=op.f('fk_payment_instructions_disbursement_id_disbursements')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_payment_instructions_grant_id_grants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_instructions')),
    sa.UniqueConstraint('disbursement_id', name=op.f('uq_payment_instructions_disbursement_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_payment_instructions_reference'))
    )
    with op.batch_alter_table('payment_instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_instructions_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_instructions_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_instructions_sent_on'), ['sent_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_instructions_settled_on'), ['settled_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_instructions_status'), ['status'], unique=False)
        batch_op.create_index('uq_payment_instructions_open_grant', ['grant_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'sent')"), postgresql_where=sa.text("status IN ('pending', 'sent')"))

    # In place on both backends (ALTER TABLE ... ADD COLUMN): a batch would rebuild these tables
    # on SQLite, which the foreign keys pointing at them do not allow. SQLite takes the CHECK
    # with the column.
    op.add_column('beneficiaries', sa.Column('rib', sa.String(length=24), nullable=True))
    op.add_column('cooperatives', sa.Column('rib', sa.String(length=24), nullable=True))
    check = ('in_flight_centimes >= 0 AND disbursed_centimes + in_flight_centimes'
             ' <= COALESCE(amount_approved_centimes, 0)')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(sa.text('ALTER TABLE grants ADD COLUMN in_flight_centimes BIGINT DEFAULT 0 '
                           'NOT NULL CONSTRAINT ck_grants_in_flight_within_approved '
                           f'CHECK ({check})'))
    else:
        op.add_column('grants', sa.Column('in_flight_centimes', sa.BigInteger(),
                                          server_default='0', nullable=False))
        # op.f: the name is final (the naming convention would prefix it a second time).
        op.create_check_constraint(op.f('ck_grants_in_flight_within_approved'), 'grants', check)
        # 0005 created its CHECK through the naming convention, which prefixed it twice on
        # PostgreSQL; give it the name the models (and the error messages) use.
        op.execute(sa.text('ALTER TABLE programs RENAME CONSTRAINT '
                           'ck_programs_ck_programs_min_completion_share_range '
                           'TO ck_programs_min_completion_share_range'))
    op.add_column('programs', sa.Column('tranche_shares', sa.JSON(), nullable=True))
    op.add_column('programs', sa.Column('tranche_conditions', sa.JSON(), nullable=True))
    op.add_column('programs', sa.Column('panel_payments', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))



def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild, for the same reason as above.
    op.drop_column('programs', 'panel_payments')
    op.drop_column('programs', 'tranche_conditions')
    op.drop_column('programs', 'tranche_shares')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_grants_in_flight_within_approved'), 'grants', type_='check')
        op.execute(sa.text('ALTER TABLE programs RENAME CONSTRAINT '
                           'ck_programs_min_completion_share_range '
                           'TO ck_programs_ck_programs_min_completion_share_range'))
    op.drop_column('grants', 'in_flight_centimes')
    op.drop_column('cooperatives', 'rib')
    op.drop_column('beneficiaries', 'rib')

    with op.batch_alter_table('payment_instructions', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_instructions_open_grant', sqlite_where=sa.text("status IN ('pending', 'sent')"), postgresql_where=sa.text("status IN ('pending', 'sent')"))
        batch_op.drop_index(batch_op.f('ix_payment_instructions_status'))
        batch_op.drop_index(batch_op.f('ix_payment_instructions_settled_on'))
        batch_op.drop_index(batch_op.f('ix_payment_instructions_sent_on'))
        batch_op.drop_index(batch_op.f('ix_payment_instructions_grant_id'))
        batch_op.drop_index(batch_op.f('ix_payment_instructions_batch_id'))

    op.drop_table('payment_instructions')
    with op.batch_alter_table('payment_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_batches_region_code'))
        batch_op.drop_index(batch_op.f('ix_payment_batches_program_id'))
        batch_op.drop_index(batch_op.f('ix_payment_batches_planned_on'))

    op.drop_table('payment_batches')
