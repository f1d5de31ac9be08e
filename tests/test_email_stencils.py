"""A fan-out's e-mails are rendered once per shape and filled in per person (meetings.outbox.stencils): every
message is exactly what rendering it alone gives, names and links escaped as autoescaping does, and a template
that does more than print a personal value is caught and rendered per message."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import ChoiceLoader, DictLoader
from support.api import registration_payload
from support.factories import make_meeting
from support.identity import register_verified
from support.mail import composed

from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.core.tasks import run_tasks
from meetings.jobs.definitions import TASK_STEPS
from meetings.models import Registration
from meetings.outbox import stencils
from meetings.outbox.models import OutboxMessage
from meetings.sessions.operations import reschedule_session

NAMES = ["Ana Pérez", "<script>alert(1)</script>", 'O\'Brien & "Sons"', "  many   spaces  ", "李小龙",
         "x" * 200, "Zoë\u00a0N'Diaye", "\ue000p0P\ue001 looks like a placeholder", "a{{ b }}c %(name)s"]


def _cache(app) -> dict:
    return app.extensions.setdefault(stencils.EXTENSION, {})


def _fanout(app, client, db, names, language="fr", zone="America/Bogota"):
    """Registrants with ``names`` in session A; the session moves: one ``session_changed`` row each."""
    meeting = make_meeting(db)
    for number, name in enumerate(names):
        register_verified(client, meeting.id, registration_payload(
            meeting.sessions[0].id, f"p{number}@example.org", name=name, language=language, timezone=zone))
    session = meeting.sessions[0]
    assert reschedule_session(db, session, session.starts_at + timedelta(hours=2), 180, None, utcnow())
    db.commit()
    run_tasks(lambda: dbmod.new_session(app), TASK_STEPS, utcnow)
    rows = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "registration.session_changed")
                      .order_by(OutboxMessage.id)).all()
    assert len(rows) == len(names)
    return rows


def test_each_message_of_a_fanout_is_what_rendering_it_alone_gives(app, app_context, client, db):
    rows = _fanout(app, client, db, NAMES)
    now = utcnow()
    alone = []
    for row in rows:
        _cache(app).clear()  # nothing remembered: rendered directly
        alone.append(composed(db, row, now))
    _cache(app).clear()
    together = [composed(db, row, now) for row in rows]
    assert [type(entry).__name__ for entry in _cache(app).values()] == ["_Stencil"]  # one shape, filled in
    assert together == alone
    registrations = [db.get(Registration, row.registration_id) for row in rows]
    tokens = [registration.manage_token for registration in registrations]
    names = [registration.name for registration in registrations]  # as stored (trimmed)
    for message, name, token in zip(together, names, tokens, strict=True):
        assert name in message.email.text and "<script>" not in message.email.html
        assert token in message.email.text and token in message.email.html  # their own private links only
        assert not any(other in message.email.text for other in tokens if other != token)
    remembered = repr(_cache(app))  # nothing personal is kept between messages
    assert not any(secret in remembered for secret in tokens + ["Ana Pérez", "O'Brien", "李小龙"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in together[1].email.html
    assert "O&#39;Brien &amp; &#34;Sons&#34;" in together[2].email.html


def test_calendar_buttons_are_in_the_recipients_language(app, app_context, client, db):
    rows = _fanout(app, client, db, ["Ana", "Bea"], language="fr")
    for row in rows:
        text = composed(db, row).email.text
        assert "Télécharger l'invitation (.ics)" in text and "Download the invitation" not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_shapes_differ_by_language_and_zone(app, app_context, client, db, language):
    rows = _fanout(app, client, db, ["Ana", "Bea", "Carla"], language=language, zone="Asia/Tokyo")
    texts = [composed(db, row).email.text for row in rows]
    assert all("Asia/Tokyo" in text for text in texts)
    greeting = {"en": "Dear Carla,", "es": "Carla"}[language]
    assert greeting in texts[2] and "Bea" not in texts[2] and "Ana" not in texts[2]


@pytest.fixture()
def probe_templates(app, app_context):
    """Extra e-mail templates for the checks below (the application's templates stay as they are)."""
    templates = {
        "email/probe_plain.subject.txt": "Hello {{ name }}",
        "email/probe_plain.txt": "Dear {{ name }}, {{ _('Session %(label)s', label=label) }}: {{ url }}",
        "email/probe_plain.html": "<p>{{ name }}</p><a href=\"{{ url }}\">{{ label }}</a>",
        "email/probe_upper.subject.txt": "Hello",
        "email/probe_upper.txt": "Dear {{ name|upper }}",
        "email/probe_upper.html": "<p>{{ name }}</p>",
        "email/probe_test.subject.txt": "Hello",
        "email/probe_test.txt": "{% if name|length > 5 %}long{% else %}short{% endif %} {{ name }}",
        "email/probe_test.html": "<p>{{ name }}</p>",
        "email/probe_equal.subject.txt": "Hello",
        "email/probe_equal.txt": "{% if name == 'Bea' %}hi {% endif %}{{ name }}",
        "email/probe_equal.html": "<p>{{ name }}</p>",
    }
    original = app.jinja_loader
    app.jinja_loader = ChoiceLoader([DictLoader(templates), original])
    _cache(app).clear()
    yield
    _cache(app).clear()
    app.jinja_loader = original


def _direct(template, name, url="https://x.example/a?b=1&c=2"):
    return stencils.render_email(template, "fr", name=name, url=url, label="A")


def test_a_template_that_transforms_a_personal_value_is_rendered_per_message(app, probe_templates, caplog):
    names = ["ana", "Bea", "carla"]
    with caplog.at_level(logging.WARNING, logger="meetings.outbox.stencils"):
        sent = [stencils.render_personal_email("probe_upper", "fr", {"name": name}) for name in names]
    assert [email.text for email in sent] == ["Dear ANA", "Dear BEA", "Dear CARLA"]
    assert "probe_upper" in caplog.text and list(_cache(app).values()) == [stencils._DIRECT]


def test_a_template_that_tests_a_personal_value_is_caught(app, probe_templates, caplog):
    names = ["Annabelle", "Bea", "Carlota"]
    with caplog.at_level(logging.WARNING, logger="meetings.outbox.stencils"):
        sent = [stencils.render_personal_email("probe_test", "fr", {"name": name}) for name in names]
    assert [email.text for email in sent] == ["long Annabelle", "short Bea", "long Carlota"]
    assert list(_cache(app).values()) == [stencils._DIRECT]


def test_a_template_that_compares_a_personal_value_is_caught_by_the_message_that_builds_the_stencil(
        app, probe_templates, caplog):
    with caplog.at_level(logging.WARNING, logger="meetings.outbox.stencils"):
        sent = [stencils.render_personal_email("probe_equal", "fr", {"name": name}) for name in ["Ana", "Bea", "Cy"]]
    assert [email.text for email in sent] == ["Ana", "hi Bea", "Cy"]
    assert list(_cache(app).values()) == [stencils._DIRECT]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(min_size=1, max_size=40), min_size=2, max_size=5),
       url=st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), min_size=1, max_size=30))
def test_filled_stencils_equal_direct_rendering(app, probe_templates, names, url):
    _cache(app).clear()
    for name in names:
        assert stencils.render_personal_email("probe_plain", "fr", {"name": name, "url": url},
                                              label="A") == _direct("probe_plain", name, url)
    assert [type(entry).__name__ for entry in _cache(app).values()] == ["_Stencil"]


def test_empty_personal_values_are_rendered_directly(app, probe_templates):
    for name in ["", "Ana", "", "Bea"]:
        assert stencils.render_personal_email("probe_plain", "fr", {"name": name, "url": "u"},
                                              label="A") == _direct("probe_plain", name, "u")


@pytest.mark.parametrize("label", [["A"], object()])
def test_shared_values_must_be_plain(app, probe_templates, label):
    """A model object, say, would let a template print a field the cache key does not hold."""
    with pytest.raises(TypeError):
        stencils.render_personal_email("probe_plain", "fr", {"name": "Ana", "url": "u"}, label=label)
