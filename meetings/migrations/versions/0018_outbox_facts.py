"""outbox rows record what happened (composer, facts, secrets until sent, calendar object and SEQUENCE)

The bodies are composed at delivery from these facts; rows queued before this revision keep their
rendered bodies and are sent as they are.

Revision ID: 0018
Revises: 0013
Create Date: 2026-11-29 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('composer', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('secrets', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('ical_uid', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('ical_sequence', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_calendar_object', ['registration_id', 'ical_uid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_calendar_object')
        batch_op.drop_column('ical_sequence')
        batch_op.drop_column('ical_uid')
        batch_op.drop_column('secrets')
        batch_op.drop_column('facts')
        batch_op.drop_column('composer')
