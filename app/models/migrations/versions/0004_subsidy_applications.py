"""subsidy applications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Subsidy applications: the clerk's own subsidy types, applications with lines that copy what
the roster prints, and subsidy_claim whose unique (subsidy_type, basis_key) keeps a basis
record from being claimed twice by applications that are not 作废.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subsidy_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subsidy_type', sa.String(length=64), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='草稿', nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('received_amount', sa.BigInteger(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('policy_values', sa.Text(), nullable=True),
    sa.Column('total', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_application'))
    )
    with op.batch_alter_table('subsidy_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_application_subsidy_type'), ['subsidy_type'], unique=False)

    op.create_table('subsidy_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('amounts', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_type')),
    sa.UniqueConstraint('name', name=op.f('uq_subsidy_type_name'))
    )
    op.create_table('subsidy_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('gender', sa.String(length=2), nullable=True),
    sa.Column('id_type', sa.String(length=16), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('occupation', sa.String(length=100), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('reference_no', sa.String(length=200), nullable=True),
    sa.Column('reference_date', sa.Date(), nullable=True),
    sa.Column('contract', sa.String(length=64), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('basis_kind', sa.String(length=16), nullable=False),
    sa.Column('basis_id', sa.Integer(), nullable=True),
    sa.Column('basis_key', sa.String(length=96), nullable=False),
    sa.Column('claim_key', sa.String(length=96), nullable=False),
    sa.Column('basis_text', sa.Text(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['subsidy_application.id'], name=op.f('fk_subsidy_line_application_id_subsidy_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_subsidy_line_worker_id_worker'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_line'))
    )
    with op.batch_alter_table('subsidy_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_line_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_line_worker_id'), ['worker_id'], unique=False)

    op.create_table('subsidy_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subsidy_type', sa.String(length=64), nullable=False),
    sa.Column('basis_key', sa.String(length=96), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['subsidy_line.id'], name=op.f('fk_subsidy_claim_line_id_subsidy_line'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_claim')),
    sa.UniqueConstraint('line_id', name=op.f('uq_subsidy_claim_line_id')),
    sa.UniqueConstraint('subsidy_type', 'basis_key', name=op.f('uq_subsidy_claim_subsidy_type_basis_key'))
    )


def downgrade() -> None:
    op.drop_table('subsidy_claim')
    with op.batch_alter_table('subsidy_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_line_worker_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_line_application_id'))

    op.drop_table('subsidy_line')
    op.drop_table('subsidy_type')
    with op.batch_alter_table('subsidy_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_application_subsidy_type'))

    op.drop_table('subsidy_application')
