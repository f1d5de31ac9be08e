"""SMTP transport against a real aiosmtpd on loopback: MIME round trip in fr/es, batching, failures."""

import shutil
import socket
import ssl
import subprocess
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from support.smtp_server import SmtpServer, free_port

from notifications.errors import DeliveryError
from notifications.mail import calendar_method, compose_email, make_message_id
from notifications.smtp import SmtpSettings, SmtpTransport, send_one

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

ICS_REQUEST = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ACSG//Dialogue Platform tests//EN\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:0b5e7a52-3c1d-4f7e-9d1a-7c2f0e6b9a11@acsg.example\r\nDTSTAMP:20250301T093000Z\r\n"
    b"DTSTART:20250415T130000Z\r\nDTEND:20250415T150000Z\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
    b"SUMMARY:Dialogue Platform \xe2\x80\x94 global meeting\r\n"
    b"ORGANIZER;CN=ACSG:mailto:secretariat@acsg.example\r\n"
    b"ATTENDEE;RSVP=FALSE;PARTSTAT=ACCEPTED:mailto:someone@example.org\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)

LETTERS = {
    "fr": dict(
        sender="Secrétariat de la Plateforme de Dialogue <secretariat@acsg.example>",
        to=["Amélie Dupré <amelie@example.org>"],
        subject="Invitation : réunion mondiale — session A (15 avril, 15 h 00 à Genève)",
        text="Bonjour Amélie,\n\nVotre inscription à la réunion mondiale est confirmée. À bientôt !",
        html="<p>Bonjour Amélie,</p><p>Votre inscription à la réunion mondiale est confirmée.</p>",
    ),
    "es": dict(
        sender="Secretaría de la Plataforma de Diálogo <secretariat@acsg.example>",
        to=["José Núñez <jose@example.org>"],
        subject="Invitación: reunión mundial — sesión B (16 de abril, 07:00 en Bogotá)",
        text="Estimado José Núñez:\n\nSu inscripción en la reunión mundial está confirmada. ¡Hasta pronto!",
        html="<p>Estimado José Núñez:</p><p>Su inscripción en la reunión mundial está confirmada.</p>",
    ),
}


@pytest.fixture
def server():
    with SmtpServer() as srv:
        yield srv


def settings_for(srv: SmtpServer, **kwargs) -> SmtpSettings:
    return SmtpSettings(host=srv.host, port=srv.port, security="none", **kwargs)


def message(n: int = 0, **overrides):
    args = dict(
        sender="ACSG <secretariat@acsg.example>", to=[f"user{n}@example.org"], subject=f"Message {n}",
        text=f"Body {n}", html=f"<p>Body {n}</p>", message_id=make_message_id(f"test:{n}", "acsg.example"),
        now=NOW,
    )
    return compose_email(**(args | overrides))


@pytest.mark.parametrize("language", ["fr", "es"])
def test_localized_invite_arrives_with_the_full_mime_tree(server, language):
    letter = LETTERS[language]
    message_id = make_message_id(f"registration:7:{language}", "acsg.example")
    msg = compose_email(**letter, calendar=ICS_REQUEST, calendar_method="REQUEST", message_id=message_id,
                        now=NOW, language=language)
    with SmtpTransport(settings_for(server)) as transport:
        assert transport.send(msg) == {}

    [received] = server.messages
    assert received.rcpt_tos == (letter["to"][0].split("<")[1].rstrip(">"),)
    assert received.mail_from == "secretariat@acsg.example"
    parsed = received.parsed()
    assert parsed["Subject"] == letter["subject"]
    assert parsed["Message-ID"] == message_id
    assert parsed["Content-Language"] == language
    assert parsed["From"].addresses[0].display_name == letter["sender"].split(" <")[0]
    assert parsed["To"].addresses[0].display_name == letter["to"][0].split(" <")[0]
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    plain, html, inline = alternative.iter_parts()
    assert [p.get_content_type() for p in (alternative, plain, html, inline)] == [
        "multipart/alternative", "text/plain", "text/html", "text/calendar"
    ]
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == letter["text"]
    assert html.get_content().rstrip("\r\n") == letter["html"]
    assert inline.get_param("method") == "REQUEST" == calendar_method(attachment.get_content())
    assert inline.get_content_charset() == "utf-8"
    assert "Dialogue Platform — global meeting" in inline.get_content()
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content() == ICS_REQUEST


