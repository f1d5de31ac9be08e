"""E-mails written straight to the bytes SMTP carries: what :func:`notifications.mail.compose_email` builds,
flattened as ``smtplib.SMTP.send_message`` flattens it, without building the message tree (pure, no I/O).

The delivery worker sends thousands of messages of one fixed shape (module docstring of
:mod:`notifications.mail`). Building each as a std-lib ``EmailMessage`` and flattening it cost about 2.5 ms of
CPU per message, nearly all in parsing and re-folding headers that are the same in every message, and in
compiling a regular expression per boundary. :func:`compose_wire_email` writes the same bytes:

* every header that does not change from message to message (the parts' Content-Type, -Transfer-Encoding
  and -Disposition, From, Content-Language...) is folded once by the std-lib itself, then reused;
* headers that do change (To, Cc, Subject, Date, Message-ID) are parsed and folded by the std-lib, except
  the two whose shape is fixed (a boundary, a Message-ID from :func:`~notifications.mail.make_message_id`),
  folded once per shape with the same number of characters of the same kind, then filled in, and address
  headers whose items are plain ``local@domain`` or ``Plain Name <local@domain>`` texts on one line, which
  the std-lib would write unchanged (the rules at ``_PLAIN_ADDRESS``): the one per-message header every message
  has (To, a different recipient each time) is then neither parsed nor folded;
* bodies are encoded by the std-lib's rules (7bit, quoted-printable, base64: the same choice, the same
  lines); quoted-printable line by line as ``quoprimime.body_encode`` writes each line, a line met again
  (most lines of a batch's messages are) taken from a bounded cache; boundaries are drawn from :mod:`random`
  in the order the std-lib generator draws them, and checked against the parts' text the same way.

Messages with extra ``headers`` (none from the delivery worker) are built and flattened by the std-lib:
some header names change what ``send_message`` does (Sender, Resent-*). ``tests/test_mail_wire.py`` checks
the bytes, sender and recipients against ``compose_email`` and ``send_message``'s flattening over generated
inputs (non-ASCII and long subjects and names, long lines, line ends, every calendar shape).
"""

from __future__ import annotations

import binascii
import copy
import io
import random
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import quoprimime
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from functools import lru_cache

from notifications.mail import (
    _POLICY,
    CheckedEmail,
    _parse_address,
    check_email,
    compose_email,
    parse_address_header,
)

_CRLF = "\r\n"
_NLCRE = re.compile(r"\r\n|\r|\n")
_MAX_LINE = _POLICY.max_line_length  # 78
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))  # the std-lib generator's boundary: 15 "=", 19 digits, "=="
_BOUNDARY_FORMAT = "=" * 15 + f"%0{_BOUNDARY_DIGITS}d" + "=="
_DIGIT = re.compile(r"[0-9]")
_PLAIN_MESSAGE_ID = re.compile(r"<([0-9a-f]{64})@([A-Za-z0-9.-]{1,253})>")


