"""training

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Training: programmes, enrolments, personal training accounts and their ledger, the yearly
training fund, service-period agreements; and the policy profile, seeded with the
defaults of SPEC §4 (a frozen copy: later code changes never alter this migration).
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# The SPEC §4 defaults as of this revision, effective from 2000-01-01.
POLICY_DEFAULTS = [
    ('training.high_skilled_min_per_year', '1'),
    ('training.rotation_years', '3'),
    ('fund.min_extraction_rate', '1.5'),
    ('fund.min_frontline_share', '60'),
    ('fund.tax_deductible_rate', '8'),
    ('subsidy.upgrade.高级工', '1300'),
    ('subsidy.upgrade.技师', '1800'),
    ('subsidy.upgrade.高级技师', '2500'),
    ('subsidy.upgrade.contract_years_after', '1'),
    ('subsidy.apprentice.中级工', '4000'),
    ('subsidy.apprentice.高级工', '5000'),
    ('subsidy.apprentice.技师', '6000'),
    ('subsidy.apprentice.min_contract_years', '1'),
    ('subsidy.apprentice.min_years', '1'),
    ('subsidy.apprentice.max_years', '3'),
    ('subsidy.competition.一等奖', '2000'),
    ('subsidy.competition.二等奖', '1000'),
    ('subsidy.competition.三等奖', '500'),
    ('subsidy.self_claim.初级工', '1000'),
    ('subsidy.self_claim.中级工', '1500'),
    ('subsidy.self_claim.高级工', '2000'),
    ('subsidy.self_claim.window_months', '12'),
    ('allowance.skill.高级工', '200'),
    ('allowance.skill.技师', '400'),
    ('allowance.skill.高级技师', '600'),
    ('allowance.skill.特级技师', '800'),
    ('allowance.skill.首席技师', '1000'),
    ('allowance.mentor', '200'),
    ('allowance.team_leader', '300'),
    ('apprenticeship.master_min_level', '3'),
    ('apprenticeship.max_apprentices', '3'),
]


def upgrade() -> None:
    op.create_table('policy_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_value')),
    sa.UniqueConstraint('key', 'effective_from', name=op.f('uq_policy_value_key_effective_from'))
    )
    with op.batch_alter_table('policy_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_value_key'), ['key'], unique=False)

    op.create_table('training_fund_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payroll_total', sa.BigInteger(), nullable=True),
    sa.Column('extraction_rate_bp', sa.Integer(), nullable=True),
    sa.Column('extracted_amount', sa.BigInteger(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_training_fund_year'))
    )
    op.create_table('training_programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('cost_per_person', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('funding_source', sa.String(length=16), nullable=False),
    sa.Column('occupation_id', sa.Integer(), nullable=True),
    sa.Column('target_level', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupation.id'], name=op.f('fk_training_programme_occupation_id_occupation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_programme'))
    )
    op.create_table('service_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('agreement_no', sa.String(length=64), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.Column('service_start', sa.Date(), nullable=False),
    sa.Column('service_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='有效', nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('repayment', sa.BigInteger(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_service_agreement_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_agreement'))
    )
    with op.batch_alter_table('service_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_agreement_worker_id'), ['worker_id'], unique=False)

    op.create_table('training_account',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('key_talent', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('planned_courses', sa.Text(), nullable=True),
    sa.Column('self_study_plan', sa.Text(), nullable=True),
    sa.Column('plan_years', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_training_account_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_training_account'))
    )
    op.create_table('training_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('hours_attended', sa.Integer(), nullable=True),
    sa.Column('cost_charged', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('sent_by_enterprise', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_training_enrolment_certificate_id_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['training_programme.id'], name=op.f('fk_training_enrolment_programme_id_training_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_training_enrolment_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_enrolment')),
    sa.UniqueConstraint('programme_id', 'worker_id', name=op.f('uq_training_enrolment_programme_id_worker_id'))
    )
    with op.batch_alter_table('training_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_enrolment_completed_on'), ['completed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_enrolment_worker_id'), ['worker_id'], unique=False)

    op.create_table('account_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('corrects_entry_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['corrects_entry_id'], ['account_entry.id'], name=op.f('fk_account_entry_corrects_entry_id_account_entry')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['training_enrolment.id'], name=op.f('fk_account_entry_enrolment_id_training_enrolment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_account_entry_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_entry'))
    )
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_entry_worker_id'), ['worker_id'], unique=False)

    op.create_table('agreement_enrolment',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['service_agreement.id'], name=op.f('fk_agreement_enrolment_agreement_id_service_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['training_enrolment.id'], name=op.f('fk_agreement_enrolment_enrolment_id_training_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'enrolment_id', name=op.f('pk_agreement_enrolment'))
    )
    policy_value = sa.table(
        "policy_value",
        sa.column("key", sa.String),
        sa.column("value", sa.Text),
        sa.column("effective_from", sa.Date),
        sa.column("note", sa.Text),
    )
    op.bulk_insert(
        policy_value,
        [
            {"key": key, "value": value, "effective_from": date(2000, 1, 1), "note": "SPEC §4 默认值"}
            for key, value in POLICY_DEFAULTS
        ],
    )

def downgrade() -> None:
    op.drop_table('agreement_enrolment')
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_entry_worker_id'))

    op.drop_table('account_entry')
    with op.batch_alter_table('training_enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrolment_worker_id'))
        batch_op.drop_index(batch_op.f('ix_training_enrolment_completed_on'))

    op.drop_table('training_enrolment')
    op.drop_table('training_account')
    with op.batch_alter_table('service_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_agreement_worker_id'))

    op.drop_table('service_agreement')
    op.drop_table('training_programme')
    op.drop_table('training_fund_year')
    with op.batch_alter_table('policy_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_value_key'))

    op.drop_table('policy_value')
