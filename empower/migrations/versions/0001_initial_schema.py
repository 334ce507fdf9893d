"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('regions',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name_fr', sa.String(length=100), nullable=False),
    sa.Column('name_ar', sa.String(length=100), nullable=False),
    sa.Column('population_2024', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('report_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('frozen_by', sa.String(length=100), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots')),
    sa.UniqueConstraint('month', 'scope', name=op.f('uq_report_snapshots_month_scope'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'officer', 'viewer', name='user_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('language', sa.String(length=5), server_default='fr', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('budget_centimes', sa.BigInteger(), nullable=False),
    sa.Column('grant_cap_centimes', sa.BigInteger(), nullable=True),
    sa.Column('committed_centimes', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('budget_centimes >= 0', name=op.f('ck_programs_budget_non_negative')),
    sa.CheckConstraint('committed_centimes <= budget_centimes', name=op.f('ck_programs_committed_within_budget')),
    sa.CheckConstraint('committed_centimes >= 0', name=op.f('ck_programs_committed_non_negative')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_programs_dates_ordered')),
    sa.CheckConstraint('grant_cap_centimes IS NULL OR grant_cap_centimes >= 0', name=op.f('ck_programs_cap_non_negative')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_programs_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('code', name=op.f('uq_programs_code'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programs_region_code'), ['region_code'], unique=False)

    op.create_table('provinces',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name_fr', sa.String(length=100), nullable=False),
    sa.Column('name_ar', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('population_2024', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_provinces_region_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_provinces'))
    )
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provinces_region_code'), ['region_code'], unique=False)

    op.create_table('user_regions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_user_regions_region_code_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_regions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_code', name=op.f('pk_user_regions'))
    )
    op.create_table('beneficiaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cin', sa.String(length=12), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('first_name_ar', sa.String(length=100), nullable=True),
    sa.Column('last_name_ar', sa.String(length=100), nullable=True),
    sa.Column('match_key', sa.String(length=200), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=True),
    sa.Column('milieu', sa.Enum('urban', 'rural', name='milieu', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('education_level', sa.Enum('none', 'literacy_program', 'primary', 'lower_secondary', 'upper_secondary', 'higher', name='education_level', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('marital_status', sa.Enum('single', 'married', 'divorced', 'widowed', name='marital_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('disability', sa.Boolean(), nullable=True),
    sa.Column('vulnerability_score', sa.Float(), nullable=True),
    sa.Column('consent_date', sa.Date(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('archived_on', sa.Date(), nullable=True),
    sa.Column('erased_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('erased_on IS NOT NULL OR cin IS NOT NULL', name=op.f('ck_beneficiaries_has_cin')),
    sa.CheckConstraint('erased_on IS NOT NULL OR first_name IS NOT NULL OR last_name IS NOT NULL OR first_name_ar IS NOT NULL OR last_name_ar IS NOT NULL', name=op.f('ck_beneficiaries_has_a_name')),
    sa.CheckConstraint('household_size IS NULL OR household_size >= 1', name=op.f('ck_beneficiaries_household_positive')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_beneficiaries_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiaries')),
    sa.UniqueConstraint('cin', name=op.f('uq_beneficiaries_cin'))
    )
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.create_index('ix_beneficiaries_birth_date_match_key', ['birth_date', 'match_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_registered_on'), ['registered_on'], unique=False)

    op.create_table('cooperatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('name_ar', sa.String(length=200), nullable=True),
    sa.Column('odco_registration', sa.String(length=60), nullable=True),
    sa.Column('sector', sa.Enum('agriculture', 'argan', 'aromatic_medicinal_plants', 'crafts', 'food_processing', 'textiles', 'fishing', 'forestry', 'livestock', 'services', 'tourism', 'housing', 'other', name='sector', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=False),
    sa.Column('dissolved_on', sa.Date(), nullable=True),
    sa.Column('women_led', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('dissolved_on IS NULL OR dissolved_on >= founded_on', name=op.f('ck_cooperatives_dates_ordered')),
    sa.CheckConstraint('name IS NOT NULL OR name_ar IS NOT NULL', name=op.f('ck_cooperatives_has_a_name')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_cooperatives_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperatives')),
    sa.UniqueConstraint('reference', name=op.f('uq_cooperatives_reference'))
    )
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperatives_province_code'), ['province_code'], unique=False)

    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.Enum('association', 'public_agency', 'university', 'private_firm', 'international', 'cooperative', name='partner_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_partners_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_partners_name'))
    )
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('committed_centimes', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('active', 'ended', name='agreement_status', native_enum=False, create_constraint=True), nullable=False),
    sa.CheckConstraint('committed_centimes >= 0', name=op.f('ck_agreements_committed_non_negative')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_agreements_partner_id_partners')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_agreements_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('program_id', 'partner_id', 'signed_on', name=op.f('uq_agreements_program_id_partner_id_signed_on'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_program_id'), ['program_id'], unique=False)

    op.create_table('duplicate_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('other_beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Enum('same_name_birth_date', 'same_phone', name='duplicate_rule', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.Enum('open', 'merged', 'dismissed', name='duplicate_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('beneficiary_id < other_beneficiary_id', name=op.f('ck_duplicate_candidates_ordered_pair')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_duplicate_candidates_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['other_beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_duplicate_candidates_other_beneficiary_id_beneficiaries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_candidates')),
    sa.UniqueConstraint('beneficiary_id', 'other_beneficiary_id', 'rule', name=op.f('uq_duplicate_candidates_beneficiary_id_other_beneficiary_id_rule'))
    )
    with op.batch_alter_table('duplicate_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_other_beneficiary_id'), ['other_beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_status'), ['status'], unique=False)

    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('applied', 'enrolled', 'exited', 'rejected', name='enrollment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=True),
    sa.Column('rejected_on', sa.Date(), nullable=True),
    sa.Column('exited_on', sa.Date(), nullable=True),
    sa.Column('exit_reason', sa.Enum('completed', 'graduated', 'dropped_out', 'moved', 'deceased', 'duplicate', 'other', name='exit_reason', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'exited') = (exited_on IS NOT NULL AND exit_reason IS NOT NULL)", name=op.f('ck_enrollments_exit_complete')),
    sa.CheckConstraint('enrolled_on IS NULL OR enrolled_on >= applied_on', name=op.f('ck_enrollments_enrolled_after_applied')),
    sa.CheckConstraint('exited_on IS NULL OR exited_on >= enrolled_on', name=op.f('ck_enrollments_exited_after_enrolled')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_enrollments_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_enrollments_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('beneficiary_id', 'program_id', name=op.f('uq_enrollments_beneficiary_id_program_id'))
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollments_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_enrolled_on'), ['enrolled_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_exited_on'), ['exited_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_program_id'), ['program_id'], unique=False)

    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('cooperative_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=300), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'approved', 'rejected', 'cancelled', 'closed', name='grant_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount_requested_centimes', sa.BigInteger(), nullable=False),
    sa.Column('amount_approved_centimes', sa.BigInteger(), nullable=True),
    sa.Column('disbursed_centimes', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('rejected_on', sa.Date(), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(beneficiary_id IS NULL) <> (cooperative_id IS NULL)', name=op.f('ck_grants_exactly_one_recipient')),
    sa.CheckConstraint('amount_approved_centimes IS NULL OR amount_approved_centimes >= 0', name=op.f('ck_grants_approved_non_negative')),
    sa.CheckConstraint('amount_requested_centimes >= 0', name=op.f('ck_grants_requested_non_negative')),
    sa.CheckConstraint('disbursed_centimes <= COALESCE(amount_approved_centimes, 0)', name=op.f('ck_grants_disbursed_within_approved')),
    sa.CheckConstraint('disbursed_centimes >= 0', name=op.f('ck_grants_disbursed_non_negative')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_grants_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_grants_cooperative_id_cooperatives')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_grants_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('reference', name=op.f('uq_grants_reference'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_approved_on'), ['approved_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_program_id'), ['program_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'president', 'vice_president', 'treasurer', 'secretary', name='cooperative_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_memberships_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_memberships_cooperative_id_cooperatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('cooperative_id', 'beneficiary_id', name=op.f('uq_memberships_cooperative_id_beneficiary_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('survey_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Enum('baseline', 'm6', 'm12', 'm24', name='survey_round', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('surveyed_on', sa.Date(), nullable=False),
    sa.Column('monthly_income_centimes', sa.BigInteger(), nullable=True),
    sa.Column('has_savings', sa.Boolean(), nullable=True),
    sa.Column('has_account', sa.Boolean(), nullable=True),
    sa.Column('borrowed_formal', sa.Boolean(), nullable=True),
    sa.Column('business_operating', sa.Boolean(), nullable=True),
    sa.Column('jobs_created', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('jobs_created IS NULL OR jobs_created >= 0', name=op.f('ck_survey_records_jobs_non_negative')),
    sa.CheckConstraint('monthly_income_centimes IS NULL OR monthly_income_centimes >= 0', name=op.f('ck_survey_records_income_non_negative')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_survey_records_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_survey_records_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_records')),
    sa.UniqueConstraint('beneficiary_id', 'program_id', 'round', name=op.f('uq_survey_records_beneficiary_id_program_id_round'))
    )
    with op.batch_alter_table('survey_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_records_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_records_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_records_surveyed_on'), ['surveyed_on'], unique=False)

    op.create_table('disbursements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('amount_centimes', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.Enum('bank_transfer', 'cash', 'mobile_money', 'cheque', name='channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_centimes > 0', name=op.f('ck_disbursements_amount_positive')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_disbursements_grant_id_grants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disbursements')),
    sa.UniqueConstraint('reference', name=op.f('uq_disbursements_reference'))
    )
    with op.batch_alter_table('disbursements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disbursements_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disbursements_paid_on'), ['paid_on'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('disbursements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disbursements_paid_on'))
        batch_op.drop_index(batch_op.f('ix_disbursements_grant_id'))

    op.drop_table('disbursements')
    with op.batch_alter_table('survey_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_records_surveyed_on'))
        batch_op.drop_index(batch_op.f('ix_survey_records_program_id'))
        batch_op.drop_index(batch_op.f('ix_survey_records_beneficiary_id'))

    op.drop_table('survey_records')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_cooperative_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_beneficiary_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_program_id'))
        batch_op.drop_index(batch_op.f('ix_grants_cooperative_id'))
        batch_op.drop_index(batch_op.f('ix_grants_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_grants_approved_on'))

    op.drop_table('grants')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollments_program_id'))
        batch_op.drop_index(batch_op.f('ix_enrollments_exited_on'))
        batch_op.drop_index(batch_op.f('ix_enrollments_enrolled_on'))
        batch_op.drop_index(batch_op.f('ix_enrollments_beneficiary_id'))

    op.drop_table('enrollments')
    with op.batch_alter_table('duplicate_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_status'))
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_other_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_beneficiary_id'))

    op.drop_table('duplicate_candidates')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_program_id'))
        batch_op.drop_index(batch_op.f('ix_agreements_partner_id'))

    op.drop_table('agreements')
    op.drop_table('partners')
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperatives_province_code'))

    op.drop_table('cooperatives')
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beneficiaries_registered_on'))
        batch_op.drop_index(batch_op.f('ix_beneficiaries_province_code'))
        batch_op.drop_index(batch_op.f('ix_beneficiaries_phone'))
        batch_op.drop_index('ix_beneficiaries_birth_date_match_key')

    op.drop_table('beneficiaries')
    op.drop_table('user_regions')
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provinces_region_code'))

    op.drop_table('provinces')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programs_region_code'))

    op.drop_table('programs')
    op.drop_table('users')
    op.drop_table('report_snapshots')
    op.drop_table('regions')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')