@dataclass(frozen=True)
class WireEmail:
    """An e-mail as SMTP carries it: envelope sender and recipients, and the message's bytes (CRLF lines)."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    message_id: str

    def as_bytes(self) -> bytes:
        return self.data


def compose_wire_email(
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
) -> WireEmail:
    """What ``compose_email`` (same arguments, same errors) builds, as ``send_message`` would send it."""
    more_calendars = list(more_calendars)
    checked = check_email(to=to, cc=cc, subject=subject, calendar=calendar,
                          calendar_method=calendar_method, message_id=message_id, now=now, language=language,
                          more_calendars=more_calendars)
    if headers:
        return wire_from_message(compose_email(
            sender=sender, to=checked.to, cc=checked.cc, subject=subject, text=text, html=html,
            calendar=calendar, calendar_method=calendar_method, message_id=message_id, now=now,
            reply_to=reply_to, headers=headers, language=language, attachment_name=attachment_name,
            more_calendars=more_calendars))
    return _write(checked, sender, subject, text, html, calendar, message_id, now, reply_to, language,
                  attachment_name)


def wire_from_message(msg: EmailMessage) -> WireEmail:
    """``msg`` flattened, with its envelope, exactly as ``smtplib.SMTP.send_message`` does it (ASCII addresses)."""
    prefix = "Resent-" if msg.get_all("Resent-Date") else ""
    if prefix and len(msg.get_all("Resent-Date")) > 1:
        raise ValueError("message has more than one 'Resent-' header block")
    sender_header = msg[prefix + "Sender"] if (prefix + "Sender") in msg else msg[prefix + "From"]
    mail_from = getaddresses([sender_header])[0][1]
    fields = [f for f in (msg[prefix + "To"], msg[prefix + "Bcc"], msg[prefix + "Cc"]) if f is not None]
    recipients = tuple(a[1] for a in getaddresses(fields))
    flat = copy.copy(msg)
    del flat["Bcc"]
    del flat["Resent-Bcc"]
    if not "".join([mail_from, *recipients]).isascii():
        raise ValueError("non-ASCII envelope addresses need SMTPUTF8, which is not supported")
    out = io.BytesIO()
    BytesGenerator(out).flatten(flat, linesep=_CRLF)
    return WireEmail(mail_from, recipients, out.getvalue(), msg["Message-ID"])


def _write(checked: CheckedEmail, sender, subject: str, text: str, html: str, calendar: bytes | None,
           message_id: str, now: datetime, reply_to, language: str, attachment_name: str) -> WireEmail:
    plain_part = _text_part("plain", text)
    html_part = _text_part("html", html)
    if calendar is None:
        inner = [plain_part, html_part]
        top_type, boundary = "alternative", _boundary(inner)
        body = _multipart_body(boundary, inner)
    else:
        ics = calendar.decode("utf-8")
        cte, payload = _encode_text(ics, "UTF-8", _cte(ics))
        inner = [plain_part, html_part, _inline_calendar_headers(checked.method, cte) + _wire_lines(payload)]
        alternative_boundary = _boundary(inner)
        outer = [_content_type("alternative", alternative_boundary) + b"\r\n"
                 + _multipart_body(alternative_boundary, inner),
                 _attachment_headers("application", "ics", attachment_name, None) + _base64_lines(calendar)]
        for number, (extra_method, data) in enumerate(checked.more, start=1):
            name = f"{extra_method.lower()}-{number}.ics"
            outer.append(_attachment_headers("text", "calendar", name, extra_method) + _base64_lines(data))
        top_type, boundary = "mixed", _boundary(outer)
        body = _multipart_body(boundary, outer)

    head = [_content_type(top_type, boundary), _from_header(sender)]
    to_text, to_folded, to_specs = _address_header("To", checked.to)
    head.append(to_folded)
    address_fields, specs = [to_text], to_specs
    if checked.cc:
        cc_text, cc_folded, cc_specs = _address_header("Cc", checked.cc)
        head.append(cc_folded)
        address_fields.append(cc_text)
        specs = None if specs is None or cc_specs is None else specs + cc_specs
    if reply_to is not None:
        head.append(_address_header("Reply-To", [reply_to])[1])
    head += [_subject_header(subject), _date_header(format_datetime(now.astimezone(UTC))),
             _message_id_header(message_id), _language_header(language),
             b"Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n\r\n", body]
    if specs is not None:  # plain addresses: what getaddresses reads from them
        recipients = tuple(specs)
    else:
        recipients = tuple(a[1] for a in getaddresses(address_fields))
    mail_from = _envelope_sender(sender)
    if not "".join([mail_from, *recipients]).isascii():
        raise ValueError("non-ASCII envelope addresses need SMTPUTF8, which is not supported")
    return WireEmail(mail_from, recipients, b"".join(head), message_id)


# --- bodies -----------------------------------------------------------------------------------------------


def _cte(content: str) -> str | None:
    """compose_email's choice: quoted-printable for non-ASCII text, else the std-lib's heuristic."""
    return None if content.isascii() else "quoted-printable"


def _text_part(subtype: str, content: str) -> bytes:
    cte, payload = _encode_text(content, "utf-8", _cte(content))
    return _text_headers(subtype, cte) + _wire_lines(payload)


def _encode_text(string: str, charset: str, cte: str | None) -> tuple[str, str]:
    """``email.contentmanager``'s text encoding (policy SMTP: CRLF, 78 characters, 8bit allowed)."""
    lines = string.encode(charset).splitlines()

    def embedded_body(lines: list[bytes]) -> bytes:
        return b"\r\n".join(lines) + b"\r\n"

    def normal_body(lines: list[bytes]) -> bytes:
        return b"\n".join(lines) + b"\n"

    if cte is None:
        if max((len(x) for x in lines), default=0) <= _MAX_LINE:
            try:
                return "7bit", normal_body(lines).decode("ascii")
            except UnicodeDecodeError:
                pass
            return "8bit", normal_body(lines).decode("ascii", "surrogateescape")
        sniff_qp = _quoted_printable(lines[:10])
        if len(sniff_qp) > len(binascii.b2a_base64(embedded_body(lines[:10]))):
            cte = "base64"
        else:
            cte = "quoted-printable"
            if len(lines) <= 10:
                return cte, sniff_qp
    if cte == "quoted-printable":
        return cte, _quoted_printable(lines)
    if cte == "base64":
        return cte, _encode_base64(embedded_body(lines))
    raise ValueError(f"unexpected content transfer encoding {cte!r}")


