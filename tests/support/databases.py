"""Where the test databases live, and how a PostgreSQL database is made fresh or dropped (tests and benches)."""

from __future__ import annotations

import sqlalchemy as sa

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_test"


def _admin(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: str | sa.URL) -> str:
    """Drop (closing its connections) and create the PostgreSQL database of ``url``; returns the URL as text.

    Raises ``sqlalchemy.exc.OperationalError`` when the server cannot be reached.
    """
    parsed = sa.make_url(url)
    admin = _admin(parsed)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
    return parsed.render_as_string(hide_password=False)


def drop_database(url: str | sa.URL) -> None:
    """Drop the PostgreSQL database of ``url`` (closing its connections)."""
    parsed = sa.make_url(url)
    admin = _admin(parsed)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()
