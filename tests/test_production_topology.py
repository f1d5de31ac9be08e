"""The production topology on loopback: gunicorn (2 workers), one scheduler process, PostgreSQL, SMTP.

Everything goes through the real entry points: the ``flask --app wsgi`` commands set the database up,
participants register over HTTP, the secretariat logs in and moves the sessions from the planning page,
and the scheduler process delivers the e-mails to an aiosmtpd server. The scheduler is killed (SIGKILL)
in the middle of a delivery batch and started again: every message still arrives, each under its own
Message-ID; only messages whose outcome was not yet written (at most one group of outcomes) arrive twice.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa
from support.api import registration_payload
from support.databases import DEFAULT_PG, drop_database, recreate_database
from support.smtp_server import SmtpServer, free_port

from meetings.outbox.delivery import RECORD_EVERY

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
BURST = 40

pytestmark = pytest.mark.postgres_only


def _wait(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A dedicated PostgreSQL database for this test (created empty, dropped afterwards)."""
    url = sa.make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG))
    url = url.set(database=f"acsg_topology_{os.getpid()}")
    try:
        created = recreate_database(url)
    except sa.exc.OperationalError as error:
        if os.environ.get("ACSG_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip("PostgreSQL not reachable")
    yield created
    drop_database(url)


class Topology:
    """The processes of one deployment and the environment they share."""

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.env = env
        self.tmp = tmp
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen | None = None
        self.scheduler: subprocess.Popen | None = None
        self.runs = 0

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run one ``flask --app wsgi`` command to its end."""
        return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)

    def start_web(self) -> None:
        log = open(self.tmp / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
        self.web = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.port}",
                                     "--graceful-timeout", "5", "wsgi:app"], cwd=ROOT, env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT)
        _wait(self._healthy, 90, "gunicorn to answer /healthz", interval=0.2)

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or still booting its workers
            return False

    def start_scheduler(self) -> None:
        self.runs += 1
        log = open(self.tmp / f"scheduler-{self.runs}.log", "w")  # noqa: SIM115
        self.scheduler = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "scheduler"], cwd=ROOT, env=self.env,
                                          stdout=log, stderr=subprocess.STDOUT)

    def stop_scheduler(self, sig: int = signal.SIGTERM) -> None:
        assert self.scheduler is not None
        self.scheduler.send_signal(sig)
        self.scheduler.wait(30)
        self.scheduler = None

    def stop(self) -> None:
        for process in (self.scheduler, self.web):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.tmp.glob("*.log")))


@pytest.fixture
def topology(database_url, tmp_path) -> Iterator[tuple[Topology, SmtpServer]]:
    """Migrated database, SMTP server, gunicorn and the scheduler, all on loopback."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with SmtpServer() as smtp:
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "topology-secret",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none",
               "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "LOG_FORMAT": "json",
               "OUTBOX_DELIVER_SECONDS": "1", "OUTBOX_LEASE_SECONDS": "4", "REMINDER_SWEEP_SECONDS": "3600",
               "ACSG_LANGUAGE": "en", "RATELIMIT_STORAGE_URI": _shared_limits(),
               # One test client registers the whole batch below: a delegation behind one address.
               "RATELIMIT_REGISTRATION": "100 per minute;300 per hour"}
        topology = Topology(env, tmp_path)
        env["PUBLIC_BASE_URL"] = topology.base
        for command in (["db-upgrade"], ["seed-demo"],
                        ["create-secretariat", "--email", "sec@unhcr.example.org", "--name", "Secretariat",
                         "--password", PASSWORD]):
            result = topology.flask(*command)
            assert result.returncode == 0, result.stdout + result.stderr
        status = topology.flask("db-status")
        assert status.returncode == 0 and "The database is at head." in status.stdout, status.stdout + status.stderr
        try:
            topology.start_web()
            topology.start_scheduler()
            yield topology, smtp
        finally:
            topology.stop()
            if os.environ.get("ACSG_TOPOLOGY_LOGS") == "1":
                print(topology.logs())


