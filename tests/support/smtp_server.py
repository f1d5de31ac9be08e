"""A real SMTP server on loopback for tests and benches: aiosmtpd in a thread, collecting messages.

Usage::

    with SmtpServer() as server:           # or server.start() / server.stop(), restartable on the same port
        ...send to 127.0.0.1:server.port...
        server.messages                    # list of ReceivedMessage, in arrival order
        server.connections                 # client connections accepted since the first start()

``reject_rcpt`` / ``reject_data`` make the server answer RCPT or DATA with a given reply
(e.g. ``"550 5.1.1 No such user"``), ``refuse`` does it for single addresses; ``drop_after_data``
stores a message and then hangs up before answering; ``drop_connections()`` closes every open client
connection from the server side, as an idle timeout would; ``delay`` (seconds) slows every DATA
answer. Extra keyword arguments go to aiosmtpd's ``Controller`` (``ssl_context``, ``tls_context``,
``authenticator``, ...).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def parsed(self) -> EmailMessage:
        """Parse the raw bytes with the modern e-mail policy."""
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


class _Handler:
    """aiosmtpd handler that records messages and can refuse RCPT or DATA."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp, smtp_session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.server.refuse.get(address.lower()) or self.server.reject_rcpt
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, smtp_session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.server.reject_data:
            return self.server.reject_data
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        data = envelope.original_content or envelope.content
        assert isinstance(data, bytes)
        received = ReceivedMessage(envelope.mail_from or "", tuple(envelope.rcpt_tos), data)
        with self.server.lock:
            self.server.messages.append(received)
        if self.server.drop_after_data:
            smtp.transport.close()  # accepted, but the client never hears "250"
        return "250 Message accepted for delivery"


class _CountingSMTP(SMTP):
    """aiosmtpd protocol that reports its connections to the SmtpServer."""

    def __init__(self, server: SmtpServer, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._owner = server

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not getattr(self, "_counted", False):  # STARTTLS calls this again on the same connection
            self._counted = True
            self._owner._opened(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._owner._closed(self)
        super().connection_lost(error)


class _Controller(Controller):
    """Controller building counting protocols."""

    def __init__(self, server: SmtpServer, **kwargs) -> None:
        self._owner = server
        super().__init__(_Handler(server), **kwargs)

    def factory(self) -> SMTP:
        return _CountingSMTP(self._owner, self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """Loopback SMTP server (127.0.0.1, free port) that can be stopped and started again."""

    def __init__(self, *, port: int | None = None, **smtp_kwargs) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.smtp_kwargs = smtp_kwargs
        self.messages: list[ReceivedMessage] = []
        self.connections = 0
        self.reject_rcpt: str | None = None
        self.reject_data: str | None = None
        self.refuse: dict[str, str] = {}
        self.drop_after_data = False
        self.delay = 0.0
        self.lock = threading.Lock()
        self._open: set[_CountingSMTP] = set()
        self._controller: _Controller | None = None

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while the server accepts connections."""
        return self._controller is not None

    def start(self) -> None:
        """Start listening on ``self.port``."""
        if self._controller is not None:
            return
        before = self.connections
        controller = _Controller(self, hostname=self.host, port=self.port, **self.smtp_kwargs)
        controller.start()
        with self.lock:
            self.connections = before  # do not count aiosmtpd's own readiness probe
        self._controller = controller

    def stop(self) -> None:
        """Close client connections and stop listening."""
        if self._controller is None:
            return
        self.drop_connections()
        self._controller.stop()
        self._controller = None

    def drop_connections(self) -> None:
        """Close every open client connection from the server side and wait until it is done."""
        controller = self._controller
        if controller is None:
            return

        async def close_all() -> None:
            for protocol in list(self._open):
                if protocol.transport is not None:
                    protocol.transport.close()
            await asyncio.sleep(0.01)

        asyncio.run_coroutine_threadsafe(close_all(), controller.loop).result(timeout=5)

    def message_ids(self) -> list[str]:
        """Return the Message-ID of every received message, in arrival order."""
        with self.lock:
            return [m.parsed()["Message-ID"] for m in self.messages]

    def _opened(self, protocol: _CountingSMTP) -> None:
        with self.lock:
            self.connections += 1
            self._open.add(protocol)

    def _closed(self, protocol: _CountingSMTP) -> None:
        with self.lock:
            self._open.discard(protocol)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