# quoprimime.body_encode(text, 78) of lines joined by line ends is its lines' encodings joined by "\n", plus a
# last "\n" (the contentmanager always hands it a body ending with a line end): each line is encoded alone
# (its escapes, its soft breaks), so a line repeated from message to message is encoded once (bounded cache).
# The escaped bytes and their escapes, taken from quoprimime itself (a byte between two letters).
_QP_ESCAPES = {byte: quoprimime.body_encode(f"a{chr(byte)}a", _MAX_LINE)[1:-1].encode("ascii")
               for byte in range(256) if byte not in b"\r\n"}
_QP_KEPT = bytes(byte for byte, escape in _QP_ESCAPES.items() if escape == bytes((byte,)))  # printable, tab
_QP_ESCAPES = {byte: escape for byte, escape in _QP_ESCAPES.items() if byte not in _QP_KEPT}
_QP_CACHED_LINE = 1024  # longer lines (rare, hardly ever repeated whole) are encoded without the cache


def _quoted_printable(lines: list[bytes]) -> str:
    """``quoprimime.body_encode(b"\n".join(lines).decode("latin-1") + "\n", 78)`` (lines without line ends)."""
    return "\n".join([_qp_line_cached(line) if len(line) <= _QP_CACHED_LINE else _qp_line(line)
                      for line in lines]) + "\n"


def _qp_line(line: bytes) -> str:
    """One line (no CR, no LF) as ``quoprimime.body_encode(line.decode("latin-1"), 78)`` writes it."""
    escaped = line.translate(None, _QP_KEPT)
    if escaped:
        if b"=" in escaped:  # first: the other escapes bring "=" of their own
            line = line.replace(b"=", b"=3D")
        for byte in set(escaped).difference(b"="):
            line = line.replace(bytes((byte,)), _QP_ESCAPES[byte])
    text = line.decode("ascii")
    if len(text) <= _MAX_LINE and text[-1:] not in (" ", "\t"):
        return text
    # quoprimime.body_encode's folding of one escaped line (maxlinelen 78, eol "\n"): while 79 characters or
    # more are left, a piece of 77 characters goes out with a soft break "=" added, or of 75 (76) when an escape
    # begins right after: its "=" ends the piece as the soft break, and the next piece begins with it again
    pieces = _QP_FOLD.findall(text)
    start = sum(map(len, pieces))
    head = "=\n".join(pieces) + "=\n" if pieces else ""
    if text[-1] not in " \t":
        return head + text[start:]
    room = start - (len(text) - 1 - _MAX_LINE)  # whitespace ending a line is escaped, or kept before a soft break
    if room >= 3:
        return head + text[start:-1] + quoprimime.quote(text[-1])
    if room == 2:
        return head + text[start:] + "=\n"
    return head + text[start:-1] + "=\n" + quoprimime.quote(text[-1])


# One piece of a line folded by quoprimime.body_encode, in the order it tests: 75 characters when an escape
# begins after them, else 76 when one begins after those, else 77; only while 79 or more characters are left.
_QP_FOLD = re.compile(f"(?=.{{{_MAX_LINE + 1}}})"
                      f"(?:.{{{_MAX_LINE - 3}}}(?==)|.{{{_MAX_LINE - 2}}}(?==)|.{{{_MAX_LINE - 1}}})", re.DOTALL)
