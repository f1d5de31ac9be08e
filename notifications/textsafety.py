"""Neutralize text written by people before it goes into iCalendar files or calendar links.

RFC 5545 forbids control characters in TEXT values, and a raw CR or LF would end the content line,
letting a meeting title inject new properties. These helpers run before icalendar's own escaping
(of backslash, comma, semicolon and newline), so the two layers together keep any input harmless.
"""

from __future__ import annotations

import re

# Line breaks in any spelling: CRLF, CR, LF, VT, FF, NEL, LINE/PARAGRAPH SEPARATOR.
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# Tabs read as spaces; removing them would glue words together.
_TABS = re.compile("\t")
# Remaining C0 controls, DEL, C1 controls and lone surrogates (which cannot be encoded as UTF-8).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x9f\ud800-\udfff]")


def single_line(text: str) -> str:
    """Return text fit for a one-line property: line breaks and tabs become spaces, controls go."""
    text = _LINE_BREAKS.sub(" ", text)
    text = _TABS.sub(" ", text)
    return _CONTROLS.sub("", text).strip()


def multi_line(text: str) -> str:
    """Return text fit for DESCRIPTION: line breaks become LF, tabs spaces, other controls go."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _TABS.sub(" ", text)
    return _CONTROLS.sub("", text).strip("\n")
