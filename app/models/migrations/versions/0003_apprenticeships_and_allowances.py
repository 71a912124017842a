"""apprenticeships and allowances

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Apprenticeships with their assessments, allowances granted by hand, and the monthly
allowance roll whose lines copy name, 工号 and 部门 so a confirmed roll never changes.
New policy values (岗位津贴, assessment interval) come from the code defaults until edited.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('allowance_roll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='草稿', nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('policy_values', sa.Text(), nullable=True),
    sa.Column('total', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance_roll')),
    sa.UniqueConstraint('month', name=op.f('uq_allowance_roll_month'))
    )
    op.create_table('allowance_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roll_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('employee_no', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('allowance_type', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('basis_kind', sa.String(length=16), nullable=True),
    sa.Column('basis_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['roll_id'], ['allowance_roll.id'], name=op.f('fk_allowance_line_roll_id_allowance_roll'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_allowance_line_worker_id_worker'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance_line'))
    )
    with op.batch_alter_table('allowance_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allowance_line_roll_id'), ['roll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allowance_line_worker_id'), ['worker_id'], unique=False)

    op.create_table('special_allowance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('month_from', sa.Date(), nullable=False),
    sa.Column('month_to', sa.Date(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_special_allowance_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_special_allowance'))
    )
    with op.batch_alter_table('special_allowance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_special_allowance_worker_id'), ['worker_id'], unique=False)

    op.create_table('apprenticeship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('master_id', sa.Integer(), nullable=False),
    sa.Column('apprentice_id', sa.Integer(), nullable=False),
    sa.Column('occupation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('partner', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('target_level', sa.Integer(), nullable=True),
    sa.Column('agreement_no', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=8), server_default='在培', nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('outcome_certificate_id', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['apprentice_id'], ['worker.id'], name=op.f('fk_apprenticeship_apprentice_id_worker'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['master_id'], ['worker.id'], name=op.f('fk_apprenticeship_master_id_worker'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupation.id'], name=op.f('fk_apprenticeship_occupation_id_occupation')),
    sa.ForeignKeyConstraint(['outcome_certificate_id'], ['certificate.id'], name=op.f('fk_apprenticeship_outcome_certificate_id_certificate'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship'))
    )
    with op.batch_alter_table('apprenticeship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_apprentice_id'), ['apprentice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apprenticeship_master_id'), ['master_id'], unique=False)

    op.create_table('apprentice_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('apprenticeship_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('assessor', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['apprenticeship_id'], ['apprenticeship.id'], name=op.f('fk_apprentice_assessment_apprenticeship_id_apprenticeship'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprentice_assessment'))
    )
    with op.batch_alter_table('apprentice_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprentice_assessment_apprenticeship_id'), ['apprenticeship_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('apprentice_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprentice_assessment_apprenticeship_id'))

    op.drop_table('apprentice_assessment')
    with op.batch_alter_table('apprenticeship', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apprenticeship_master_id'))
        batch_op.drop_index(batch_op.f('ix_apprenticeship_apprentice_id'))

    op.drop_table('apprenticeship')
    with op.batch_alter_table('special_allowance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_special_allowance_worker_id'))

    op.drop_table('special_allowance')
    with op.batch_alter_table('allowance_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allowance_line_worker_id'))
        batch_op.drop_index(batch_op.f('ix_allowance_line_roll_id'))

    op.drop_table('allowance_line')
    op.drop_table('allowance_roll')
