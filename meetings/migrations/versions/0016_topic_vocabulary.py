"""topic vocabulary: terms added by the secretariat; stored duplicate-finder features

Revision ID: 0016
Revises: 0007
Create Date: 2026-11-29 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('topic_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concept_id', sa.String(length=60), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('term', sa.String(length=120), nullable=False),
    sa.Column('term_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_topic_terms_language')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_topic_terms_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_terms')),
    sa.UniqueConstraint('concept_id', 'language', 'term_key', name='uq_topic_terms_term')
    )
    with op.batch_alter_table('roundtables') as batch:
        batch.add_column(sa.Column('similarity_vector', sa.JSON(), nullable=True))
    with op.batch_alter_table('regional_forum_topics') as batch:
        batch.add_column(sa.Column('similarity_vector', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('regional_forum_topics') as batch:
        batch.drop_column('similarity_vector')
    with op.batch_alter_table('roundtables') as batch:
        batch.drop_column('similarity_vector')
    op.drop_table('topic_terms')
