"""Registrations per second and p50/p99 latency against gunicorn + PostgreSQL, beside /healthz.

Usage: .venv/bin/python bench/registrations.py [--requests 2000] [--clients 16] [--workers 4] [--planned]
       [--gunicorn "--threads 2"]
Needs PostgreSQL (BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench)
and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/13).
The database is dropped and recreated. Both endpoints are measured in the same run, with the
same clients, so the ratio says what a registration costs compared with a bare database round trip.
A third run sends the same registrations with a malformed ``consent``: refused (422) by the input schema
before the view runs, without a database query of its own, it shows the floor the framework alone sets
for this endpoint (routing, limits, parsing, validation, a localized JSON answer, logs).

The server runs as in production (README): the abuse limits counted in Redis by every worker,
``PROMETHEUS_MULTIPROC_DIR`` set, JSON request logs (to a file). Every request comes from one
address, so the registration limit is raised out of reach; the limiter still counts each request.
Each session holds 3/4 of the registrations sent to it, so the last quarter is waitlisted while the
clients race for the last seats; afterwards the bench counts, in the database, confirmed
registrations beyond a session's capacity (overbooking, must be 0) and free seats left while
someone waits (must be 0 too).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.databases import recreate_database  # noqa: E402

from meetings import demo  # noqa: E402
from meetings.core import db as dbmod  # noqa: E402
from meetings.core.migrate import upgrade_database  # noqa: E402
from meetings.core.vocabulary import CATEGORY_CODES  # noqa: E402
from meetings.models import GlobalMeeting, MeetingSession, Registration  # noqa: E402


def fresh_database(url: str, capacity: int) -> None:
    """Drop, create, migrate and seed the bench database with one open meeting, ``capacity`` seats a session."""
    recreate_database(url)
    engine = dbmod.make_engine(url)
    upgrade_database(engine)
    with dbmod.sessionmaker(bind=engine)() as db:
        demo.seed_workstreams(db)
        meeting = GlobalMeeting(edition="2099-1", title_en="Bench", status="open",
                                allowed_categories=list(CATEGORY_CODES))
        for label, hour in (("A", 7), ("B", 15)):
            meeting.sessions.append(MeetingSession(label=label, capacity=capacity,
                                                   starts_at=datetime(2099, 3, 18, hour, tzinfo=UTC)))
        db.add(meeting)
        db.commit()
    engine.dispose()


def store_plan(url: str, document: dict) -> None:
    """Give the bench meeting the plan document the planner stores with a meeting it creates (about 120 KB)."""
    engine = dbmod.make_engine(url)
    with dbmod.sessionmaker(bind=engine)() as db:
        meeting = db.scalar(sa.select(GlobalMeeting))
        meeting.plan_document, meeting.plan_burden = document, document["burden"]
        db.commit()
    engine.dispose()


def seat_counts(url: str) -> list[dict]:
    """Per session: capacity, confirmed, waitlisted, overbooked (confirmed beyond capacity), idle seats.

    Idle seats: seats left free while someone waits for that session.
    """
    engine = dbmod.make_engine(url)
    rows = []
    with dbmod.sessionmaker(bind=engine)() as db:
        for session in db.scalars(sa.select(MeetingSession).order_by(MeetingSession.label)):
            counts = dict(db.execute(sa.select(Registration.status, sa.func.count())
                                     .where(Registration.session_id == session.id)
                                     .group_by(Registration.status)).all())
            confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
            rows.append({"label": session.label, "capacity": session.capacity, "confirmed": confirmed,
                         "waitlisted": waitlisted, "overbooked": max(0, confirmed - session.capacity),
                         "idle_seats": max(0, session.capacity - confirmed) if waitlisted else 0})
    engine.dispose()
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def cpu_seconds(server_pid: int, database: str) -> dict[str, float]:
    """CPU time (user + system) used so far by this client, gunicorn (master and workers), the PostgreSQL
    backends of ``database``, Redis, and every other process of the machine (``other``)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"client": time.process_time(), "gunicorn": 0.0, "PostgreSQL": 0.0, "Redis": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        pid, parent, seconds = int(stat.parent.name), int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if pid == server_pid or parent == server_pid:
            used["gunicorn"] += seconds
        elif name == "postgres" and f" {database} " in command:
            used["PostgreSQL"] += seconds
        elif name == "redis-server":
            used["Redis"] += seconds
    machine = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = (sum(machine) - machine[3] - machine[4]) / tick  # all but idle and iowait
    used["other"] = busy - sum(used.values())
    return used


