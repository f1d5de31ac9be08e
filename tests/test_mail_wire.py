"""E-mails written straight to wire bytes (notifications.wire) equal compose_email as smtplib sends it.

The reference is the std-lib itself: ``compose_email`` builds the EmailMessage and ``smtplib.SMTP.send_message``
flattens it and picks the envelope (captured here instead of going to a server). Boundaries are random: both
sides start from the same seed of :mod:`random`, as the generator draws them from it.
"""

import random
import smtplib
import string
from datetime import UTC, datetime, timedelta, timezone
from email import policy, quoprimime
from email.headerregistry import Address
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from notifications import wire
from notifications.mail import compose_email, make_message_id
from notifications.wire import WireEmail, compose_wire_email, wire_from_message

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def ics(method: str, summary: str = "Réunion mondiale — session A", uid: str = "7f1c2b8e@acsg.example") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ACSG//tests//EN", f"METHOD:{method}", "BEGIN:VEVENT",
             f"UID:{uid}", "DTSTAMP:20250301T093000Z", "DTSTART:20250415T130000Z", "SEQUENCE:3",
             f"SUMMARY:{summary}", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


class _Capture(smtplib.SMTP):
    """smtplib's send_message without a server: what it would hand to sendmail."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple] = []

    def ehlo_or_helo_if_needed(self) -> None:
        pass

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):  # noqa: ANN001
        self.sent.append((from_addr, tuple(to_addrs), msg, tuple(mail_options)))
        return {}


def reference(args: dict):
    """(mail_from, recipients, bytes) as smtplib.send_message sends compose_email's message, or the error."""
    try:
        msg = compose_email(**args)
        capture = _Capture()
        capture.send_message(msg)
    except Exception as error:  # noqa: BLE001  (the same error is expected from the wire writer)
        return type(error), str(error)
    (mail_from, recipients, data, options), = capture.sent
    assert options == ()  # never SMTPUTF8: addresses are ASCII (punycode domains, no non-ASCII local parts)
    return mail_from, recipients, data


def written(args: dict):
    try:
        wire = compose_wire_email(**args)
    except Exception as error:  # noqa: BLE001
        return type(error), str(error)
    assert isinstance(wire, WireEmail) and wire.message_id == args["message_id"]
    return wire.mail_from, wire.recipients, wire.data


def assert_same(args: dict, seed: int = 0) -> None:
    random.seed(seed)
    expected = reference(args)
    random.seed(seed)
    assert written(args) == expected


def base(**overrides) -> dict:
    args = dict(
        sender="Secrétariat ACSG <secretariat@acsg.example>", to=["Amélie Dupré <amelie@example.org>"],
        subject="Invitation : réunion mondiale", text="Bonjour Amélie,\nVotre inscription est confirmée.",
        html="<p>Bonjour Amélie,</p>", calendar=ics("REQUEST"), calendar_method="REQUEST",
        message_id=make_message_id("registration:42:confirmed", "acsg.example"), now=NOW, language="fr",
    )
    return args | overrides


@pytest.mark.parametrize("args", [
    base(),
    base(calendar=None, calendar_method=None),
    base(more_calendars=[("CANCEL", ics("CANCEL"))]),
    base(more_calendars=[("CANCEL", ics("CANCEL")), ("REQUEST", ics("REQUEST", "B"))]),
    base(calendar=ics("CANCEL"), calendar_method="CANCEL", text="ascii only", html="<p>ascii</p>"),
    base(calendar=ics("PUBLISH", "ascii summary"), calendar_method=None),
    base(cc=["liaison@mission.example", '"Doe, Jane" <jane@exämple.org>'], reply_to="Équipe <equipe@acsg.example>"),
    base(to=[Address("Zoë \"Z\" Ñandú", "zoe", "example.org")], sender=Address("ACSG", "dialogue", "acsg.example")),
    base(subject="A subject long enough to be folded over more than one line, with accents: é à ü " * 3),
    base(text="x" * 200 + "\r\nshort\rline\n" + "y" * 79, html="a" * 78 + "\n" + "b" * 79),
    base(text="", html="\n"),
    base(headers={"X-Campaign": "move", "Sender": "Other <other@acsg.example>"}),
    base(message_id="<custom.id-1@mail.acsg.example>",
         now=datetime(2025, 7, 1, 23, 59, tzinfo=timezone(timedelta(hours=-7)))),
    base(attachment_name="réunion mondiale — invitation à la session A du dialogue.ics"),
])
def test_wire_bytes_equal_compose_email_as_smtplib_sends_it(args):
    assert_same(args)


