"""The secretariat extends the topic vocabulary: page and CLI, audited, and stored features follow the change."""

from __future__ import annotations

import sqlalchemy as sa
from support.factories import make_account, make_organization
from support.logins import login
from support.pages import csrf_token, post_form
from support.roundtables import advance, proposal_input

from meetings.core import similarity
from meetings.core.audit import AuditEntry
from meetings.core.db import utcnow
from meetings.roundtables import forum_topics
from meetings.roundtables import operations as ops
from meetings.roundtables.models import RegionalForumTopic, Roundtable
from meetings.topic_terms import operations as terms
from meetings.topic_terms.models import TopicTerm

FR_TITLE = "Des guichets uniques dans chaque province"


def _world(app, db):
    """A French proposal and an English regional-forum topic that share no concept and no word piece yet."""
    with app.app_context():  # submitting e-mails the secretariat (absolute links)
        return _make_world(db)


def _make_world(db):
    mexico = make_organization(db)
    ana = make_account(db, "ana@comar.example.org", org=mexico, language="fr")
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    roundtable = ops.create_proposal(db, ana, proposal_input(
        titles={"fr": FR_TITLE}, abstracts={"fr": "Toutes les démarches au même endroit, dans chaque province."}),
        utcnow())
    advance(db, roundtable, sec, "submit")
    topic = forum_topics.add_forum_topic(db, sec, "MIRPS", {"en": "One-stop shops"}, ("americas",), utcnow())
    db.commit()
    return ana, sec, roundtable, topic


def _similar_keys(db, roundtable, viewer):
    return {(s.kind, s.item.id) for s in ops.similar_to_roundtable(db, roundtable, viewer)}


def test_terms_added_on_the_page_are_audited_and_make_translations_meet(app, client, db):
    ana, sec, roundtable, topic = _world(app, db)
    assert ("forum_topic", topic.id) not in _similar_keys(db, roundtable, ana)
    stored_before = roundtable.similarity_vector["v"]
    login(client, "sec@unhcr.example.org")
    for language, term in (("en", "one-stop shop"), ("fr", "guichet unique")):
        response = post_form(client, "/secretariat/vocabulary",
                             {"concept_id": "one_stop_shops", "language": language, "term": term})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
    page = client.get("/secretariat/vocabulary").get_data(as_text=True)
    assert "guichet unique" in page and "one_stop_shops" in page
    entries = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "topic_term.added")
                         .order_by(AuditEntry.id)).all()
    assert [(e.actor_label, e.details["language"], e.details["term"]) for e in entries] == [
        ("sec@unhcr.example.org", "en", "one-stop shop"), ("sec@unhcr.example.org", "fr", "guichet unique")]
    db.expire_all()
    roundtable = db.get(Roundtable, roundtable.id)
    assert roundtable.similarity_vector["v"] != stored_before  # recomputed in the same transaction
    assert "one_stop_shops" in roundtable.similarity_vector["c"]
    assert "one_stop_shops" in db.get(RegionalForumTopic, topic.id).similarity_vector["c"]
    assert ("forum_topic", topic.id) in _similar_keys(db, roundtable, ana)
    login(client, "ana@comar.example.org")
    detail = client.get(f"/roundtables/{roundtable.id}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "One-stop shops" in detail and "Tous deux portent sur : guichet unique" in detail


def test_bad_terms_get_localized_messages_and_nothing_is_written(client, db):
    make_account(db, "sec@unhcr.example.org", role="secretariat")
    login(client, "sec@unhcr.example.org")
    cases = [({"concept_id": "Accueil!", "language": "fr", "term": "accueil"}, 422, "lettres minuscules"),
             ({"concept_id": "reception", "language": "fr", "term": "ACCUEIL"}, 409, "figure déjà"),
             ({"concept_id": "reception", "language": "fr", "term": "de la"}, 422, "porteur de sens"),
             ({"concept_id": "reception", "language": "de", "term": "Aufnahme"}, 422, "")]
    for data, status, text in cases:
        response = post_form(client, "/secretariat/vocabulary", data, headers={"Accept-Language": "fr"})
        assert response.status_code == status, data
        assert text in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(TopicTerm)) == 0
    assert not db.scalar(sa.select(AuditEntry.id).where(AuditEntry.action.like("topic_term.%")))


