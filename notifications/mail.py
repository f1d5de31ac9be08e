"""E-mail composition: localized text/HTML bodies with an optional iTIP invite (pure, no I/O, no clock).

Shape with a calendar (RFC 6047 iMIP, as Outlook, Gmail and Apple Mail expect it)::

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8
        text/html; charset=utf-8
        text/calendar; method=REQUEST; charset=UTF-8      <- clients show accept/decline from this part
      application/ics; name=invite.ics (attachment)        <- the same bytes, for clients that need a file
      text/calendar; method=CANCEL; name=cancel-1.ics (attachment, optional, ``more_calendars``)

The optional further calendar objects serve one e-mail that changes two events, such as a move from
session A to session B: the inline part invites to B, the attached cancellation removes A.

(The stdlib header registry writes parameter values quoted, ``method="REQUEST"``, which RFC 2045 allows.)
Without a calendar the message is a bare multipart/alternative (text/plain, text/html): a mixed
wrapper around a single part would only add noise. The ``method=`` of the MIME part is checked against
the METHOD line inside the calendar; a mismatch raises ValueError (clients silently ignore such invites).
Subjects and bodies arrive already translated; this module adds no user-facing text. Non-ASCII
bodies go out quoted-printable, headers as RFC 2047 encoded words, so the wire format is 7-bit clean;
international domains become punycode, non-ASCII local parts are refused (no SMTPUTF8 support).

The delivery worker does not build this tree: :func:`notifications.wire.compose_wire_email` writes the very bytes
``smtplib`` would send for it (same arguments, same checks), several times faster.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache

CALENDAR_METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH"})

# Headers this module owns; callers may not override them through ``headers``.
_MANAGED_HEADERS = frozenset(
    {
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "reply-to", "content-language",
        "auto-submitted", "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
    }
)
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_MESSAGE_ID_RE = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_FOLD_RE = re.compile(r"\r?\n[ \t]")
# Headers whose text repeats from message to message (never a boundary, an address, a date or an id).
_REPEATED = frozenset({"content-type", "content-transfer-encoding", "content-disposition", "mime-version",
                       "content-language", "auto-submitted"})


class _Headers(HeaderRegistry):
    """The stdlib header factory, faster: one class per header kind (the stdlib makes a new class per header),
    and a header already parsed from the same text is reused (headers are immutable strings; most are the same
    in every message: Content-Type of the text parts, transfer encodings, MIME-Version...)."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value):  # type: ignore[no-untyped-def]
        if not (isinstance(value, str) and name.lower() in _REPEATED and "boundary" not in value):
            return self[name](name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            header = self[name](name, value)
            if len(self._parsed) < 1024:
                self._parsed[key] = header
        return header


_POLICY = policy.SMTP.clone(header_factory=_Headers())


def make_message_id(key: str, domain: str) -> str:
    """Return a deterministic ``<sha256-hex@domain>`` Message-ID for an outbox idempotency key."""
    if not isinstance(key, str) or not key:
        raise ValueError("Message-ID key must be a non-empty string")
    if not _DOMAIN_RE.match(domain):
        raise ValueError(f"Message-ID domain is not a valid host name: {domain!r}")
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()}@{domain.lower()}>"


def calendar_method(calendar: bytes) -> str:
    """Return the METHOD of a VCALENDAR (upper case); raise ValueError when absent, repeated or malformed."""
    try:
        text = calendar.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("calendar is not valid UTF-8") from exc
    lines = _FOLD_RE.sub("", text).splitlines()
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise ValueError("calendar does not start with BEGIN:VCALENDAR")
    depth = 0
    methods: list[str] = []
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name = name.split(";", 1)[0].strip().upper()
        if name == "BEGIN":
            depth += 1
        elif name == "END":
            depth -= 1
        elif name == "METHOD" and depth == 1:
            methods.append(value.strip().upper())
    if not methods:
        raise ValueError("calendar has no METHOD line; an e-mailed invite needs one (RFC 6047)")
    if len(methods) > 1:
        raise ValueError(f"calendar has several METHOD lines: {methods}")
    return methods[0]


def compose_email(
    *,
    sender: str | Address,
    to: Iterable[str | Address],
    cc: Iterable[str | Address] = (),
    subject: str,
    text: str,
    html: str,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    message_id: str,
    now: datetime,
    reply_to: str | Address | None = None,
    headers: Mapping[str, str] | None = None,
    language: str = "en",
    attachment_name: str = "invite.ics",
    more_calendars: Iterable[tuple[str, bytes]] = (),
) -> EmailMessage:
    """Build the message described in the module docstring; ``now`` (aware) becomes the Date header."""
    checked = check_email(to=to, cc=cc, subject=subject, calendar=calendar,
                          calendar_method=calendar_method, message_id=message_id, now=now, language=language,
                          more_calendars=more_calendars)
    method, extra, to_list, cc_list = checked.method, checked.more, checked.to, checked.cc

    body = EmailMessage(policy=_POLICY)
    body.make_alternative()
    body.add_alternative(text, subtype="plain", charset="utf-8", cte=_cte(text))
    body.add_alternative(html, subtype="html", charset="utf-8", cte=_cte(html))
    if calendar is None:
        msg = body
    else:
        ics = calendar.decode("utf-8")
        inline = EmailMessage(policy=_POLICY)
        inline.set_content(ics, subtype="calendar", charset="UTF-8", cte=_cte(ics))
        del inline["Content-Type"]
        inline["Content-Type"] = f"text/calendar; method={method}; charset=UTF-8"
        body.attach(inline)
        msg = EmailMessage(policy=_POLICY)
        msg.make_mixed()
        msg.attach(body)
        msg.add_attachment(calendar, maintype="application", subtype="ics", filename=attachment_name,
                           params={"name": attachment_name})
        for number, (extra_method, data) in enumerate(extra, start=1):
            name = f"{extra_method.lower()}-{number}.ics"
            msg.add_attachment(data, maintype="text", subtype="calendar", filename=name,
                               params={"method": extra_method, "name": name})

    _set_address_header(msg, "From", [sender])
    _set_address_header(msg, "To", to_list)
    if cc_list:
        _set_address_header(msg, "Cc", cc_list)
    if reply_to is not None:
        _set_address_header(msg, "Reply-To", [reply_to])
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now.astimezone(UTC))
    msg["Message-ID"] = message_id
    msg["Content-Language"] = language
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        if name.lower() in _MANAGED_HEADERS:
            raise ValueError(f"header {name!r} is set by compose_email and cannot be overridden")
        msg[name] = value
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # only meaningful on the top-level entity (RFC 2045)
    if "MIME-Version" not in msg:
        msg["MIME-Version"] = "1.0"
    return msg


