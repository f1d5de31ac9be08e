"""Webhooks: JSON events signed with HMAC-SHA256 over the exact body, posted to public addresses only.

The signed body is the authority: it carries ``id`` (the delivery's idempotency id), ``type``,
``created_at`` and ``data``. The ``X-ACSG-*`` headers repeat these for routing, but only the body is
covered by ``X-ACSG-Signature: sha256=<hex>``, so receivers should dedupe on the body's ``id`` and may
refuse events whose ``created_at`` is too old. The outbox stores ``(body, headers)`` without the
secret; ``post_webhook`` signs at send time with the hook's current secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from notifications.errors import DeliveryError

SIGNATURE_PREFIX = "sha256="
USER_AGENT = "ACSG-Dialogue-Platform-Webhooks/1"
_EVENT_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_DELIVERY_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
_URL_SAFE = "/?&=%:@!$'()*+,;~-._"
_STATUS_RE = re.compile(rb"^HTTP/1\.[01] ([1-5][0-9][0-9])(?: |$)")


def sign(body: bytes, secret: str) -> str:
    """Return ``sha256=<hex>``, the HMAC-SHA256 of ``body`` keyed with the UTF-8 ``secret``."""
    if not secret:
        raise ValueError("webhook secret must not be empty")
    return SIGNATURE_PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str | None) -> bool:
    """Return True when ``signature`` is the valid ``sha256=<hex>`` signature of ``body`` (constant time)."""
    if not secret or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(body, secret).encode("ascii"), signature.strip().encode("utf-8"))


def build_webhook_request(
    event_type: str,
    payload: Mapping[str, Any],
    delivery_id: str,
    now: datetime,
    *,
    secret: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """Return ``(body, headers)`` for one event; the signature header is added only when ``secret`` is given.

    The body is compact UTF-8 JSON with sorted keys, so the same event always yields the same bytes.
    Aware datetimes in ``payload`` become ISO 8601 UTC strings, dates ISO dates; naive datetimes are refused.
    """
    if not _EVENT_RE.match(event_type):
        raise ValueError(f"event type must look like 'registration.created', got {event_type!r}")
    if not _DELIVERY_ID_RE.match(delivery_id):
        raise ValueError(f"delivery id must be 1-200 characters of [A-Za-z0-9._:-], got {delivery_id!r}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    envelope = {"id": delivery_id, "type": event_type, "created_at": _iso(now), "data": dict(payload)}
    try:
        body = json.dumps(envelope, sort_keys=True, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"), default=_json_default).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"webhook payload is not JSON-serializable: {exc}") from exc
    headers = {
        "Content-Type": "application/json",
        "X-ACSG-Event": event_type,
        "X-ACSG-Delivery": delivery_id,
        "X-ACSG-Timestamp": str(int(now.timestamp())),
    }
    if secret is not None:
        headers["X-ACSG-Signature"] = sign(body, secret)
    return body, headers


def validate_webhook_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host; raise ValueError otherwise."""
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"webhook URL must be an absolute http:// or https:// URL, got {url!r}")
    if parts.username or parts.password:
        raise ValueError("webhook URL must not contain credentials; use the signing secret instead")
    return url.strip()


@dataclass(frozen=True)
class WebhookLimits:
    """How far a webhook call may go: one total deadline, a response-size cap, the internal hosts allowed."""

    deadline: float = 10.0
    max_response_bytes: int = 64 * 1024
    allowed_hosts: frozenset[str] = frozenset()

    def allows(self, host: str) -> bool:
        """Whether ``host`` was named as an internal receiver (``WEBHOOK_ALLOWED_HOSTS``)."""
        return host.lower().rstrip(".") in self.allowed_hosts


class UnsafeAddress(ValueError):
    """A webhook host that resolves to an address a partner system never has (loopback, private, metadata...)."""


METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "fd00:ec2::254"))


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified, shared and metadata addresses."""
    mapped = getattr(address, "ipv4_mapped", None) or getattr(address, "sixtofour", None)
    if mapped is not None and not is_public_address(mapped):
        return False
    return not (address in METADATA_ADDRESSES or address.is_loopback or address.is_private
                or address.is_link_local or address.is_multicast or address.is_reserved
                or address.is_unspecified or not address.is_global)


def resolve_webhook_host(host: str, port: int, limits: WebhookLimits,
                         resolver: Callable[..., list] = socket.getaddrinfo, timeout: float | None = None) -> list[str]:
    """Every address of ``host``; UnsafeAddress when one of them is not public and the host is not allowed.

    With ``timeout``, a resolver that does not answer in time counts as a deadline exceeded (its thread
    is left to finish on its own).
    """
    outcome: list = []

    def resolve() -> None:
        try:
            outcome.append(resolver(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            outcome.append(exc)

    if timeout is None:
        resolve()
    else:
        worker = threading.Thread(target=resolve, daemon=True, name="webhook-dns")
        worker.start()
        worker.join(max(timeout, 0))
        if not outcome:
            raise DeliveryError("deadline exceeded", False)
    if isinstance(outcome[0], Exception):
        raise DeliveryError("host not found", False) from outcome[0]
    infos = outcome[0]
    addresses = list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))
    if not addresses:
        raise DeliveryError("host not found", False)
    if not limits.allows(host):
        for address in addresses:
            if not is_public_address(ipaddress.ip_address(address)):
                raise UnsafeAddress(f"{host} resolves to a non-public address")
    return addresses


def post_webhook(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    limits: WebhookLimits = WebhookLimits(),
    *,
    resolver: Callable[..., list] = socket.getaddrinfo,
    tls_context: ssl.SSLContext | None = None,
) -> int:
    """POST a signed body; return the 2xx status or raise DeliveryError (permanent: 3xx, 4xx but 408/429).

    The host is resolved once and every address checked (see ``is_public_address``); the connection
    goes to a checked address, with the URL's host in ``Host`` and in TLS SNI and certificate check, so
    a second resolution can never lead elsewhere. Resolution, connect, request, status line and headers
    share one deadline; at most ``max_response_bytes`` are read; redirects are not followed. Error
    messages name a class (``HTTP 503``, ``deadline exceeded``...), never what the receiver wrote.
    """
    try:
        url = validate_webhook_url(url)
    except ValueError as exc:
        raise DeliveryError("invalid address", True) from exc
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    deadline = time.monotonic() + limits.deadline
    try:
        addresses = resolve_webhook_host(parts.hostname, port, limits, resolver, timeout=limits.deadline)
    except UnsafeAddress as exc:
        raise DeliveryError("address not allowed", True) from exc
    target = quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_URL_SAFE)
    host_header = parts.netloc.rpartition("@")[2]
    sent_headers = {"User-Agent": USER_AGENT, **headers, "X-ACSG-Signature": sign(body, secret),
                    "Host": host_header, "Content-Length": str(len(body)), "Connection": "close"}
    request = (f"POST {target} HTTP/1.1\r\n"
               + "".join(f"{name}: {value}\r\n" for name, value in sent_headers.items())
               + "\r\n").encode("latin-1") + body
    current = [_connect(addresses, port, deadline)]
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _abort, (current,))
    watchdog.daemon = True
    watchdog.start()
    try:
        if https:
            context = tls_context or ssl.create_default_context()
            current[0].settimeout(_remaining(deadline))
            current[0] = context.wrap_socket(current[0], server_hostname=parts.hostname)
        status = _exchange(current[0], request, deadline, limits.max_response_bytes)
    except ssl.SSLError as exc:
        raise DeliveryError("TLS failed", False) from exc
    except TimeoutError as exc:
        raise DeliveryError("deadline exceeded", False) from exc
    except OSError as exc:
        if time.monotonic() >= deadline:
            raise DeliveryError("deadline exceeded", False) from exc
        raise DeliveryError("connection failed", False) from exc
    finally:
        watchdog.cancel()
        current[0].close()
    if 200 <= status < 300:
        return status
    permanent = status < 500 and status not in (408, 429)
    raise DeliveryError(f"HTTP {status}", permanent, code=status)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline exceeded")
    return left


def _abort(current: list[socket.socket]) -> None:
    """Unblock whatever the delivering thread waits for on its socket when the deadline passes."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(current[0], socket.SHUT_RDWR)  # the TCP socket, under TLS too


def _connect(addresses: list[str], port: int, deadline: float) -> socket.socket:
    """A TCP connection to the first checked address that answers."""
    last: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=_remaining(deadline))
        except TimeoutError as exc:
            raise DeliveryError("deadline exceeded", False) from exc
        except OSError as exc:
            last = exc
    raise DeliveryError("connection failed", False) from last


def _exchange(sock: socket.socket, request: bytes, deadline: float, cap: int) -> int:
    """Send the request, read the status line and headers, drain at most ``cap`` bytes; return the status."""
    sock.settimeout(_remaining(deadline))
    sock.sendall(request)
    received = bytearray()
    end = -1
    while end < 0:
        if len(received) > cap:
            raise DeliveryError("response too large", False)
        sock.settimeout(_remaining(deadline))
        chunk = sock.recv(min(4096, cap + 1 - len(received)) or 1)
        if not chunk:
            break
        received += chunk
        end = received.find(b"\r\n\r\n", max(0, len(received) - len(chunk) - 3))
    head = bytes(received[:end]) if end >= 0 else None
    match = _STATUS_RE.match(head or b"")
    if match is None:
        if head is None and time.monotonic() >= deadline:
            raise TimeoutError("deadline exceeded")
        raise DeliveryError("invalid HTTP answer", False)
    with contextlib.suppress(OSError, TimeoutError):  # the answer counts; the rest of the body is optional
        read = len(received)
        while read <= cap and time.monotonic() < deadline:
            sock.settimeout(_remaining(deadline))
            chunk = sock.recv(4096)
            if not chunk:
                break
            read += len(chunk)
    return int(match.group(1))


def _iso(moment: datetime) -> str:
    """Return an aware datetime as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_default(value: object) -> str:
    """Serialize aware datetimes and dates; refuse everything else json cannot encode."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError("naive datetime in webhook payload")
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")