def test_a_batch_of_fifty_uses_exactly_one_connection(server):
    with SmtpTransport(settings_for(server)) as transport:
        for n in range(50):
            transport.send(message(n))
    assert server.connections == 1
    assert transport.connections_opened == 1
    ids = server.message_ids()
    assert len(ids) == 50 and len(set(ids)) == 50
    assert sorted(ids) == sorted(make_message_id(f"test:{n}", "acsg.example") for n in range(50))


def test_connection_dropped_between_messages_is_reopened_once(server):
    with SmtpTransport(settings_for(server)) as transport:
        transport.send(message(1))
        server.drop_connections()  # like a server-side idle timeout
        transport.send(message(2))
        transport.send(message(3))
    assert transport.connections_opened == 2
    assert server.connections == 2
    assert len(server.message_ids()) == 3


def test_server_down_then_up_fifty_messages_arrive_exactly_once(server):
    due = [message(n) for n in range(50)]
    server.stop()
    with pytest.raises(DeliveryError) as caught:
        SmtpTransport(settings_for(server)).__enter__()  # a batch cannot even start: nothing was sent
    assert caught.value.permanent is False
    failures = []
    transport = SmtpTransport(settings_for(server))
    for msg in due:
        with pytest.raises(DeliveryError) as caught:
            transport.send(msg)
        failures.append(caught.value)
    assert all(not f.permanent for f in failures) and len(failures) == 50

    server.start()
    with transport:
        for msg in due:
            transport.send(msg)
    ids = server.message_ids()
    assert len(ids) == 50 and len(set(ids)) == 50
    assert server.connections == 1


def test_server_restarted_mid_batch_is_a_temporary_error_then_recovers(server):
    with SmtpTransport(settings_for(server)) as transport:
        transport.send(message(1))
        server.stop()
        with pytest.raises(DeliveryError) as caught:
            transport.send(message(2))
        assert caught.value.permanent is False
        server.start()
        transport.send(message(2))
    assert len(server.message_ids()) == 2


def test_nothing_listening_is_temporary():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    with pytest.raises(DeliveryError) as caught:
        send_one(settings, message())
    assert caught.value.permanent is False
    assert "ConnectionRefusedError" in str(caught.value)


def test_silent_server_times_out_as_temporary():
    with socket.socket() as listener:  # accepts TCP (backlog) but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        settings = SmtpSettings(host="127.0.0.1", port=listener.getsockname()[1], timeout=0.3)
        with pytest.raises(DeliveryError) as caught:
            send_one(settings, message())
    assert caught.value.permanent is False


@pytest.mark.parametrize(
    "stage, reply, permanent",
    [
        ("rcpt", "550 5.1.1 No such user here", True),
        ("rcpt", "451 4.7.1 Greylisted, try again later", False),
        ("data", "554 5.7.1 Message rejected as spam", True),
        ("data", "452 4.3.1 Insufficient system storage", False),
    ],
)
def test_rejections_are_classified_by_reply_code(server, stage, reply, permanent):
    setattr(server, f"reject_{stage}", reply)
    with SmtpTransport(settings_for(server)) as transport:
        with pytest.raises(DeliveryError) as caught:
            transport.send(message(1))
        assert caught.value.permanent is permanent
        assert caught.value.code == int(reply[:3])
        assert reply[4:] in str(caught.value)
        setattr(server, f"reject_{stage}", None)
        transport.send(message(2))  # the connection stays usable after a refusal
    assert server.connections == 1
    assert server.message_ids() == [make_message_id("test:2", "acsg.example")]


def test_partly_refused_recipients_are_reported_and_the_rest_delivered(server):
    server.refuse["gone@example.org"] = "550 5.1.1 Mailbox unavailable"
    msg = message(1, to=["user1@example.org"], cc=["gone@example.org"])
    refused = send_one(settings_for(server), msg)
    assert list(refused) == ["gone@example.org"] and refused["gone@example.org"][0] == 550
    assert server.messages[0].rcpt_tos == ("user1@example.org",)


def test_hang_up_after_data_is_not_retried_on_the_same_call(server):
    with SmtpTransport(settings_for(server)) as transport:
        transport.send(message(0))
        server.drop_after_data = True
        with pytest.raises(DeliveryError) as caught:
            transport.send(message(1))  # the server kept it; we cannot know, so no silent resend
        assert caught.value.permanent is False
    assert server.message_ids() == [make_message_id(f"test:{n}", "acsg.example") for n in (0, 1)]
    assert server.connections == 1


# --- TLS: STARTTLS with login, and implicit TLS (self-signed certificate made by openssl) ---

