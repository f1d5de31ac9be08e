"""Proposals through the pages: validation beside fields, duplicate warning, review, history, e-mails, webhooks."""

from __future__ import annotations

import sqlalchemy as sa
from support.factories import make_account, make_organization
from support.logins import login
from support.mail import subject_of, text_of
from support.pages import csrf_token, post_form
from support.roundtables import EN_TITLE, advance, form_data, future, proposal_input

from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.core.vocabulary import LANGUAGES
from meetings.outbox.models import OutboxMessage, Webhook
from meetings.roundtables import forum_topics
from meetings.roundtables import operations as ops
from meetings.roundtables.models import Roundtable, RoundtableChange


def _people(db):
    mexico = make_organization(db)
    germany = make_organization(db, "Bundesamt für Migration und Flüchtlinge", country="DE", region="europe")
    ana = make_account(db, "ana@comar.example.org", org=mexico, language="fr")
    make_account(db, "otto@bamf.example.org", org=germany)
    secretariat = make_account(db, "sec@unhcr.example.org", role="secretariat")
    return ana, secretariat


def test_a_co_convener_saves_a_draft_and_sees_similar_topics(client, db):
    ana, _sec = _people(db)
    forum_topics.add_forum_topic(db, None, "Quito Process",
                                 {"es": "Registro biométrico y gestión de casos en las Américas"},
                                 ("americas",), utcnow())
    db.commit()
    login(client, "ana@comar.example.org")
    response = post_form(client, "/roundtables/new", form_data())
    assert response.status_code == 303
    roundtable = db.scalar(sa.select(Roundtable))
    assert roundtable.status == "draft" and roundtable.organization_id == ana.organization_id
    assert roundtable.workstream.number == 3 and roundtable.regions == ["americas", "europe"]
    assert [(w.starts_on, w.ends_on) for w in roundtable.windows] == [(future(60), future(75))]
    assert roundtable.co_conveners == ["UNHCR", "Comisión Mexicana de Ayuda a Refugiados"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registro biométrico y gestión de casos" in page  # the duplicate warning, before submitting
    assert [c.action for c in roundtable.history] == ["created"]


def test_look_for_similar_topics_writes_nothing(app, client, db):
    ana, sec = _people(db)
    existing = ops.create_proposal(db, ana, proposal_input(), utcnow())
    with app.app_context():  # submitting e-mails the secretariat
        advance(db, existing, sec, "submit")
    login(client, "otto@bamf.example.org")
    response = post_form(client, "/roundtables/new", form_data(
        title_en="", abstract_en="", title_fr="Enregistrement biométrique et gestion numérique des dossiers",
        abstract_fr="Systèmes numériques de gestion des dossiers et enregistrement biométrique.", save=None,
        check="1"))
    assert response.status_code == 200
    assert EN_TITLE in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Roundtable)) == 1