def run(label: str, total: int, clients: int, call, server_pid: int, database: str, refused: bool = False) -> dict:
    """Run ``call(i)`` ``total`` times over ``clients`` threads; latencies in ms, CPU ms per request.

    Every answer must be a success, or (``refused``) a 4xx."""
    sessions = [requests.Session() for _ in range(clients)]
    cpu_before = cpu_seconds(server_pid, database)

    def one(i: int) -> float:
        started = time.perf_counter()
        status = call(sessions[i % clients], i)
        elapsed = (time.perf_counter() - started) * 1000
        expected = 400 <= status < 500 if refused else status < 400
        if not expected:
            raise RuntimeError(f"{label}: HTTP {status}")
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = sorted(pool.map(one, range(total)))
    wall = time.perf_counter() - started
    cpu_after = cpu_seconds(server_pid, database)
    cpu = {part: (seconds - cpu_before[part]) * 1000 / total for part, seconds in cpu_after.items()}
    return {"label": label, "rps": total / wall, "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--gunicorn", default="", help="extra gunicorn options, e.g. '--threads 2'")
    parser.add_argument("--planned", action="store_true",
                        help="store a plan document with the meeting, as the planner does for the meetings it creates")
    args = parser.parse_args()
    url = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_bench")
    capacity = args.requests // 2 * 3 // 4
    fresh_database(url, capacity)
    port = free_port()
    scratch = tempfile.TemporaryDirectory(prefix="acsg-bench-")
    metrics_dir = Path(scratch.name) / "metrics"
    metrics_dir.mkdir()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "RATELIMIT_ENABLED": "1",
           "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
           "RATELIMIT_REGISTRATION": "1000000 per minute;10000000 per hour"}
    log_path = Path(scratch.name) / "gunicorn.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed after the server)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), *args.gunicorn.split(), "-b",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        if args.planned:
            store_plan(url, requests.post(f"{base}/api/v1/plans", json={"date": "2099-03-18", "duration": 180},
                                          timeout=60).json())
        meeting = requests.get(f"{base}/api/v1/meetings", timeout=5).json()[0]
        sessions = [s["id"] for s in meeting["sessions"]]

        def health(http, _i):
            return http.get(f"{base}/healthz", timeout=10).status_code

        def register(http, i, consent=True):
            body = {"session_id": sessions[i % 2], "name": f"Delegate {i}", "email": f"d{i}@example.org",
                    "organization": f"Ministry {i % 50}", "category": "national_asylum_authority",
                    "country": "KE", "language": "en", "timezone": "Africa/Nairobi", "consent": consent}
            return http.post(f"{base}/api/v1/meetings/{meeting['id']}/registrations", json=body,
                             timeout=30).status_code

        def refuse(http, i):  # the same request with a malformed consent: refused by the input schema (422)
            return register(http, i, consent="maybe")

        database = sa.make_url(url).database
        run("warm-up", 200, args.clients, health, server.pid, database)
        baseline = run("GET /healthz", args.requests, args.clients, health, server.pid, database)
        measured = run("POST registration", args.requests, args.clients, register, server.pid, database)
        floor = run("POST refused (4xx)", args.requests, args.clients, refuse, server.pid, database, refused=True)
    finally:
        server.terminate()
        server.wait(10)
        log.close()
        conflicts = sum(1 for line in log_path.open() if "Lock conflict" in line)
        scratch.cleanup()
    seats = seat_counts(url)
    print(f"gunicorn workers={args.workers} {args.gunicorn}, clients={args.clients}, requests={args.requests} each, "
          f"{'meeting with its plan document, ' if args.planned else ''}"
          f"PostgreSQL, limits in Redis; {os.cpu_count()} CPUs shared by the clients, gunicorn and PostgreSQL")
    for row in (baseline, measured, floor):
        print(f"{row['label']:<20} {row['rps']:8.1f} req/s   p50 {row['p50']:7.1f} ms   p99 {row['p99']:7.1f} ms")
    print(f"CPU ms per request ({os.cpu_count()} cores shared by all of these; 'other': the rest of the machine "
          "during the run, e.g. other benches or test suites):")
    for row in (baseline, measured, floor):
        ours = {part: ms for part, ms in row["cpu"].items() if part != "other"}
        print(f"  {row['label']:<20} " + ", ".join(f"{part} {ms:.2f}" for part, ms in ours.items())
              + f"; total {sum(ours.values()):.2f}; other {row['cpu']['other']:.2f}")
    ratio = measured["rps"] / baseline["rps"]
    print(f"ratio registration/healthz: throughput {ratio:.2f}x, "
          f"p50 latency {measured['p50'] / baseline['p50']:.2f}x")
    print(f"floor: the same POST refused by the input schema before the view (limited, parsed, validated, "
          f"answered in JSON, no query of its own): {floor['rps'] / baseline['rps']:.2f}x /healthz")
    for row in seats:
        print(f"session {row['label']}: capacity {row['capacity']}, confirmed {row['confirmed']}, "
              f"waitlisted {row['waitlisted']}")
    overbooked = sum(row["overbooked"] for row in seats)
    idle = sum(row["idle_seats"] for row in seats)
    print(f"overbooking (confirmed beyond capacity): {overbooked}; free seats while people wait: {idle}; "
          f"lock-conflict retries logged: {conflicts}")
    registered = sum(row["confirmed"] + row["waitlisted"] for row in seats)
    met = ratio >= 0.5 and measured["p99"] < 150 and overbooked == 0
    print(f"target (>= 0.5x /healthz, p99 < 150 ms, 0 overbooking): {'met' if met else 'NOT met'}")
    if overbooked or idle or registered != args.requests:
        raise SystemExit(f"seats wrong: {registered} registrations for {args.requests} requests")


if __name__ == "__main__":
    main()
