"""E-mail composition without a server: MIME tree, method check, headers, Message-ID."""

from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest

from notifications.mail import calendar_method, compose_email, make_message_id

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

ICS_REQUEST = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ACSG//Dialogue Platform tests//EN\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:7f1c2b8e-test@acsg.example\r\nDTSTAMP:20250301T093000Z\r\n"
    b"DTSTART:20250415T130000Z\r\nDTEND:20250415T150000Z\r\nSEQUENCE:0\r\n"
    b"SUMMARY:R\xc3\xa9union mondiale \xe2\x80\x94 session A\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def compose(**overrides):
    args = dict(
        sender="Secrétariat ACSG <secretariat@acsg.example>",
        to=["Amélie Dupré <amelie@example.org>"],
        subject="Invitation : réunion mondiale",
        text="Bonjour Amélie,\nVotre inscription est confirmée.",
        html="<p>Bonjour Amélie,</p><p>Votre inscription est confirmée.</p>",
        calendar=ICS_REQUEST,
        calendar_method="REQUEST",
        message_id=make_message_id("registration:42:confirmed", "acsg.example"),
        now=NOW,
        language="fr",
    )
    return compose_email(**(args | overrides))


def reparse(msg):
    return message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_invite_tree_is_mixed_alternative_plus_attachment():
    msg = reparse(compose())
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain", "text/html", "text/calendar"
    ]
    plain, html, inline = alternative.iter_parts()
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_param("charset") == "UTF-8"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == ICS_REQUEST
    assert calendar_method(attachment.get_content()) == inline.get_param("method")
    assert inline.get_content().replace("\r\n", "\n") == ICS_REQUEST.decode().replace("\r\n", "\n")


def test_headers_date_message_id_language_auto_submitted():
    msg = reparse(compose(reply_to="Équipe <equipe@acsg.example>", cc=["liaison@mission.example"]))
    assert msg["Date"].datetime == NOW
    assert msg["Message-ID"] == make_message_id("registration:42:confirmed", "acsg.example")
    assert msg["Content-Language"] == "fr"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == "Invitation : réunion mondiale"
    assert msg["From"].addresses[0].display_name == "Secrétariat ACSG"
    assert msg["To"].addresses[0].display_name == "Amélie Dupré"
    assert msg["Cc"].addresses[0].addr_spec == "liaison@mission.example"
    assert msg["Reply-To"].addresses[0].display_name == "Équipe"
    assert msg["MIME-Version"] == "1.0"
    assert sum(1 for part in msg.walk() if part["MIME-Version"]) == 1


def test_wire_format_is_seven_bit_with_crlf():
    raw = compose().as_bytes()
    assert raw.isascii()  # encoded words in headers, quoted-printable/base64 bodies
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_date_is_rendered_in_utc_whatever_the_zone_of_now():
    geneva = timezone(timedelta(hours=1))
    msg = compose(now=NOW.astimezone(geneva))
    assert msg["Date"].endswith("+0000")


def test_without_calendar_the_message_is_a_bare_alternative():
    msg = reparse(compose(calendar=None, calendar_method=None))
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg.get_body(("plain",)).get_content().startswith("Bonjour Amélie")


def test_method_mismatch_is_refused():
    with pytest.raises(ValueError, match="method=CANCEL differs"):
        compose(calendar_method="CANCEL")


def test_method_is_taken_from_the_file_when_not_given_and_folded_lines_are_read():
    folded = ICS_REQUEST.replace(b"METHOD:REQUEST", b"METH\r\n OD:CANCEL")
    msg = reparse(compose(calendar=folded, calendar_method=None))
    inline = list(next(msg.iter_parts()).iter_parts())[2]
    assert inline.get_param("method") == "CANCEL"


@pytest.mark.parametrize(
    "calendar, error",
    [
        (ICS_REQUEST.replace(b"METHOD:REQUEST\r\n", b""), "no METHOD"),
        (ICS_REQUEST.replace(b"METHOD:REQUEST", b"METHOD:REQUEST\r\nMETHOD:CANCEL"), "several METHOD"),
        (b"hello", "BEGIN:VCALENDAR"),
        (b"\xff\xfe", "UTF-8"),
        (ICS_REQUEST.replace(b"METHOD:REQUEST", b"METHOD:COUNTER"), "must be one of"),
    ],
)
def test_bad_calendars_are_refused(calendar, error):
    with pytest.raises(ValueError, match=error):
        compose(calendar=calendar, calendar_method=None)