USERS = {"mailer": "s3cret pass"}


def _authenticate(server, smtp_session, envelope, mechanism, auth_data):
    login, password = auth_data.login.decode(), auth_data.password.decode()
    ok = isinstance(auth_data, LoginPassword) and USERS.get(login) == password
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    return server_ctx, client_ctx


def test_starttls_with_login(certificate):
    server_ctx, client_ctx = certificate
    with SmtpServer(tls_context=server_ctx, require_starttls=True, authenticator=_authenticate,
                    auth_required=True) as srv:
        good = SmtpSettings(host=srv.host, port=srv.port, security="starttls", username="mailer",
                            password="s3cret pass")
        with SmtpTransport(good, ssl_context=client_ctx) as transport:
            transport.send(message(1))
            transport.send(message(2))
        assert len(srv.message_ids()) == 2 and srv.connections == 1

        bad = SmtpSettings(host=srv.host, port=srv.port, security="starttls", username="mailer",
                           password="no")
        with pytest.raises(DeliveryError) as caught:
            send_one(bad, message(3), ssl_context=client_ctx)
        assert caught.value.permanent is False and caught.value.code == 535

        untrusted = SmtpSettings(host=srv.host, port=srv.port, security="starttls")
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            send_one(untrusted, message(4))  # default context: the self-signed certificate is refused


def test_implicit_tls(certificate):
    server_ctx, client_ctx = certificate
    with SmtpServer(ssl_context=server_ctx) as srv:
        settings = SmtpSettings(host=srv.host, port=srv.port, security="ssl")
        send_one(settings, message(1), ssl_context=client_ctx)
        assert len(srv.message_ids()) == 1


# --- settings from the environment ---


def test_settings_from_env_with_defaults_and_values():
    assert SmtpSettings.from_env({}) == SmtpSettings(host="localhost", port=25, security="none")
    settings = SmtpSettings.from_env({
        "SMTP_HOST": "smtp.example.org", "SMTP_SECURITY": "STARTTLS", "SMTP_USERNAME": "mailer",
        "SMTP_PASSWORD": " pass word ", "MAIL_FROM": "ACSG <noreply@acsg.example>",
    })
    assert (settings.host, settings.port, settings.security) == ("smtp.example.org", 587, "starttls")
    assert settings.password == " pass word " and settings.mail_from == "ACSG <noreply@acsg.example>"
    assert "pass word" not in repr(settings)
    assert SmtpSettings.from_env({"SMTP_SECURITY": "ssl", "SMTP_PORT": ""}).port == 465
    assert SmtpSettings.from_env({"SMTP_PORT": " 2525 "}).port == 2525


@pytest.mark.parametrize(
    "env, error",
    [
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be an integer"),
        ({"SMTP_PORT": "70000"}, "between 1 and 65535"),
        ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY must be one of none, starttls, ssl"),
        ({"SMTP_USERNAME": "mailer"}, "given together"),
        ({"SMTP_HOST": "smtp.example.org", "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p"}, "unencrypted"),
        ({"MAIL_FROM": "noreply"}, "MAIL_FROM is not an e-mail address"),
        ({"SMTP_HOST": "smtp example"}, "host name"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(env, error):
    with pytest.raises(ValueError, match=error):
        SmtpSettings.from_env(env)


def test_credentials_without_tls_are_allowed_on_loopback_only():
    SmtpSettings(host="127.0.0.1", port=25, username="u", password="p")
    SmtpSettings(host="localhost", port=25, username="u", password="p")
    with pytest.raises(ValueError):
        SmtpSettings(host="10.0.0.1", port=25, username="u", password="p")


def test_international_domain_is_sent_as_punycode(server):
    send_one(settings_for(server), message(1, to=["José <jose@exämple.org>"]))
    [received] = server.messages
    assert received.rcpt_tos == ("jose@xn--exmple-cua.org",)
    assert received.parsed()["To"].addresses[0].display_name == "José"


def test_non_ascii_local_part_without_server_smtputf8_is_permanent():
    msg = EmailMessage(policy=policy.SMTPUTF8)  # compose_email refuses such addresses; a raw message may not
    msg["From"], msg["To"], msg["Subject"] = "secretariat@acsg.example", "josé@example.org", "x"
    msg.set_content("x")
    with SmtpServer(enable_SMTPUTF8=False) as srv:
        with pytest.raises(DeliveryError) as caught:
            send_one(settings_for(srv), msg)
        assert caught.value.permanent is True
        assert srv.messages == []