def _to(smtp: SmtpServer, address: str, subject_part: str | None = None) -> list:
    with smtp.lock:
        messages = list(smtp.messages)
    found = [m for m in messages if address in m.rcpt_tos]
    if subject_part is not None:
        found = [m for m in found if subject_part in m.parsed()["Subject"]]
    return found


def _metric(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    total, seen = 0.0, False
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        if all(have.get(key) == value for key, value in labels.items()):
            total, seen = total + float(match.group(4)), True
    assert seen, f"no sample {name}{labels} in /metrics"
    return total


def _shared_limits() -> str:
    """Redis for the abuse limits (both gunicorn workers count together), emptied for this run."""
    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("ACSG_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (ACSG_REQUIRE_REDIS=1) but unreachable: {error}")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_production_topology_delivers_every_message_once(topology, database_url):
    web, smtp = topology
    http = requests.Session()
    meeting = requests.get(f"{web.base}/api/v1/meetings", timeout=10).json()[0]
    session_a = meeting["sessions"][0]

    # A participant registers over HTTP; the request id comes back and is stored on the outbox row.
    response = http.post(f"{web.base}/api/v1/meetings/{meeting['id']}/registrations",
                         json=registration_payload(session_a["id"], "first@example.org", language="en"),
                         headers={"X-Request-ID": "register-first-0001"}, timeout=10)
    assert response.status_code == 201, response.text
    assert response.headers["X-Request-ID"] == "register-first-0001"
    (link_mail,) = _wait(lambda: _to(smtp, "first@example.org"), 30, "the e-mail with the one-time link")
    # The owner confirms the address from that link (a page, then a POST), and receives the invite.
    link = re.search(r"https?://\S+/sign-in/[A-Za-z0-9_-]+", _text(link_mail)).group(0)
    link = f"{web.base}/sign-in/" + link.rsplit("/sign-in/", 1)[1]
    page = http.get(link, timeout=10)
    assert page.status_code == 200, page.text
    confirmed = http.post(link, data={"csrf_token": _csrf(page.text)}, allow_redirects=False, timeout=10)
    assert confirmed.status_code == 303, confirmed.text
    _wait(lambda: [m for m in _to(smtp, "first@example.org") if "SEQUENCE:1" in _ics(m)], 30, "the invite")

    # The secretariat logs in and moves the sessions to the next day from the planning page.
    secretariat = requests.Session()
    login = secretariat.get(f"{web.base}/account/login", timeout=10).text
    response = secretariat.post(f"{web.base}/account/login", data={
        "email": "sec@unhcr.example.org", "password": PASSWORD, "csrf_token": _csrf(login)},
        allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.text
    plan_url = f"{web.base}/secretariat/meetings/{meeting['id']}/plan"
    page = secretariat.get(plan_url, timeout=10)
    assert page.status_code == 200
    day = datetime.fromisoformat(session_a["start_utc"].replace("Z", "+00:00")).date() + timedelta(days=1)
    response = secretariat.post(f"{plan_url}/apply", data={
        "date": day.isoformat(), "duration": "180", "window": "08:00-20:00", "interpreters": "07:00-22:00",
        "step": "15", "min_gap": "60", "same_day": "y", "tolerance": "0", "rotate": "y", "source": "member_states",
        "confirmed": "yes",
        "csrf_token": _csrf(page.text)}, allow_redirects=False, timeout=30)
    assert response.status_code == 303, response.text
    move_request_id = response.headers["X-Request-ID"]
    moved = requests.get(f"{web.base}/api/v1/meetings", timeout=10).json()[0]["sessions"][0]
    assert date.fromisoformat(moved["start_utc"][:10]) == day
    updates = _wait(lambda: [m for m in _to(smtp, "first@example.org") if "SEQUENCE:2" in _ics(m)], 30,
                    "the update e-mail")
    assert len(updates) == 1

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT request_id FROM outbox WHERE topic = 'registration.verify'")) \
                == "register-first-0001"
            audited = conn.scalars(sa.text("SELECT request_id FROM audit_log WHERE action = 'session.rescheduled'"))
            assert set(audited) == {move_request_id}
            moved_rows = conn.scalars(sa.text(
                "SELECT request_id FROM outbox WHERE topic = 'registration.session_changed'"))
            assert set(moved_rows) == {move_request_id}  # written by the scheduler's background task

        # A burst while the scheduler is stopped, then a kill in the middle of delivering it.
        web.stop_scheduler()
        for index in range(BURST):
            response = http.post(f"{web.base}/api/v1/meetings/{meeting['id']}/registrations",
                                 json=registration_payload(session_a["id"], f"burst{index}@example.org"), timeout=10)
            assert response.status_code == 201, response.text
        burst = {f"burst{index}@example.org" for index in range(BURST)}

        def arrived() -> int:
            with smtp.lock:
                return sum(1 for m in smtp.messages if burst & set(m.rcpt_tos))

        smtp.delay = 0.1
        web.start_scheduler()
        _wait(lambda: arrived() >= 8, 60, "the first messages of the batch")
        web.stop_scheduler(signal.SIGKILL)
        at_kill = arrived()
        assert at_kill < BURST, "the batch was over before the kill"
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE status = 'sending'")) > 0
        smtp.delay = 0.0
        web.start_scheduler()
        _wait(lambda: arrived() >= BURST, 60, "every message of the batch after the restart", interval=0.2)

        def all_sent() -> bool:
            with engine.connect() as conn:
                return conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE status <> 'sent'")) == 0

        _wait(all_sent, 30, "every outbox row to be marked sent", interval=0.2)
        with engine.connect() as conn:
            keys = list(conn.scalars(sa.text("SELECT key FROM outbox")))
    finally:
        engine.dispose()

    # Every row arrived under its own Message-ID, nothing else arrived. A second copy can only be a message
    # accepted by SMTP whose outcome was not yet written at the kill: outcomes are written in groups
    # (meetings.outbox.delivery.Outcomes), so at most one group plus the message in flight, each copy
    # carrying the same Message-ID.
    ids = Counter(smtp.message_ids())
    assert len(ids) == len(keys) == BURST + 3  # first@: the link, the invite once verified, the update
    assert sum(ids.values()) - len(ids) <= RECORD_EVERY + 1, ids.most_common(3)
    assert max(ids.values()) <= 2, ids.most_common(3)
    for address in burst:
        assert len({m.parsed()["Message-ID"] for m in _to(smtp, address)}) == 1

    # The scheduler logged its job runs; gunicorn logged requests as JSON lines with their ids.
    logs = web.logs()
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == "register-first-0001" and line.get("status") == 201 for line in lines)
    assert any(line.get("job") == "deliver-email" and line.get("outcome") == "ok" for line in lines)

    # /metrics adds up both workers and the scheduler processes (PROMETHEUS_MULTIPROC_DIR).
    scrape = requests.get(f"{web.base}/metrics", timeout=10)
    assert scrape.status_code == 200
    text = scrape.text
    assert _metric(text, "acsg_http_requests_total", status="201") >= BURST + 1
    assert _metric(text, "acsg_http_request_duration_seconds_count", method="POST") >= BURST + 1
    assert _metric(text, "acsg_outbox_deliveries_total", channel="email", outcome="sent") >= BURST + 3
    assert _metric(text, "acsg_scheduler_job_runs_total", job="deliver-email", outcome="ok") >= 2
    assert _metric(text, "acsg_scheduler_job_duration_seconds_count", job="deliver-email") >= 2
    assert _metric(text, "acsg_scheduler_job_runs_total", job="background-tasks", outcome="ok") >= 1
    assert _metric(text, "acsg_registrations", status="confirmed") == BURST + 1
    assert _metric(text, "acsg_outbox_messages", channel="email") == 0  # nothing pending, sending or failed
    assert _metric(text, "acsg_outbox_oldest_due_age_seconds") == 0
    ready = requests.get(f"{web.base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text


def _text(message) -> str:
    for part in message.parsed().walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    return ""


def _ics(message) -> str:
    for part in message.parsed().walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content()
    return ""
