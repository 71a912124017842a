"""saved surveys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Saved bureau surveys: one per 填表时间, the numbers as shown and what the clerk typed.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('numbers', sa.Text(), nullable=False),
    sa.Column('typed', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_survey')),
    sa.UniqueConstraint('as_of', name=op.f('uq_saved_survey_as_of'))
    )


def downgrade() -> None:
    op.drop_table('saved_survey')