def test_method_line_inside_an_event_is_not_the_calendar_method():
    ics = ICS_REQUEST.replace(b"METHOD:REQUEST\r\n", b"")
    ics = ics.replace(b"SEQUENCE:0", b"SEQUENCE:0\r\nMETHOD:CANCEL")
    with pytest.raises(ValueError, match="no METHOD"):
        calendar_method(ics)


def test_calendar_method_without_calendar_is_refused():
    with pytest.raises(ValueError, match="without a calendar"):
        compose(calendar=None, calendar_method="REQUEST")


@pytest.mark.parametrize(
    "overrides",
    [
        {"to": []},
        {"to": ["not-an-address"]},
        {"to": ["a@example.org, b@example.org"]},
        {"to": ["josé@example.org"]},
        {"sender": "nobody"},
        {"subject": " "},
        {"message_id": "no-brackets@acsg.example"},
        {"language": "fr_FR!"},
        {"now": datetime(2025, 3, 1, 9, 30)},  # noqa: DTZ001
        {"subject": "Hello\r\nBcc: victim@example.org"},
        {"headers": {"Message-ID": "<x@y>"}},
        {"headers": {"X-Tag": "a\nb"}},
    ],
)
def test_invalid_input_raises_value_error(overrides):
    with pytest.raises(ValueError):
        compose(**overrides)


def test_a_single_string_as_recipient_list_is_a_type_error():
    with pytest.raises(TypeError):
        compose(to="amelie@example.org")


def test_extra_headers_are_added():
    msg = compose(headers={"X-ACSG-Outbox": "42", "List-Unsubscribe": "<https://acsg.example/u/42>"})
    assert msg["X-ACSG-Outbox"] == "42"


def test_message_id_is_deterministic_per_key():
    first = make_message_id("registration:42:confirmed", "ACSG.example")
    assert first == make_message_id("registration:42:confirmed", "acsg.example")
    assert first != make_message_id("registration:42:cancelled", "acsg.example")
    assert first.startswith("<") and first.endswith("@acsg.example>")
    assert len(first) == len("<" + "0" * 64 + "@acsg.example>")
    for bad_domain in ("", "a b", "x@y", "-bad.example"):
        with pytest.raises(ValueError):
            make_message_id("k", bad_domain)
    with pytest.raises(ValueError):
        make_message_id("", "acsg.example")


def test_messages_built_one_after_another_share_no_state():
    """Headers parsed once are reused across messages: each message must still say exactly its own things."""
    ics_cancel = ICS_REQUEST.replace(b"METHOD:REQUEST", b"METHOD:CANCEL")
    first = compose()
    second = compose(language="es", to=["Ana <ana@example.org>"], calendar=ics_cancel, calendar_method="CANCEL",
                     text="Hola", html="<p>Hola</p>", message_id=make_message_id("other", "acsg.example"))
    third = compose(calendar=None, calendar_method=None, text="Hello", html="<p>Hello</p>", language="en")
    one, two, three = reparse(first), reparse(second), reparse(third)
    assert (one["Content-Language"], two["Content-Language"], three["Content-Language"]) == ("fr", "es", "en")
    assert one["To"].addresses[0].username == "amelie" and two["To"].addresses[0].username == "ana"
    inline = [p for p in two.walk() if p.get_content_type() == "text/calendar"][0]
    assert inline.get_param("method") == "CANCEL"
    assert [p for p in one.walk() if p.get_content_type() == "text/calendar"][0].get_param("method") == "REQUEST"
    assert three.get_content_type() == "multipart/alternative"
    assert [p.get_content().strip() for p in three.iter_parts()] == ["Hello", "<p>Hello</p>"]
    assert one["Message-ID"] != two["Message-ID"]
    assert one.get_boundary() != two.get_boundary()
