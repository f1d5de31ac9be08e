"""Text written by people is neutralized before it reaches a calendar file or link."""

import pytest

from notifications.textsafety import multi_line, single_line


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Evil\r\nATTENDEE:mailto:x@y", "Evil ATTENDEE:mailto:x@y"),
        ("a\rb\nc", "a b c"),
        ("a\u2028b\u2029c\x85d\x0be\x0cf", "a b c d e f"),
        ("tab\there", "tab here"),
        ("nul\x00bel\x07esc\x1bdel\x7fc1\x9a", "nulbelescdelc1"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("  Réunion mondiale 🌍  ", "Réunion mondiale 🌍"),
    ],
)
def test_single_line(raw: str, expected: str) -> None:
    """Line breaks and tabs become spaces, other controls are removed."""
    assert single_line(raw) == expected


def test_multi_line_keeps_newlines_only() -> None:
    """DESCRIPTION keeps its line structure as LF; every other control is gone."""
    raw = "Heure locale :\r\n10 h\rSí\u2028fin\x00\x1f\x7f\tok\n"
    assert multi_line(raw) == "Heure locale :\n10 h\nSí\nfin ok"


def test_output_is_always_encodable() -> None:
    """Whatever comes in, the result encodes as UTF-8 and holds no C0/C1 control but LF."""
    raw = "".join(chr(c) for c in range(0, 0xA0)) + "\ud800\udfff" + "é"
    for text, allowed in ((single_line(raw), set()), (multi_line(raw), {"\n"})):
        text.encode("utf-8")
        assert not {ch for ch in text if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0} - allowed