@dataclass(frozen=True)
class CheckedEmail:
    """compose_email's arguments once checked: the calendar's method, the further calendars, the recipients."""

    method: str | None
    more: list[tuple[str, bytes]]
    to: list[str | Address]
    cc: list[str | Address]


def check_email(*, to: Iterable[str | Address], cc: Iterable[str | Address], subject: str,
                calendar: bytes | None, calendar_method: str | None, message_id: str, now: datetime,
                language: str, more_calendars: Iterable[tuple[str, bytes]]) -> CheckedEmail:
    """The checks compose_email makes before building anything (addresses are checked as headers are set)."""
    method = _checked_method(calendar, calendar_method)
    extra = [(_checked_method(data, extra_method), data) for extra_method, data in more_calendars]
    if extra and calendar is None:
        raise ValueError("more_calendars given without a main calendar")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if not _MESSAGE_ID_RE.match(message_id):
        raise ValueError(f"message_id must look like <local@domain>: {message_id!r}")
    if not _LANGUAGE_RE.match(language):
        raise ValueError(f"language is not a language tag: {language!r}")
    if not subject or not subject.strip():
        raise ValueError("subject must not be empty")
    to_list, cc_list = _address_list(to, "to"), _address_list(cc, "cc")
    if not to_list:
        raise ValueError("at least one recipient is required in to")
    return CheckedEmail(method, extra, to_list, cc_list)


def _checked_method(calendar: bytes | None, method: str | None) -> str | None:
    """Return the MIME method for ``calendar``, checked against the file's METHOD line."""
    if calendar is None:
        if method is not None:
            raise ValueError("calendar_method given without a calendar")
        return None
    in_file = calendar_method(calendar)
    wanted = in_file if method is None else method.upper()
    if wanted not in CALENDAR_METHODS:
        raise ValueError(f"calendar method must be one of {sorted(CALENDAR_METHODS)}, got {wanted!r}")
    if wanted != in_file:
        raise ValueError(f"text/calendar method={wanted} differs from the calendar's METHOD:{in_file}")
    return wanted


def _address_list(values: Iterable[str | Address], field: str) -> list[str | Address]:
    """Return ``values`` as a list, refusing a bare string (which would iterate per character)."""
    if isinstance(values, str | Address):
        raise TypeError(f"{field} must be a list of addresses, not a single {type(values).__name__}")
    return list(values)


def _set_address_header(msg: EmailMessage, name: str, values: list[str | Address]) -> None:
    """Set an address header from strings or Address objects, each holding exactly one address."""
    msg[name] = [_parse_address(value, name) for value in values]


def _parse_address(value: str | Address, field: str) -> Address:
    """Return ``value`` as one Address; reject empty, multiple or malformed addresses."""
    return _check_address(value, field, value) if isinstance(value, Address) else _parse_text_address(value, field)


@lru_cache(maxsize=256)  # the sender is the same in every message
def _parse_text_address(value: str, field: str) -> Address:
    return parse_address_header(value, field)[0]


def parse_address_header(value: str, field: str) -> tuple[Address, BaseHeader]:
    """The one address written in ``value``, checked, and the ``field`` header parsed from ``value`` (the header
    ``msg[field] = [address]`` makes, when ``str(address) == value``: it parses that text)."""
    parsed = _POLICY.header_factory(field, value)
    addresses = parsed.addresses
    if parsed.defects or len(addresses) != 1:
        raise ValueError(f"{field} needs exactly one valid address per item, got {value!r}")
    return _check_address(addresses[0], field, value), parsed


def _check_address(address: Address, field: str, value: str | Address) -> Address:
    if not address.username or not address.domain:
        raise ValueError(f"{field} contains an address without local part or domain: {value!r}")
    if not address.username.isascii():
        raise ValueError(f"{field}: non-ASCII local parts need SMTPUTF8, which is not supported: {value!r}")
    if not address.domain.isascii():
        try:
            domain = address.domain.encode("idna").decode("ascii")  # exämple.org -> xn--exmple-cua.org
        except UnicodeError as exc:
            raise ValueError(f"{field} has an invalid international domain: {value!r}") from exc
        address = Address(address.display_name, address.username, domain)
    return address


def _cte(content: str) -> str | None:
    """Return quoted-printable for non-ASCII text (safe through relays without 8BITMIME), else default."""
    return None if content.isascii() else "quoted-printable"
