"""background tasks (fan-out and anonymization in batches); outbox rows replaced by a newer message

Revision ID: 0013
Revises: 0017
Create Date: 2026-11-29 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('background_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'running', 'done', 'superseded')",
                       name=op.f('ck_background_tasks_status')),
    sa.CheckConstraint('total >= 0 AND done >= 0 AND failures >= 0', name=op.f('ck_background_tasks_counts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_tasks'))
    )
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_background_tasks_meeting', ['meeting_id'], unique=False)
        batch_op.create_index('ix_background_tasks_status', ['status', 'id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('pending', 'sending', 'sent', 'failed', 'superseded')")


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'sent' WHERE status = 'superseded'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('pending', 'sending', 'sent', 'failed')")
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_background_tasks_status')
        batch_op.drop_index('ix_background_tasks_meeting')
    op.drop_table('background_tasks')
