"""console: booked interpretation channels and attendance

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-29 07:22:48.097320
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interpretation_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('source_language', sa.String(length=2), nullable=False),
    sa.Column('target_language', sa.String(length=2), nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source_language IN ('en', 'fr', 'es')", name=op.f('ck_interpretation_bookings_source')),
    sa.CheckConstraint("target_language IN ('en', 'fr', 'es')", name=op.f('ck_interpretation_bookings_target')),
    sa.CheckConstraint('source_language <> target_language', name=op.f('ck_interpretation_bookings_distinct_languages')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_interpretation_bookings_booked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_interpretation_bookings_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation_bookings')),
    sa.UniqueConstraint('session_id', 'source_language', 'target_language', name='uq_booking_channel')
    )
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_attendance_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_attendance_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_attendance_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('registration_id', name='uq_attendance_registration')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_session', ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_session')

    op.drop_table('attendance')
    op.drop_table('interpretation_bookings')
