"""Reading .ics files: on the wire (CRLF, lines of at most 75 octets) and with two parsers we do not write."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import vobject
from ical.calendar import Calendar as IcalCalendar
from ical.calendar_stream import IcsCalendarStream


def check_wire_format(data: bytes) -> None:
    """Assert CRLF line endings only, lines of at most 75 octets, each line valid UTF-8."""
    assert isinstance(data, bytes)
    assert data.endswith(b"\r\n")
    for line in data[:-2].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, f"bare CR or LF in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # a multi-byte character split by folding would fail here


def unfold(data: bytes) -> list[str]:
    """Return the logical content lines (RFC 5545 section 3.1 unfolding)."""
    return re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8").split("\r\n")[:-1]


def names(data: bytes) -> list[str]:
    """Return the property name of every logical line (BEGIN and END included)."""
    return [re.split(r"[;:]", line, maxsplit=1)[0] for line in unfold(data)]


def parse_both(data: bytes) -> tuple[IcalCalendar, vobject.base.Component]:
    """Check the wire format, then parse with the strict ical package and with validating vobject."""
    check_wire_format(data)
    text = data.decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(text)
    loose = vobject.readOne(text, validate=True)
    loose.validate()
    return strict, loose


def local_path(url: str) -> str:
    """The path and query of an absolute URL, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def fetch_ics(client, url: str, headers: dict | None = None):
    """GET an .ics route; check the wire format, both parsers and that METHOD matches Content-Type.

    Returns (response, data, strict, loose)."""
    response = client.get(local_path(url), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    content_type = response.headers["Content-Type"]
    assert content_type.startswith("text/calendar; charset=utf-8; method=")
    data = response.data
    strict, loose = parse_both(data)
    assert content_type.rsplit("method=", 1)[1] == strict.method == loose.method.value
    return response, data, strict, loose