def test_a_body_holding_the_boundary_line_gets_the_same_boundary_as_from_the_generator():
    random.seed(7)
    token = random.randrange(2**63 - 1)
    boundary = "=" * 15 + f"{token:019d}" + "=="
    for text in (f"--{boundary}", f"before\n--{boundary}--\nafter", f"--{boundary}\n--{boundary}.0"):
        assert_same(base(text=text), seed=7)
        assert_same(base(text=text, calendar=None, calendar_method=None), seed=7)


@pytest.mark.parametrize("args", [
    base(subject="two\nlines"), base(subject=" "), base(to=["Jo, Bo <jo@example.org>"]), base(to=[]),
    base(to=["josé@example.org"]), base(cc=["not an address"]), base(reply_to="a@b@c"), base(language="fr_FR"),
    base(calendar_method="CANCEL"), base(message_id="no-brackets@x"),
    base(now=datetime(2025, 1, 1)),  # noqa: DTZ001  (naive on purpose)
    base(text="\ud800"), base(headers={"Subject": "again"}),
])
def test_wire_writer_refuses_what_compose_email_refuses(args):
    assert isinstance(reference(args)[0], type) and issubclass(reference(args)[0], Exception)
    assert_same(args)


def test_wire_from_message_is_what_send_message_sends():
    msg = compose_email(**base(cc=["c@example.org"]))
    capture = _Capture()
    random.seed(3)
    capture.send_message(msg)
    msg = compose_email(**base(cc=["c@example.org"]))
    random.seed(3)
    wire = wire_from_message(msg)
    assert capture.sent == [(wire.mail_from, wire.recipients, wire.data, ())]
    assert wire.recipients == ("amelie@example.org", "c@example.org")


# Plain addresses: written as they are, without the std-lib's parser and folder --------------------------------

PLAIN = [
    "bench-0@example.org", "Person 0 <person-0@example.org>", "UPPER_case+tag@Sub-Domain.EXAMPLE.org", "a@b",
    "O'Brien Jean-Luc <jl.obrien+dialogue@mission.example>", "x!#$%&*+/^_`{|}~-y <x_y@a-b.c-d.example>",
    "xn--bcher-kva@xn--bcher-kva.example", "l" * 62 + "@example.org",  # "To: " and 74 characters: 78, one line
]
NOT_PLAIN = [  # valid, but the std-lib writes them: quoted, encoded, re-spaced, folded...
    "Person  0 <p@example.org>", " p@example.org", "p@example.org ", "Dr. Who <who@example.org>",
    '"Quoted" <q@example.org>', "Amélie <a@example.org>", "p@exämple.org", "=?utf-8?q?x?= <p@example.org>",
    "a?b <p@example.org>", "a=b <p@example.org>", "<p@example.org>", "Name <p@example.org> (comment)",
    "l" * 63 + "@example.org", "Person 0 <" + "l" * 52 + "@example.org>", "p@[127.0.0.1]", "Name\t<p@example.org>",
]
REFUSED = [  # the std-lib path refuses them, as compose_email does
    "p@example.org\r\nBcc: x@example.org", "Name <p@example.org>\nX-Injected: 1", "p@", "@example.org",
    "Name <p@example.org", "Name p@example.org>", "a@b@example.org", "p@example.org, q@example.org", "Name <>",
    "p..q@example.org", "", "josé@example.org",
]


@pytest.mark.parametrize("value", PLAIN)
def test_a_plain_address_is_written_as_it_is_and_equals_the_std_lib(value):
    assert wire._plain_address_header("To", [value]) is not None
    assert (wire._plain_address_header("Cc", ["a@b", value]) is None) == (len(value) > 78 - len("Cc: a@b, "))
    assert_same(base(to=[value]))
    assert_same(base(to=[value, "Other Person <other@example.org>"], cc=[value]))
    assert_same(base(to=["first@example.org"], cc=["second@example.org", value], calendar=None, calendar_method=None))
    assert_same(base(sender=value, reply_to=value))


@pytest.mark.parametrize("value", NOT_PLAIN)
def test_an_address_not_that_plain_goes_to_the_std_lib(value):
    assert wire._plain_address_header("To", [value]) is None
    assert wire._plain_address_header("To", ["p@example.org", value]) is None
    assert_same(base(to=[value]))
    assert_same(base(to=["plain@example.org"], cc=[value, "other@example.org"]))


@pytest.mark.parametrize("value", REFUSED)
def test_an_address_refused_by_compose_email_is_refused_the_same_way(value):
    assert wire._plain_address_header("To", [value]) is None
    for args in (base(to=[value]), base(to=["plain@example.org"], cc=["other@example.org", value])):
        expected = reference(args)
        assert isinstance(expected[0], type) and issubclass(expected[0], Exception)
        assert_same(args)


def test_more_plain_recipients_than_fit_on_one_line_are_folded_by_the_std_lib():
    to = [f"person-{n}@example.org" for n in range(3)]  # "To: " and 3 x 21 + 2 x 2: 71 characters
    assert wire._plain_address_header("To", to) is not None
    assert wire._plain_address_header("To", [*to, "p@example.org"]) is None
    assert_same(base(to=to))
    assert_same(base(to=[*to, "p@example.org"]))


