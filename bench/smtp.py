"""Bench: 2,000 invites through one reused SMTP connection vs one connection per message (local aiosmtpd).

The aiosmtpd server runs in a child process so that it does not compete with the sender for the GIL;
both strategies send the same kind of message (a French invite with its .ics, about 2 KB) to the same
server in the same run. Run: .venv/bin/python bench/smtp.py [count]
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.smtp_server import SmtpServer  # noqa: E402

from notifications.mail import compose_email, make_message_id  # noqa: E402
from notifications.smtp import SmtpSettings, SmtpTransport, send_one  # noqa: E402

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ACSG//bench//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    b"UID:bench-0001@acsg.example\r\nDTSTAMP:20250301T093000Z\r\nDTSTART:20250415T130000Z\r\n"
    b"DTEND:20250415T150000Z\r\nSEQUENCE:0\r\nSUMMARY:R\xc3\xa9union mondiale \xe2\x80\x94 session A\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def build(run: str, count: int) -> list:
    """Compose ``count`` French invites with distinct Message-IDs."""
    return [
        compose_email(
            sender="Secrétariat ACSG <secretariat@acsg.example>", to=[f"Participant {n} <p{n}@example.org>"],
            subject=f"Invitation : réunion mondiale — session A ({n})",
            text="Bonjour,\nVotre inscription est confirmée.",
            html="<p>Bonjour,</p><p>Votre inscription est confirmée.</p>",
            calendar=ICS, calendar_method="REQUEST",
            message_id=make_message_id(f"bench:{run}:{n}", "acsg.example"), now=NOW, language="fr",
        )
        for n in range(count)
    ]


class RemoteServer:
    """An SmtpServer in a child process, queried for (messages received, connections accepted)."""

    def __enter__(self) -> RemoteServer:
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.host, self.port = self._pipe.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)

    def stats(self) -> tuple[int, int, float]:
        """Return (messages received, connections accepted, server CPU seconds) so far."""
        self._pipe.send("stats")
        return self._pipe.recv()

    def recipients(self) -> dict[str, int]:
        """Return recipient address -> messages received so far."""
        self._pipe.send("recipients")
        return self._pipe.recv()


def _serve(pipe: Connection) -> None:
    """Child process: run the loopback server and answer stats requests until told to stop."""
    with SmtpServer() as server:
        pipe.send((server.host, server.port))
        while (command := pipe.recv()) in ("stats", "recipients"):
            with server.lock:
                if command == "stats":
                    pipe.send((len(server.messages), server.connections, time.process_time()))
                else:
                    pipe.send(dict(Counter(rcpt for message in server.messages for rcpt in message.rcpt_tos)))


@dataclass
class Tally:
    """Totals for one strategy over all rounds."""

    label: str
    messages: int = 0
    connections: int = 0
    seconds: float = 0.0
    sender_cpu: float = 0.0
    server_cpu: float = 0.0

    def run(self, server: RemoteServer, messages: list, send_all: Callable[[list], None]) -> None:
        """Send ``messages``, check that they all arrived, and add the costs to the totals."""
        received, connections, server_cpu = server.stats()
        started, cpu_started = time.perf_counter(), time.process_time()
        send_all(messages)
        self.seconds += time.perf_counter() - started
        self.sender_cpu += time.process_time() - cpu_started
        now_received, now_connections, now_server_cpu = server.stats()
        assert now_received - received == len(messages), f"{self.label}: messages lost"
        self.messages += len(messages)
        self.connections += now_connections - connections
        self.server_cpu += now_server_cpu - server_cpu

    @property
    def rate(self) -> float:
        """Messages per second, wall clock."""
        return self.messages / self.seconds

    def line(self) -> str:
        """One line of the report."""
        per = 1000 / self.messages
        return (f"{self.label:<30} {self.messages:>5} msgs {self.connections:>5} connections "
                f"{self.seconds:6.2f} s {self.rate:6.0f} msg/s  CPU ms/msg: "
                f"sender {self.sender_cpu * per:.2f}, server {self.server_cpu * per:.2f}")


def main(count: int = 2000, rounds: int = 4) -> None:
    """Run both strategies against the same server, interleaved in rounds so load changes hit both alike."""
    with RemoteServer() as server:
        settings = SmtpSettings(host=server.host, port=server.port, security="none")
        size = len(build("size", 1)[0].as_bytes())
        print(f"local aiosmtpd (child process) on {server.host}:{server.port}, invite of {size} bytes, "
              f"{rounds} interleaved rounds")
        reused, each = Tally("one connection reused (batch)"), Tally("one connection per message")
        transport = SmtpTransport(settings)  # connects on the first send, then serves every round
        try:
            for n in range(rounds):
                chunk = count // rounds + (1 if n < count % rounds else 0)
                reused.run(server, build(f"reused{n}", chunk), lambda ms: [transport.send(m) for m in ms])
                each.run(server, build(f"each{n}", chunk), lambda ms: [send_one(settings, m) for m in ms])
        finally:
            transport.close()
        print(reused.line())
        print(each.line())
        cpu_ratio = (each.sender_cpu + each.server_cpu) / (reused.sender_cpu + reused.server_cpu)
        wall_ratio = reused.rate / each.rate
        print(f"ratio reused / per-message: {wall_ratio:.2f}x wall clock, {cpu_ratio:.2f}x total CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
