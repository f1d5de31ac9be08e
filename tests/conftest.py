"""Shared fixtures: the suite runs on SQLite and PostgreSQL, each test inside a rolled-back transaction.

- ``database_url`` is parametrized over ``sqlite`` and ``postgresql``: every test that uses the
  database runs twice. PostgreSQL missing is a skip on a laptop and a failure in CI
  (``ACSG_REQUIRE_POSTGRES=1``, set by ``.ci/run``).
- The schema is built by the Alembic migrations (so they are tested too).
- ``app``/``client``/``db`` join one outer transaction per test (SQLAlchemy's "joining a session
  into an external transaction" recipe) that is rolled back afterwards.
- ``live_app`` is the unbound application for tests that need real commits on separate
  connections (concurrency, browser); ``committed`` cleans up what they created.
- Helpers (factories, API calls, logins, ...) live in ``tests/support`` and are imported from there.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from support.authorization import make_world
from support.databases import DEFAULT_PG, drop_database, recreate_database
from support.factories import make_meeting

from meetings import create_app, demo
from meetings.core import db as dbmod
from meetings.core.migrate import upgrade_database
from meetings.models import GlobalMeeting, MeetingSession, Registration
from meetings.organizations.models import Organization, WorkstreamInterest
from meetings.outbox.models import OutboxMessage


def _require(env: str) -> bool:
    return os.environ.get(env) == "1"


def _postgres_url() -> str:
    """A clean PostgreSQL test database of this run (named after the process), or a skip/failure."""
    url = sa.make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG))
    url = url.set(database=f"{url.database}_{os.getpid()}")
    try:
        return recreate_database(url)
    except sa.exc.OperationalError as error:
        if _require("ACSG_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required (ACSG_REQUIRE_POSTGRES=1) but unreachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """The URL of a freshly migrated test database, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = _postgres_url()
    engine = dbmod.make_engine(url)
    upgrade_database(engine)
    with dbmod.sessionmaker(bind=engine)() as db:
        demo.seed_workstreams(db)
        db.commit()
    engine.dispose()
    yield url
    if request.param == "postgresql":
        drop_database(url)


@pytest.fixture(scope="session")
def live_app(database_url):
    """The application on the test database, committing for real."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
                      "RATELIMIT_ENABLED": False,  # only the tests of the limits turn them on
                      "PUBLIC_BASE_URL": "http://localhost"})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(live_app):
    """The application with every database session joined into one transaction rolled back after the test."""
    engine = live_app.extensions["db_engine"]
    original = live_app.extensions["db_sessionmaker"]
    connection = engine.connect()
    transaction = connection.begin()
    dbmod.bind_to_connection(live_app, connection)
    yield live_app
    live_app.extensions["db_sessionmaker"] = original
    if transaction.is_active:
        transaction.rollback()
    connection.close()


@pytest.fixture
def app_context(app):
    """An application context for calling operations directly (as jobs and the CLI do)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """A test client of the transactional app."""
    return app.test_client()


@pytest.fixture
def db(app):
    """A database session on the test's transaction, for setting up and checking data."""
    db = dbmod.new_session(app)
    db.info["app"] = app  # support.mail composes outbox rows with it
    yield db
    db.close()


@pytest.fixture
def backend(database_url) -> str:
    """'sqlite' or 'postgresql'."""
    return sa.make_url(database_url).get_backend_name()


@pytest.fixture
def meeting(db) -> GlobalMeeting:
    """An open meeting (rolled back after the test)."""
    return make_meeting(db)


@pytest.fixture
def committed(live_app):
    """Delete, after the test, every meeting and organization the test committed."""
    yield
    with dbmod.new_session(live_app) as db:
        from meetings.accounts.models import User
        from meetings.core.audit import AuditEntry
        from meetings.core.tasks import BackgroundTask
        from meetings.roundtables.models import RegionalForumTopic, Roundtable, RoundtableInvitation

        db.execute(sa.delete(AuditEntry))
        db.execute(sa.delete(BackgroundTask))
        db.execute(sa.delete(RoundtableInvitation))
        db.execute(sa.delete(Roundtable))  # cascades to its windows and history
        db.execute(sa.delete(RegionalForumTopic))
        db.execute(sa.delete(User))
        db.execute(sa.delete(OutboxMessage))
        db.execute(sa.delete(Registration))
        db.execute(sa.delete(WorkstreamInterest))
        db.execute(sa.delete(MeetingSession))
        db.execute(sa.delete(GlobalMeeting))
        db.execute(sa.delete(Organization))
        db.commit()


@pytest.fixture
def world(app, db) -> dict:
    """Two organizations, their co-conveners, the secretariat, roundtables, a meeting, a topic, a webhook
    (``support.authorization.make_world``): the URL arguments of every endpoint."""
    return make_world(app, db)