def test_bad_proposals_get_localized_messages_beside_each_field_and_nothing_is_written(client, db):
    _people(db)
    login(client, "ana@comar.example.org")
    response = post_form(client, "/roundtables/new", form_data(
        title_en="Only a title", abstract_en="", regions=["americas"], co_conveners="Comisión Mexicana",
        **{"windows-0-starts_on": future(20).isoformat(), "windows-0-ends_on": future(10).isoformat()}),
        headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "au moins une langue" in html  # title and abstract
    assert "au moins 2 régions" in html
    assert "HCR et au moins une autre" in html
    assert "doit se terminer" in html  # window order
    assert db.scalar(sa.select(sa.func.count()).select_from(Roundtable)) == 0


def test_review_path_with_history_emails_in_the_proposers_language_and_webhooks(app, client, db):
    ana, sec = _people(db)
    db.add(Webhook(url="https://partner.example.org/hook", secret="s" * 32,
                   events=["roundtable.proposed", "roundtable.decided"]))
    db.commit()
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    db.commit()
    login(client, "ana@comar.example.org")
    url = f"/roundtables/{roundtable.id}"
    detail = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    languages = [LANGUAGES[code] for code in roundtable.interpretation_languages]
    assert ", ".join(languages) in detail  # names, never codes
    assert ", ".join(roundtable.interpretation_languages) not in detail
    assert post_form(client, f"{url}/status", {"action": "submit"}, page=url).status_code == 303
    assert client.post("/account/logout", data={"csrf_token": csrf_token(client.get(url).get_data(as_text=True))}
                       ).status_code == 303
    login(client, "sec@unhcr.example.org")
    no_comment = post_form(client, f"{url}/status", {"action": "request_changes"}, page=url)
    assert no_comment.status_code == 422 and "comment" in no_comment.get_data(as_text=True).lower()
    assert post_form(client, f"{url}/status", {"action": "request_changes", "comment": "Add a third region."},
                     page=url).status_code == 303
    # The co-convener edits and submits again; then the secretariat accepts.
    db.expire_all()
    with app.app_context():
        ops.update_proposal(db, roundtable, ana, proposal_input(regions=("americas", "europe", "mena")), utcnow())
        ops.change_status(db, roundtable, ana, "submit", "", utcnow())
        db.commit()
    assert post_form(client, f"{url}/status", {"action": "accept"}, page=url).status_code == 303
    db.expire_all()
    assert roundtable.status == "accepted"
    history = list(db.scalars(sa.select(RoundtableChange).where(RoundtableChange.roundtable_id == roundtable.id)
                              .order_by(RoundtableChange.id)))
    assert [(h.action, h.to_status, h.actor_label) for h in history] == [
        ("created", "draft", "ana@comar.example.org"), ("submit", "submitted", "ana@comar.example.org"),
        ("request_changes", "changes_requested", "sec@unhcr.example.org"),
        ("edited", "changes_requested", "ana@comar.example.org"), ("submit", "submitted", "ana@comar.example.org"),
        ("accept", "accepted", "sec@unhcr.example.org")]
    assert history[2].comment == "Add a third region."
    mails = list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "email")
                            .order_by(OutboxMessage.id)))
    notices = [m for m in mails if m.topic == "roundtable.submitted"]  # one per submission to the secretariat
    assert [m.to_addresses for m in notices] == [["sec@unhcr.example.org"]] * 2
    mails = [m for m in mails if m.topic != "roundtable.submitted"]
    assert [m.topic for m in mails] == ["roundtable.request_changes", "roundtable.accept"]
    assert all(m.to_addresses == ["ana@comar.example.org"] and m.language == "fr" for m in mails)
    assert "Modifications demandées" in subject_of(db, mails[0]) and "Add a third region." in text_of(db, mails[0])
    assert "acceptée" in subject_of(db, mails[1])
    hooks = list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "webhook")
                            .order_by(OutboxMessage.id)))
    assert [h.topic for h in hooks] == ["roundtable.proposed", "roundtable.decided", "roundtable.proposed",
                                        "roundtable.decided"]
    assert hooks[-1].payload["data"]["status"] == "accepted" and "ana@" not in str(hooks[-1].payload)
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                     .where(AuditEntry.subject_type == "roundtable")) == len(history)


def test_transitions_outside_the_table_are_refused_and_change_nothing(client, db):
    ana, sec = _people(db)
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    db.commit()
    url = f"/roundtables/{roundtable.id}"
    login(client, "sec@unhcr.example.org")
    assert post_form(client, f"{url}/status", {"action": "accept"}, page=url).status_code == 409  # still a draft
    assert post_form(client, f"{url}/status", {"action": "submit"}, page=url).status_code == 403  # not theirs
    assert post_form(client, f"{url}/status", {"action": "delete"}, page=url).status_code == 422  # no such action
    db.expire_all()
    assert roundtable.status == "draft" and len(roundtable.history) == 1


def test_another_organizations_co_convener_can_neither_see_nor_act(client, db):
    ana, _sec = _people(db)
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    db.commit()
    login(client, "otto@bamf.example.org")
    assert client.get(f"/roundtables/{roundtable.id}").status_code == 403
    assert client.get(f"/roundtables/{roundtable.id}/edit").status_code == 403
    assert EN_TITLE not in client.get("/roundtables/").get_data(as_text=True)


def test_edit_only_while_draft_or_changes_requested(app, client, db):
    ana, sec = _people(db)
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    with app.app_context():  # submitting e-mails the secretariat
        advance(db, roundtable, sec, "submit")
    login(client, "ana@comar.example.org")
    assert client.get(f"/roundtables/{roundtable.id}/edit").status_code == 409
    response = post_form(client, f"/roundtables/{roundtable.id}/edit", form_data(title_en="Changed"),
                         page=f"/roundtables/{roundtable.id}")
    assert response.status_code == 409
    db.expire_all()
    assert roundtable.title_en == EN_TITLE


def test_texts_fall_back_to_the_language_written(client, db):
    ana, _sec = _people(db)
    roundtable = ops.create_proposal(db, ana, proposal_input(
        titles={"es": "Registro biométrico"}, abstracts={"es": "Resumen en español."}), utcnow())
    db.commit()
    login(client, "ana@comar.example.org")
    page = client.get(f"/roundtables/{roundtable.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Registro biométrico</h1>" in page
    assert roundtable.title("fr") == "Registro biométrico" and roundtable.languages_written() == ["es"]
