"""Migration 0012 recomputes every stored e-mail key with the one function, on data written before it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from meetings.core.migrate import alembic_config

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _insert(connection, table_name: str, **values) -> int:
    """Insert a row, filling every other required column with a plain value of its type."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if isinstance(column.type, sa.DateTime):
            values[column.name] = NOW
        elif isinstance(column.type, sa.Integer | sa.Boolean):
            values[column.name] = 0
        elif isinstance(column.type, sa.JSON):
            values[column.name] = []
        else:
            values[column.name] = f"{table_name}-{column.name}-{len(str(values))}"
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def test_keys_are_recomputed_and_existing_registrations_count_as_verified(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "0007")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        organization = _insert(connection, "organizations", name="Org", name_key="org", category="academia",
                               country="DE")
        meeting = _insert(connection, "global_meetings", edition="2026-2", status="open", duration_minutes=120)
        session = _insert(connection, "sessions", meeting_id=meeting, label="A", status="scheduled",
                          duration_minutes=120, capacity=10)
        # Written with the old casefold() keys: "Straße" became "strasse", the domain stayed in Unicode.
        _insert(connection, "registrations", meeting_id=meeting, session_id=session, organization_id=organization,
                name="S", email="Straße@Bücher.example", email_key="strasse@bücher.example", language="en",
                status="confirmed", manage_token="t1", feed_token="f1", created_at=NOW)
        _insert(connection, "registrations", meeting_id=meeting, session_id=session, organization_id=organization,
                name="E", email="", email_key="erased:2", language="en", status="cancelled",
                manage_token="t2", feed_token="f2", created_at=NOW)
        _insert(connection, "users", email="JOSÉ@Example.org", email_key="josé@example.org", name="J",
                role="secretariat", language="en")
        workstream = _insert(connection, "workstreams", number=1)
        _insert(connection, "workstream_interests", organization_id=organization, workstream_id=workstream,
                contact_name="C", contact_email="Contact@EXAMPLE.org")
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT email_key, email_verified_at FROM registrations ORDER BY id")).all()
        assert [r[0] for r in rows] == ["straße@xn--bcher-kva.example", "erased:2"]
        assert all(r[1] is not None for r in rows)
        assert connection.execute(sa.text("SELECT email_key FROM users")).scalar() == "josé@example.org"
        assert connection.execute(sa.text(
            "SELECT contact_email_key, created_by_email_key FROM workstream_interests")).one() == (
            "contact@example.org", "contact@example.org")
    engine.dispose()
