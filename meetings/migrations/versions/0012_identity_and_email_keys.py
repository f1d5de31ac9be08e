"""verified registrants, one-time sign-in links, e-mail comparison keys recomputed, sign-up authors,
organization API keys

Revision ID: 0012
Revises: 0007
Create Date: 2026-11-29 15:40:19.742782

Every stored ``email_key`` is recomputed with the one key function (local part NFC and lower(),
domain IDNA in lower case; the old keys used casefold(), which merged distinct mailboxes). The
function is copied here as it is today so that this migration never changes meaning later.
Registrations made before this revision were trusted then: they count as verified from their creation.
"""

from __future__ import annotations

import unicodedata

import idna
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0017'
branch_labels = None
depends_on = None


def _email_key(address: str | None) -> str:
    text = (address or "").strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return unicodedata.normalize("NFC", text).lower()
    domain = domain.rstrip(".")
    try:
        ascii_domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        ascii_domain = domain
    return f"{unicodedata.normalize('NFC', local).lower()}@{ascii_domain.lower()}"


def upgrade() -> None:
    op.create_table('registration_sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_sign_ins_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_sign_ins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registration_sign_ins_token_hash'))
    )
    with op.batch_alter_table('registration_sign_ins', schema=None) as batch_op:
        batch_op.create_index('ix_registration_sign_ins_key_created', ['email_key', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_sign_ins_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('workstream_interests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email_key', sa.String(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('created_by_email_key', sa.String(length=254), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_workstream_interests_contact_email_key'), ['contact_email_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_workstream_interests_created_by_email_key'), ['created_by_email_key'], unique=False)
    with op.batch_alter_table('workstream_interests', schema=None) as batch_op:
        batch_op.alter_column('contact_email_key', server_default=None)
        batch_op.alter_column('created_by_email_key', server_default=None)

    op.create_table('organization_api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_organization_api_keys_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_api_keys_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_organization_api_keys_key_hash'))
    )
    with op.batch_alter_table('organization_api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_api_keys_organization_id'), ['organization_id'], unique=False)

    _recompute_keys(op.get_bind())


def _recompute_keys(bind) -> None:
    """Data: every stored key made again by the one function; existing registrations count as verified."""
    meta = sa.MetaData()
    registrations = sa.Table('registrations', meta, autoload_with=bind)
    users = sa.Table('users', meta, autoload_with=bind)
    attempts = sa.Table('login_attempts', meta, autoload_with=bind)
    invitations = sa.Table('roundtable_invitations', meta, autoload_with=bind)
    interests = sa.Table('workstream_interests', meta, autoload_with=bind)
    bind.execute(registrations.update().values(email_verified_at=registrations.c.created_at))
    for table, source in ((registrations, 'email'), (users, 'email'), (invitations, 'contact_email')):
        rows = bind.execute(sa.select(table.c.id, table.c[source], table.c.email_key)
                            .where(~table.c.email_key.startswith('erased:'))).all()
        for row_id, address, old in rows:
            new = _email_key(address)
            if address and new != old:
                bind.execute(table.update().where(table.c.id == row_id).values(email_key=new))
    for row_id, key in bind.execute(sa.select(attempts.c.id, attempts.c.email_key)).all():
        if _email_key(key) != key:
            bind.execute(attempts.update().where(attempts.c.id == row_id).values(email_key=_email_key(key)))
    for row_id, address in bind.execute(sa.select(interests.c.id, interests.c.contact_email)).all():
        key = _email_key(address) if address else ''
        bind.execute(interests.update().where(interests.c.id == row_id)
                     .values(contact_email_key=key, created_by_email_key=key))


def downgrade() -> None:
    with op.batch_alter_table('organization_api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_api_keys_organization_id'))
    op.drop_table('organization_api_keys')

    with op.batch_alter_table('workstream_interests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workstream_interests_created_by_email_key'))
        batch_op.drop_index(batch_op.f('ix_workstream_interests_contact_email_key'))
        batch_op.drop_column('created_by_email_key')
        batch_op.drop_column('contact_email_key')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')

    with op.batch_alter_table('registration_sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_sign_ins_registration_id'))
        batch_op.drop_index('ix_registration_sign_ins_key_created')

    op.drop_table('registration_sign_ins')
