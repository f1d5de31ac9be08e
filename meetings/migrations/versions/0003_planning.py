"""planning: applied plan document and burden on global meetings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 07:10:36.287541
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('global_meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_document', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('plan_burden', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('global_meetings', schema=None) as batch_op:
        batch_op.drop_column('plan_burden')
        batch_op.drop_column('plan_document')
