"""Bench: 2,000 invites through one reused SMTP connection vs one connection per message (local aiosmtpd).

The aiosmtpd server runs in a child process so that it does not compete with the sender for the GIL;
both strategies send the same kind of message (a French invite with its .ics, about 2 KB) to the same
server in the same run. Run: .venv/bin/python bench/smtp.py [count]
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from smtp_server import SmtpServer  # noqa: E402

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

    def stats(self) -> tuple[int, int]:
        """Return (messages received, connections accepted) so far."""
        self._pipe.send("stats")
        return self._pipe.recv()


def _serve(pipe: Connection) -> None:
    """Child process: run the loopback server and answer stats requests until told to stop."""
    with SmtpServer() as server:
        pipe.send((server.host, server.port))
        while pipe.recv() == "stats":
            with server.lock:
                pipe.send((len(server.messages), server.connections))


def timed(label: str, server: RemoteServer, messages: list, send_all: Callable[[list], None]) -> float:
    """Send ``messages``, check they all arrived on the expected connections, return messages/second."""
    received, connections = server.stats()
    started, cpu_started = time.perf_counter(), time.process_time()
    send_all(messages)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    now_received, now_connections = server.stats()
    arrived, opened = now_received - received, now_connections - connections
    assert arrived == len(messages), f"{label}: {arrived} of {len(messages)} arrived"
    rate = len(messages) / elapsed
    print(f"{label:<30} {len(messages):>5} msgs {opened:>5} connections {elapsed:6.2f} s {rate:6.0f} msg/s"
          f"  (sender CPU {cpu / len(messages) * 1000:.2f} ms/msg)")
    return rate


def main(count: int = 2000) -> None:
    """Run both strategies against the same local server and print the ratio."""
    with RemoteServer() as server:
        settings = SmtpSettings(host=server.host, port=server.port, security="none")

        def reused(messages: list) -> None:
            with SmtpTransport(settings) as transport:
                for msg in messages:
                    transport.send(msg)

        def per_message(messages: list) -> None:
            for msg in messages:
                send_one(settings, msg)

        size = len(build("size", 1)[0].as_bytes())
        print(f"local aiosmtpd on {server.host}:{server.port}, invite size {size} bytes")
        one = timed("one connection reused (batch)", server, build("reused", count), reused)
        each = timed("one connection per message", server, build("each", count), per_message)
        print(f"ratio reused / per-message: {one / each:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