# Quoted-printable bodies: encoded line by line, lines met again from a cache --------------------------------

_QP_TEXT = st.text(alphabet=st.sampled_from(list("ab=. \t") + list("é—\x00\x7f\x0c\x85")), max_size=260)
_QP_LINE = st.one_of(_QP_TEXT, st.text(alphabet="ab=", min_size=70, max_size=90),
                     st.text(alphabet="ab=", min_size=148, max_size=170).map(lambda t: t + " "), st.text())


def _qp_reference(lines: list[bytes]) -> str:
    """What the std-lib gets from the contentmanager: the lines joined, ending with a line end."""
    return quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), 78)


@settings(max_examples=1500, deadline=None)
@given(lines=st.lists(_QP_LINE, max_size=5).map(lambda texts: "\n".join(texts).encode("utf-8").splitlines()))
@example(lines=[b"a" * n + b"=" + b"b" * 10 for n in range(72, 80)])  # an escape around the soft break
@example(lines=[b"a" * n + b" " for n in range(74, 82)] + [b"a" * n + b"\t" for n in range(150, 160)])
@example(lines=[b"", b".", b"=", b". leading dot", b"=3D", b"a" * 2000 + b" ", b"\xc3\xa9" * 600])
def test_quoted_printable_line_by_line_equals_quoprimime(lines):
    assert wire._quoted_printable(lines) == _qp_reference(lines)
    assert wire._quoted_printable(lines) == _qp_reference(lines)  # again: the lines from the cache


def test_messages_of_a_batch_sharing_most_lines_equal_the_std_lib():
    """Most lines repeat from message to message, a few are each message's own (name, link with a token)."""
    shared = [
        "Bonjour,", "", "La séance A a été déplacée — voici le nouvel horaire :  ", ". a line beginning with a dot",
        "=a line beginning with an equals sign", "trailing tab\t", "https://calendar.example/render?action=T&text="
        + "S%C3%A9ance%20A&dates=20270317T090000Z%2F20270317T120000Z&details=" + "x=1&y=2&" * 30,
        "é" * 50 + "=" * 3 + "b" * 80, "a" * 76 + " ", "a" * 77 + " ", "b" * 1500 + "=",  # the last one uncached
    ]
    hits = wire._qp_line_cached.cache_info().hits
    rng = random.Random(11)
    for n in range(40):
        token = "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=43))
        lines = [f"Cher participant {n},", *rng.sample(shared, k=len(shared)),
                 f"https://dialogue.example.org/manage/{token}?lang=fr&n={n}", "Le secrétariat — ACSG"]
        end = ("\n", "\r\n", "\r")[n % 3]
        text = end.join(lines) + ("" if n % 2 else end)  # with and without a line end after the last line
        html = "<p>" + "</p>\n<p>".join(lines) + "</p>"
        assert_same(base(to=[f"Participant {n} <p-{n}@example.org>"], text=text, html=html), seed=n)
        assert_same(base(to=[f"p-{n}@example.org"], text=text, html=html, calendar=None, calendar_method=None),
                    seed=n)
    assert wire._qp_line_cached.cache_info().hits > hits + 40 * len(shared)


def test_base64_attachment_lines_are_the_contentmanagers():
    """An attachment's base64 lines: 57 bytes each (76 characters), the last one shorter, CRLF after each."""
    data = bytes(random.Random(5).randrange(256) for _ in range(400))
    for size in [*range(0, 120), 171, 399, 400]:
        msg = EmailMessage(policy=policy.SMTP)
        msg.set_content(data[:size], maintype="application", subtype="ics")
        assert wire._base64_lines(data[:size]) == msg.get_payload().encode("ascii").replace(b"\n", b"\r\n")


# Generated inputs -------------------------------------------------------------------------------------------

_WORDS = st.text(alphabet=st.sampled_from(list(string.ascii_letters + string.digits + " ,.;:'\"()<>@=?!-_/\\")
                                          + list("éàüßçñøæœ—–…’“”«»中文Ωπ€")), min_size=0, max_size=40)
_LINE = st.one_of(_WORDS, st.text(min_size=0, max_size=120), st.text(alphabet="ab ", min_size=60, max_size=200),
                  st.text(alphabet="ab=.\t é", min_size=0, max_size=170))  # escapes at soft breaks, dots, blanks
_BODY = st.lists(_LINE, max_size=14).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda end: end.join(lines)))
_LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True)
_DOMAIN = st.sampled_from(["example.org", "mission.example", "exämple.org", "xn--bcher-kva.example", "a.b.c.example"])