_qp_line_cached = lru_cache(maxsize=2048)(_qp_line)  # lines that repeat across a batch (salutation, links...)


def _encode_base64(data: bytes) -> str:
    per_line = _MAX_LINE // 4 * 3
    return "".join(binascii.b2a_base64(data[i:i + per_line]).decode("ascii") for i in range(0, len(data), per_line))


def _base64_lines(data: bytes) -> bytes:
    """``_wire_lines(_encode_base64(data))``: lines of 57 bytes are 76 characters, no padding but at the end."""
    encoded = binascii.b2a_base64(data, newline=False)
    if not encoded:
        return b""
    per_line = _MAX_LINE // 4 * 4
    return b"\r\n".join([encoded[i:i + per_line] for i in range(0, len(encoded), per_line)]) + b"\r\n"


def _wire_lines(payload: str) -> bytes:
    """A part's payload as the generator writes it: every line end made CRLF (a last partial line kept)."""
    if not payload:
        return b""
    if "\r" not in payload:
        return payload.replace("\n", _CRLF).encode("ascii", "surrogateescape")
    lines = _NLCRE.split(payload)
    out = _CRLF.join(lines[:-1]) + _CRLF + lines[-1]
    return out.encode("ascii", "surrogateescape")


def _boundary(parts: list[bytes]) -> str:
    """The std-lib generator's boundary for a multipart holding ``parts`` (same random draw, same check)."""
    boundary = _BOUNDARY_FORMAT % random.randrange(sys.maxsize)
    marker = b"--" + boundary.encode("ascii")
    if not any(marker in part for part in parts):  # only then can the generator's line check find it
        return boundary
    text, candidate, counter = b"\r\n".join(parts), boundary, 0
    while re.search(("^--" + re.escape(candidate) + "(--)?$").encode("ascii"), text, re.MULTILINE):
        candidate, counter = f"{boundary}.{counter}", counter + 1
    return candidate


def _multipart_body(boundary: str, parts: list[bytes]) -> bytes:
    dash = b"--" + boundary.encode("ascii")
    return dash + b"\r\n" + (b"\r\n" + dash + b"\r\n").join(parts) + b"\r\n" + dash + b"--\r\n"


# --- headers folded by the std-lib, once per distinct value or shape ---------------------------------------


def _flatten_headers(part: EmailMessage) -> bytes:
    out = io.BytesIO()
    for name, value in part.raw_items():
        out.write(_POLICY.fold_binary(name, value))
    return out.getvalue() + b"\r\n"


@lru_cache(maxsize=16)
def _text_headers(subtype: str, cte: str) -> bytes:
    part = EmailMessage(policy=_POLICY)
    part.set_content("x", subtype=subtype, charset="utf-8", cte=cte)
    del part["MIME-Version"]
    return _flatten_headers(part)


@lru_cache(maxsize=16)
def _inline_calendar_headers(method: str, cte: str) -> bytes:
    part = EmailMessage(policy=_POLICY)
    part.set_content("x", subtype="calendar", charset="UTF-8", cte=cte)
    del part["Content-Type"]
    part["Content-Type"] = f"text/calendar; method={method}; charset=UTF-8"
    del part["MIME-Version"]
    return _flatten_headers(part)


@lru_cache(maxsize=64)
def _attachment_headers(maintype: str, subtype: str, name: str, method: str | None) -> bytes:
    part = EmailMessage(policy=_POLICY)
    params = {"name": name} if method is None else {"method": method, "name": name}
    part.set_content(b"x", maintype=maintype, subtype=subtype, filename=name, disposition="attachment",
                     params=params)
    del part["MIME-Version"]
    return _flatten_headers(part)


def _content_type(subtype: str, boundary: str) -> bytes:
    shape = _DIGIT.sub("0", boundary)
    return _content_type_shape(subtype, shape).replace(shape.encode("ascii"), boundary.encode("ascii"), 1)


@lru_cache(maxsize=16)
def _content_type_shape(subtype: str, shape: str) -> bytes:
    """The folded Content-Type of a multipart whose boundary has this shape (digits as 0)."""
    part = EmailMessage(policy=_POLICY)
    part["Content-Type"] = f"multipart/{subtype}"
    part.set_boundary(shape)
    return _POLICY.fold_binary("Content-Type", part["Content-Type"])


