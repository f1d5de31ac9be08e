"""Bench: what a /metrics scrape and a /readyz check cost on a large outbox, beside /healthz (one SELECT 1).

Fills the outbox with ``count`` rows (90 % sent, 9 % pending in the future, 1 % due), then times each
endpoint through the WSGI application in the same run. The gauges are aggregate queries on indexed columns.
Run: .venv/bin/python bench/metrics.py [count] [--postgres]   (default: 100000 rows on SQLite in a temporary
folder; --postgres uses BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_metrics)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.databases import recreate_database  # noqa: E402

from meetings import create_app  # noqa: E402
from meetings.core.migrate import upgrade_database  # noqa: E402
from meetings.outbox.models import OutboxMessage  # noqa: E402

REPEAT = 30


def database_url(postgres: bool, folder: str) -> str:
    """A fresh database for the bench."""
    if not postgres:
        return f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    url = sa.make_url(os.environ.get("BENCH_POSTGRES_URL",
                                     "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench_metrics"))
    return recreate_database(url)


def fill(engine, count: int) -> None:
    """Insert ``count`` outbox rows in batches."""
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        status, due = ("sent", now - timedelta(days=1)) if n % 100 < 90 else (
            ("pending", now + timedelta(hours=1)) if n % 100 < 99 else ("pending", now - timedelta(seconds=n % 600)))
        rows.append({"key": f"bench:{n}", "channel": "email", "topic": "bench", "status": status, "attempts": 0,
                     "max_attempts": 8, "next_attempt_at": due, "last_error": "", "created_at": now,
                     "to_addresses": [f"p{n}@example.org"], "cc_addresses": [], "language": "en", "subject": "s",
                     "body_text": "t", "body_html": "h", "payload": {}})
        if len(rows) == 5000:
            with engine.begin() as conn:
                conn.execute(sa.insert(OutboxMessage), rows)
            rows = []
    if rows:
        with engine.begin() as conn:
            conn.execute(sa.insert(OutboxMessage), rows)


def timed(client, path: str) -> float:
    """Median milliseconds of ``REPEAT`` GETs of ``path``."""
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 503), (path, response.status_code)
    return statistics.median(samples)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 100_000
    postgres = "--postgres" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(postgres, folder)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        engine = app.extensions["db_engine"]
        upgrade_database(engine)
        fill(engine, count)
        client = app.test_client()
        for path in ("/healthz", "/metrics", "/readyz"):
            client.get(path)  # warm up
        healthz, metrics, readyz = (timed(client, path) for path in ("/healthz", "/metrics", "/readyz"))
        backend = "PostgreSQL" if postgres else "SQLite"
        print(f"{count} outbox rows on {backend}, median of {REPEAT} requests")
        print(f"  /healthz (baseline, SELECT 1): {healthz:8.2f} ms")
        print(f"  /metrics (all gauges):         {metrics:8.2f} ms  ({metrics / healthz:.1f}x baseline)")
        print(f"  /readyz (3 checks):            {readyz:8.2f} ms  ({readyz / healthz:.1f}x baseline)")
        engine.dispose()


if __name__ == "__main__":
    main()
