"""Webhooks: JSON events signed with HMAC-SHA256 over the exact body, posted with requests and timeouts.

The signed body is the authority: it carries ``id`` (the delivery's idempotency id), ``type``,
``created_at`` and ``data``. The ``X-ACSG-*`` headers repeat these for routing, but only the body is
covered by ``X-ACSG-Signature: sha256=<hex>``, so receivers should dedupe on the body's ``id`` and may
refuse events whose ``created_at`` is too old. The outbox stores ``(body, headers)`` without the
secret; ``post_webhook`` signs at send time with the hook's current secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from notifications.errors import DeliveryError

SIGNATURE_PREFIX = "sha256="
USER_AGENT = "ACSG-Dialogue-Platform-Webhooks/1"
_EVENT_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_DELIVERY_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


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


def post_webhook(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    session: requests.Session | None = None,
    timeout: float | tuple[float, float] = (3.05, 10),
) -> int:
    """POST a signed body; return the 2xx status or raise DeliveryError (permanent: 3xx, 4xx but 408/429).

    Redirects are not followed (a signed POST must not silently become a GET elsewhere).
    """
    try:
        url = validate_webhook_url(url)
    except ValueError as exc:
        raise DeliveryError(str(exc), True) from exc
    sent_headers = {"User-Agent": USER_AGENT, **headers, "X-ACSG-Signature": sign(body, secret)}
    if session is not None:
        return _post(session, url, body, sent_headers, timeout)
    with requests.Session() as own_session:
        return _post(own_session, url, body, sent_headers, timeout)


def _post(
    http: requests.Session,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float | tuple[float, float],
) -> int:
    """Send the request and classify the outcome (see ``post_webhook``)."""
    try:
        response = http.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False,
                             stream=True)
    except requests.Timeout as exc:
        raise DeliveryError(f"webhook timed out: {type(exc).__name__}: {exc}", False) from exc
    except requests.ConnectionError as exc:
        raise DeliveryError(f"webhook connection failed: {type(exc).__name__}: {exc}", False) from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"webhook request invalid: {type(exc).__name__}: {exc}", True) from exc
    with response:
        status = response.status_code
        if 200 <= status < 300:
            return status
        snippet = _snippet(response)
    permanent = status < 500 and status not in (408, 429)
    raise DeliveryError(f"webhook answered HTTP {status}: {snippet}", permanent, code=status)


def _snippet(response: requests.Response, limit: int = 300) -> str:
    """Return the start of a response body as one line, without reading a large body."""
    try:
        raw = next(response.iter_content(limit), b"")
    except requests.RequestException:
        return response.reason or ""
    text = raw.decode(response.encoding or "utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:limit] or (response.reason or "")


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
