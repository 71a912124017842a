"""initial register

Revision ID: 0001
Revises: 
Create Date: 2026-11-22

The first schema: the talent register. Money columns hold whole cents (see Money).
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_meta'))
    )
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('name', name=op.f('uq_department_name'))
    )
    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('principal', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('enterprise_type', sa.String(length=16), nullable=True),
    sa.Column('scale', sa.String(length=4), nullable=True),
    sa.Column('business_field', sa.String(length=200), nullable=True),
    sa.Column('bank_name', sa.String(length=200), nullable=True),
    sa.Column('bank_account', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise'))
    )
    op.create_table('occupation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupation')),
    sa.UniqueConstraint('name', name=op.f('uq_occupation_name'))
    )
    op.create_table('occupation_shortage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occupation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupation.id'], name=op.f('fk_occupation_shortage_occupation_id_occupation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupation_shortage')),
    sa.UniqueConstraint('occupation_id', 'year', name=op.f('uq_occupation_shortage_occupation_id_year'))
    )
    op.create_table('worker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_no', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_initials', sa.String(length=32), nullable=True),
    sa.Column('id_type', sa.String(length=16), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('gender', sa.String(length=2), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('education', sa.String(length=16), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('post', sa.String(length=64), nullable=True),
    sa.Column('occupation_id', sa.Integer(), nullable=True),
    sa.Column('is_frontline', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_team_leader', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('leave_date', sa.Date(), nullable=True),
    sa.Column('monthly_wage', sa.BigInteger(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=8), server_default='在职', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_worker_department_id_department')),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupation.id'], name=op.f('fk_worker_occupation_id_occupation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker')),
    sa.UniqueConstraint('employee_no', name=op.f('uq_worker_employee_no')),
    sa.UniqueConstraint('id_type', 'id_number', name=op.f('uq_worker_id_type_id_number'))
    )
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_name_initials'), ['name_initials'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_occupation_id'), ['occupation_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occupation_id', sa.Integer(), nullable=True),
    sa.Column('level_rank', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('issuing_body', sa.String(length=200), nullable=True),
    sa.Column('evaluation_route', sa.String(length=16), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('revoked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupation.id'], name=op.f('fk_certificate_occupation_id_occupation')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_certificate_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('number', name=op.f('uq_certificate_number'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_worker_id'), ['worker_id'], unique=False)

    op.create_table('honour',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('awarding_body', sa.String(length=200), nullable=True),
    sa.Column('reward_amount', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_honour_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honour'))
    )
    with op.batch_alter_table('honour', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honour_worker_id'), ['worker_id'], unique=False)

    op.create_table('labor_contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_labor_contract_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labor_contract')),
    sa.UniqueConstraint('worker_id', 'start_date', name=op.f('uq_labor_contract_worker_id_start_date'))
    )
    op.create_table('certificate_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_scan_certificate_id_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_scan'))
    )
    with op.batch_alter_table('certificate_scan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_scan_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('competition_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('competition_name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=True),
    sa.Column('category', sa.String(length=8), nullable=True),
    sa.Column('organiser', sa.String(length=200), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('occupation_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('placing', sa.Integer(), nullable=True),
    sa.Column('prize_amount', sa.BigInteger(), nullable=True),
    sa.Column('promoted_certificate_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupation.id'], name=op.f('fk_competition_entry_occupation_id_occupation')),
    sa.ForeignKeyConstraint(['promoted_certificate_id'], ['certificate.id'], name=op.f('fk_competition_entry_promoted_certificate_id_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_competition_entry_worker_id_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_entry'))
    )
    with op.batch_alter_table('competition_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_entry_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('competition_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competition_entry_worker_id'))

    op.drop_table('competition_entry')
    with op.batch_alter_table('certificate_scan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_scan_certificate_id'))

    op.drop_table('certificate_scan')
    op.drop_table('labor_contract')
    with op.batch_alter_table('honour', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honour_worker_id'))

    op.drop_table('honour')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_worker_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_occupation_id'))
        batch_op.drop_index(batch_op.f('ix_worker_name_initials'))
        batch_op.drop_index(batch_op.f('ix_worker_name'))
        batch_op.drop_index(batch_op.f('ix_worker_department_id'))

    op.drop_table('worker')
    op.drop_table('occupation_shortage')
    op.drop_table('occupation')
    op.drop_table('enterprise')
    op.drop_table('department')
    op.drop_table('app_meta')