def _fold(name: str, value: object) -> tuple[object, bytes]:
    """The header object ``msg[name] = value`` stores, and its folded bytes (the same checks and errors)."""
    name, header = _POLICY.header_store_parse(name, value)
    return header, _POLICY.fold_binary(name, header)


# An address header whose every item is written as text in one of two plain forms is written as it is: such
# an item is valid (what parse_address_header and _check_address accept), ASCII, its Address prints back as the
# same text (so compose_email's header parses the joined text), and a header line that fits in 78 characters
# is written by the std-lib folder unchanged; getaddresses reads the address itself from each item.
#   local@domain              dot-atoms of letters, digits, "_", "+", "-" (domain: letters, digits, "-")
#   Some Name <local@domain>  words of atext without "=" and "?" (no encoded word), single spaces between
# Anything else (quotes, comments, specials, non-ASCII, Address objects, a line to fold...) goes to the std-lib.
_PLAIN_ADDRESS = re.compile(
    r"(?:(?P<name>[A-Za-z0-9!#$%&'*+/^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/^_`{|}~-]+)*) <)?"
    r"(?P<spec>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r"(?(name)>)")


def _plain_address_header(name: str, values: list) -> tuple[str, bytes, list[str]] | None:
    """The header of plain text addresses (above) as the std-lib writes it, or None when not that simple."""
    specs = []
    for value in values:
        match = _PLAIN_ADDRESS.fullmatch(value) if type(value) is str else None
        if match is None:
            return None
        specs.append(match["spec"])
    text = ", ".join(values)
    line = f"{name}: {text}"
    if not specs or len(line) > _MAX_LINE:
        return None
    return text, (line + _CRLF).encode("ascii"), specs


def _address_header(name: str, values: list) -> tuple[str, bytes, list[str] | None]:
    """The header ``msg[name] = [addresses]`` stores, as text (what getaddresses reads), its folded bytes and,
    for plain addresses, the address of each item (else None); compose_email's checks and errors."""
    plain = _plain_address_header(name, values)
    if plain is not None:
        return plain
    if len(values) == 1 and isinstance(values[0], str):  # one recipient written as text: parse it once
        address, parsed = parse_address_header(values[0], name)
        if str(address) == values[0]:  # the text compose_email's header re-parses: the same header
            return str(parsed), _POLICY.fold_binary(name, parsed), None
    header, folded = _fold(name, [_parse_address(value, name) for value in values])
    return str(header), folded, None


def _from_header(sender: str | Address) -> bytes:
    if isinstance(sender, Address):
        return _address_header("From", [sender])[1]
    return _text_from_header(sender)


@lru_cache(maxsize=64)
def _text_from_header(sender: str) -> bytes:
    return _address_header("From", [sender])[1]


def _envelope_sender(sender: str | Address) -> str:
    if isinstance(sender, Address):
        return getaddresses([_address_header("From", [sender])[0]])[0][1]
    return _text_envelope_sender(sender)


@lru_cache(maxsize=64)
def _text_envelope_sender(sender: str) -> str:
    return getaddresses([_address_header("From", [sender])[0]])[0][1]


@lru_cache(maxsize=512)  # one per subject text: a move's messages share a handful (one per language)
def _subject_header(subject: str) -> bytes:
    return _fold("Subject", subject)[1]


@lru_cache(maxsize=64)  # one per second of sending
def _date_header(date: str) -> bytes:
    return _fold("Date", date)[1]


@lru_cache(maxsize=32)
def _language_header(language: str) -> bytes:
    return _fold("Content-Language", language)[1]


def _message_id_header(message_id: str) -> bytes:
    match = _PLAIN_MESSAGE_ID.fullmatch(message_id)
    if match is None:
        return _fold("Message-ID", message_id)[1]
    shape = "0" * 64
    return _message_id_shape(match.group(2)).replace(shape.encode("ascii"), match.group(1).encode("ascii"), 1)


@lru_cache(maxsize=16)
def _message_id_shape(domain: str) -> bytes:
    """The folded Message-ID ``<64 hex digits@domain>`` (make_message_id's shape), digits as 0."""
    return _fold("Message-ID", f"<{'0' * 64}@{domain}>")[1]
