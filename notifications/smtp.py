"""SMTP transport over the standard library: one connection reused for a batch, failures classified.

``SmtpTransport`` is not thread-safe: give each delivery worker its own. A connection that the server
dropped while idle (between two messages) is reopened once, but only while it is certain that the
message was not yet handed over (before the DATA command); after DATA the outcome is unknown and a
temporary ``DeliveryError`` is raised, so the outbox retries and clients dedupe by Message-ID.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType

from notifications.errors import DeliveryError
from notifications.wire import WireEmail

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server; validated on creation."""

    host: str
    port: int
    security: str = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10
    mail_from: str | None = None

    def __post_init__(self) -> None:
        if not self.host or any(c.isspace() for c in self.host):
            raise ValueError(f"SMTP host must be a host name or address, got {self.host!r}")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ValueError(f"SMTP port must be an integer between 1 and 65535, got {self.port!r}")
        if self.security not in SECURITY_MODES:
            modes = ", ".join(SECURITY_MODES)
            raise ValueError(f"SMTP security must be one of {modes}, got {self.security!r}")
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP username and password must be given together")
        if self.username is not None and self.security == "none" and not _is_loopback(self.host):
            raise ValueError("refusing to send the SMTP password unencrypted: use starttls or ssl")
        if not self.timeout or self.timeout <= 0:
            raise ValueError(f"SMTP timeout must be > 0 seconds, got {self.timeout!r}")
        if self.mail_from is not None and "@" not in parseaddr(self.mail_from)[1]:
            raise ValueError(f"MAIL_FROM is not an e-mail address: {self.mail_from!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """Read SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME, SMTP_PASSWORD, MAIL_FROM.

        Defaults: host ``localhost``, security ``none``, port by security (25, 587 or 465).
        Empty values count as unset.
        """

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        security = (get("SMTP_SECURITY") or "none").lower()
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, got {security!r}")
        port_text = get("SMTP_PORT")
        try:
            port = int(port_text) if port_text is not None else DEFAULT_PORTS[security]
        except ValueError:
            raise ValueError(f"SMTP_PORT must be an integer, got {port_text!r}") from None
        password = env.get("SMTP_PASSWORD") or None  # passwords keep their spaces
        return cls(
            host=get("SMTP_HOST") or "localhost",
            port=port,
            security=security,
            username=get("SMTP_USERNAME"),
            password=password,
            mail_from=get("MAIL_FROM"),
        )


class _DataTracking:
    """Mixin remembering whether DATA was started, i.e. whether the message may have been handed over."""

    data_started = False

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.data_started = True
        return super().data(msg)  # type: ignore[misc]


class _SMTP(_DataTracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_DataTracking, smtplib.SMTP_SSL):  # noqa: N801
    pass


class SmtpTransport:
    """Send messages over one SMTP connection; use as a context manager around a batch."""

    def __init__(self, settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context
        self.connections_opened = 0
        self._conn: _SMTP | _SMTP_SSL | None = None

    def __enter__(self) -> SmtpTransport:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect, secure and log in unless already connected; raise a temporary DeliveryError on failure."""
        if self._conn is not None:
            return
        s = self.settings
        context = None if s.security == "none" else self.ssl_context or ssl.create_default_context()
        conn: _SMTP | _SMTP_SSL | None = None
        try:
            if s.security == "ssl":
                conn = _SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                conn = _SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if s.username is not None and s.password is not None:
                conn.login(s.username, s.password)
        except (smtplib.SMTPException, OSError) as exc:
            if conn is not None:
                conn.close()
            # Connection and login problems are not the message's fault: always temporary.
            raise DeliveryError(f"cannot connect to SMTP {s.host}:{s.port}: {_describe(exc)}", False,
                                code=getattr(exc, "smtp_code", None)) from exc
        self._conn = conn
        self.connections_opened += 1

    def close(self) -> None:
        """Say QUIT and close the connection; never raises."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            conn.close()

    def send(self, msg: EmailMessage | WireEmail) -> dict[str, tuple[int, bytes]]:
        """Send one message (a ``WireEmail`` goes as written); return the recipients refused while others were
        accepted (usually empty)."""
        reused = self._conn is not None
        self.open()
        try:
            return self._send_once(msg)
        except _Dropped as dropped:
            if not reused:
                raise _temporary(dropped.cause) from dropped.cause
            log.info("SMTP connection was dropped between messages; reconnecting once")
            self.open()
            try:
                return self._send_once(msg)
            except _Dropped as again:
                raise _temporary(again.cause) from again.cause

    def _send_once(self, msg: EmailMessage | WireEmail) -> dict[str, tuple[int, bytes]]:
        """Send over the current connection; raise _Dropped if it vanished before DATA."""
        conn = self._conn
        assert conn is not None
        conn.data_started = False
        try:
            if isinstance(msg, WireEmail):
                refused = conn.sendmail(msg.mail_from, list(msg.recipients), msg.data)
            else:
                refused = conn.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            # SMTPException subclasses OSError: only socket errors and disconnects mean "connection gone".
            gone = (conn.sock is None or isinstance(exc, smtplib.SMTPServerDisconnected)
                    or not isinstance(exc, smtplib.SMTPException))
            if gone:
                self._discard()
                if not conn.data_started:
                    raise _Dropped(exc) from exc
            raise _classify(exc) from exc
        if refused:
            message_id = msg.message_id if isinstance(msg, WireEmail) else msg.get("Message-ID")
            log.warning("SMTP refused some recipients of %s: %s", message_id, refused)
        return refused

    def _discard(self) -> None:
        """Forget a broken connection without talking to the server."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def send_one(settings: SmtpSettings, msg: EmailMessage | WireEmail, *, ssl_context: ssl.SSLContext | None = None
             ) -> dict[str, tuple[int, bytes]]:
    """Send one message over a connection of its own (simple, but slow for batches)."""
    with SmtpTransport(settings, ssl_context=ssl_context) as transport:
        return transport.send(msg)


class _Dropped(Exception):
    """Internal: the connection was lost before the message was handed over."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _classify(exc: BaseException) -> DeliveryError:
    """Map an smtplib/socket error to a DeliveryError: 5xx replies about this message are permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(500 <= code < 600 for code in codes)  # also True for a message without recipients
        code = max(codes, default=None)
        return DeliveryError(f"all recipients refused: {_describe(exc)}", permanent, code=code)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # e.g. an internationalized address (josé@...) and a server without SMTPUTF8: retrying cannot help.
        return DeliveryError(f"SMTP server cannot carry this message: {_describe(exc)}", True)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        code = exc.smtp_code
        return DeliveryError(f"SMTP refused the message: {_describe(exc)}", 500 <= code < 600, code=code)
    return _temporary(exc)


def _temporary(exc: BaseException) -> DeliveryError:
    """Return a temporary DeliveryError describing ``exc``."""
    code = getattr(exc, "smtp_code", None)
    return DeliveryError(f"SMTP delivery failed: {_describe(exc)}", False, code=code)


def _describe(exc: BaseException) -> str:
    """Return a short, single-line description of an SMTP or socket error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {_text(resp)}" for rcpt, (code, resp) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(value: bytes | str) -> str:
    """Return an SMTP reply text as one line of str."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def _is_loopback(host: str) -> bool:
    """Return True for localhost and loopback addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
