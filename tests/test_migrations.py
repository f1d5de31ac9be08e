"""The Alembic migrations build exactly the schema the models describe, and go down and up again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from meetings.core import db as dbmod
from meetings.core.migrate import alembic_config


def test_models_and_migrations_agree(database_url):
    engine = dbmod.make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, dbmod.Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = sa.create_engine(url)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert "registrations" in sa.inspect(engine).get_table_names()
    engine.dispose()