def test_removing_a_term_is_audited_and_features_follow(app, client, db):
    ana, sec, roundtable, topic = _world(app, db)
    for language, term in (("en", "one-stop shop"), ("fr", "guichet unique")):
        terms.add_term(db, sec, terms.TermInput("one_stop_shops", language, term), utcnow())
    db.commit()
    assert ("forum_topic", topic.id) in _similar_keys(db, roundtable, ana)
    removed_id = db.scalar(sa.select(TopicTerm.id).where(TopicTerm.language == "fr"))
    login(client, "sec@unhcr.example.org")
    page = client.get("/secretariat/vocabulary").get_data(as_text=True)
    response = client.post(f"/secretariat/vocabulary/{removed_id}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "topic_term.removed"))
    assert entry.details == {"concept": "one_stop_shops", "language": "fr", "term": "guichet unique"}
    db.expire_all()
    assert ("forum_topic", topic.id) not in _similar_keys(db, db.get(Roundtable, roundtable.id), ana)
    again = client.post(f"/secretariat/vocabulary/{removed_id}/delete", data={"csrf_token": csrf_token(page)},
                        headers={"Accept-Language": "es"}, follow_redirects=True)
    assert again.status_code == 200 and "Este término no existe." in again.get_data(as_text=True)


def test_cli_imports_a_file_reports_refused_rows_and_refreshes(app, db, tmp_path):
    ana, sec, roundtable, topic = _world(app, db)
    path = tmp_path / "terms.csv"
    path.write_text("concept_id,language,term\none_stop_shops,en,one-stop shop\none_stop_shops,fr,guichet unique\n"
                    "one_stop_shops,fr,Guichet Unique\nreception,xx,acogida\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["topics", "import", str(path), "--language", "fr"])
    assert result.exit_code == 0, result.output
    assert "Termes ajoutés : 2. Refusés : 2." in result.output
    assert "ligne 4 : Ce terme figure déjà" in result.output and "ligne 5 : Choisissez" in result.output
    db.expire_all()
    assert {e.actor_label for e in db.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "topic_term.added"))} == {"cli"}
    assert ("forum_topic", topic.id) in _similar_keys(db, db.get(Roundtable, roundtable.id), ana)
    bad = tmp_path / "bad.csv"
    bad.write_text("concept,term\nx,y\n", encoding="utf-8")
    refused = app.test_cli_runner().invoke(args=["topics", "import", str(bad)])
    assert refused.exit_code != 0 and "concept_id, language and term" in refused.output


def test_vectors_missing_or_of_another_version_are_computed_and_refresh_stores_them(app, db):
    ana, sec, roundtable, topic = _world(app, db)
    twin = ops.create_proposal(db, ana, proposal_input(titles={"fr": FR_TITLE}, abstracts={"fr": "Un autre."}),
                               utcnow())
    with app.app_context():
        advance(db, twin, sec, "submit")
    db.execute(sa.update(Roundtable).values(similarity_vector=None))
    db.execute(sa.update(RegionalForumTopic).values(similarity_vector={"v": "old", "c": {}, "g": ""}))
    db.commit()
    db.expire_all()
    roundtable = db.get(Roundtable, roundtable.id)
    assert ("roundtable", twin.id) in _similar_keys(db, roundtable, ana)  # computed in memory
    assert db.get(Roundtable, twin.id).similarity_vector is None
    result = app.test_cli_runner().invoke(args=["topics", "refresh"])
    assert result.exit_code == 0 and "up to date" in result.output
    db.expire_all()
    version = similarity.version_of(terms.current_matcher(db))
    assert {r.similarity_vector["v"] for r in db.scalars(sa.select(Roundtable))} == {version}
    assert db.get(RegionalForumTopic, topic.id).similarity_vector["v"] == version


def test_editing_a_proposal_recomputes_its_features_only_when_its_texts_change(app, db):
    ana, sec, roundtable, topic = _world(app, db)
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    first = dict(roundtable.similarity_vector)
    ops.update_proposal(db, roundtable, ana, proposal_input(duration_minutes=90), utcnow())
    assert roundtable.similarity_vector == first
    ops.update_proposal(db, roundtable, ana, proposal_input(titles={"en": "Reception conditions for families"}),
                        utcnow())
    assert roundtable.similarity_vector != first and "reception_conditions" in roundtable.similarity_vector["c"]


def test_a_term_change_recomputes_only_the_items_whose_texts_contain_it(app, db):
    ana, sec, roundtable, topic = _world(app, db)
    unrelated = forum_topics.add_forum_topic(db, sec, "Quito Process", {"es": "Naturalización de personas refugiadas"},
                                      ("americas",), utcnow())
    before = {"roundtable": dict(roundtable.similarity_vector), "unrelated": dict(unrelated.similarity_vector)}
    terms.add_term(db, sec, terms.TermInput("one_stop_shops", "en", "one-stop shop"), utcnow())
    version = similarity.version_of(terms.current_matcher(db))
    assert "one_stop_shops" in topic.similarity_vector["c"] and topic.similarity_vector["v"] == version
    for item, old in ((roundtable, before["roundtable"]), (unrelated, before["unrelated"])):
        assert item.similarity_vector == {**old, "v": version}