# Near the plain forms (local@domain, Plain Name <local@domain>): mostly plain, sometimes one step away.
_ATOM = st.text(alphabet=string.ascii_letters + string.digits + "_+-", min_size=1, max_size=12)
_ODD = st.sampled_from([".", "..", " ", "  ", "=", "?", "=?", '"', "(", "é", "\t", "'", "~", "@", ",", "<", ""])
_PLAIN_LOCAL = st.lists(_ATOM, min_size=1, max_size=3).map(".".join)
_PLAIN_DOMAIN = st.lists(st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=12),
                         min_size=1, max_size=3).map(".".join)
_PLAIN_WORD = st.text(alphabet=string.ascii_letters + string.digits + "!#$%&'*+/^_`{|}~-", min_size=1, max_size=12)


@st.composite
def _plain_like_address(draw):
    local, domain = draw(_PLAIN_LOCAL), draw(_PLAIN_DOMAIN)
    words = draw(st.lists(_PLAIN_WORD, max_size=5))
    if draw(st.integers(0, 3)) == 0:  # one step away from the plain forms
        where = draw(st.sampled_from(["local", "domain", "name", "start", "end"]))
        odd = draw(_ODD)
        if where == "local":
            local = odd + local if draw(st.booleans()) else local + odd + local
        elif where == "domain":
            domain = domain + odd + domain
        elif where == "name" and words:
            words[-1] += odd
        elif where == "start":
            local = odd + local
            words = [odd + w for w in words[:1]] + words[1:]
        else:
            domain += odd
    address = f"{local}@{domain}"
    return f"{' '.join(words)} <{address}>" if words else address


@st.composite
def _address(draw):
    if draw(st.integers(0, 2)) == 0:
        return draw(_plain_like_address())
    address = f"{draw(_LOCAL)}@{draw(_DOMAIN)}"
    name = draw(st.one_of(st.none(), _WORDS))
    form = draw(st.sampled_from(["text", "quoted", "object"]))
    if name is None:
        return address
    if form == "object":
        return Address(name, *address.split("@"))
    if form == "quoted":
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address}>'
    return f"{name} <{address}>"


@st.composite
def _calendar(draw):
    method = draw(st.sampled_from(["REQUEST", "CANCEL", "PUBLISH"]))
    summary = draw(_WORDS).replace("\r", " ").replace("\n", " ")
    return method, ics(method, summary or "x", uid=f"{draw(_LOCAL)}@acsg.example")


@st.composite
def _arguments(draw):
    calendar = draw(st.one_of(st.none(), _calendar()))
    more = draw(st.lists(_calendar(), max_size=2)) if calendar is not None else []
    zone = timezone(timedelta(minutes=draw(st.integers(-12 * 60, 14 * 60))))
    now = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)))  # noqa: DTZ001
    now = now.replace(tzinfo=zone)
    return dict(
        sender=draw(st.one_of(st.just("ACSG Dialogue Platform <dialogue@acsg.example.org>"), _address())),
        to=draw(st.lists(_address(), min_size=1, max_size=3)),
        cc=draw(st.lists(_address(), max_size=2)),
        reply_to=draw(st.one_of(st.none(), _address())),
        subject=draw(st.one_of(_WORDS.filter(str.strip), st.text(min_size=1, max_size=200))),
        text=draw(_BODY), html=draw(_BODY),
        calendar=None if calendar is None else calendar[1],
        calendar_method=None if calendar is None else draw(st.sampled_from([calendar[0], calendar[0].lower(), None])),
        more_calendars=[(method, data) for method, data in more],
        message_id=draw(st.one_of(
            st.builds(make_message_id, st.text(min_size=1, max_size=30), st.sampled_from(["acsg.example", "x.org"])),
            st.from_regex(r"<[a-z0-9.$-]{1,60}@[a-z0-9.-]{1,40}>", fullmatch=True))),
        now=now, language=draw(st.sampled_from(["en", "fr", "es", "pt-BR"])),
        attachment_name=draw(st.sampled_from(["invite.ics", "réunion.ics", "a long name " * 6 + ".ics"])),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=_arguments(), seed=st.integers(0, 2**32))
@example(args=base(), seed=1)
def test_generated_messages_are_byte_identical(args, seed):
    assert_same(args, seed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(to=st.lists(_plain_like_address(), min_size=1, max_size=3), cc=st.lists(_plain_like_address(), max_size=2),
       seed=st.integers(0, 2**32))
@example(to=["p@example.org"], cc=[], seed=1)
@example(to=["Person 0 <p@example.org>"], cc=["x.y@a-b.example", "O'Neil <o@example.org>"], seed=1)
def test_generated_plain_and_nearly_plain_addresses_are_written_as_the_std_lib_writes_them(to, cc, seed):
    assert_same(base(to=to, cc=cc, calendar=None, calendar_method=None), seed)
