"""The duplicate finder on hand-built cases: across languages when words are related, silent otherwise."""

from __future__ import annotations

import json

from meetings.core.similarity import THRESHOLD, Item, Vector, find_similar, fold, item_vector, rank, words

EN_BIOMETRIC = Item("en-biometric", ("Biometric registration and digital case management in asylum procedures",),
                    ("How national authorities use biometric registration and digital case-management systems "
                     "to make asylum procedures faster and fairer.",))
CLIMATE = Item("climate", ("Climate-related displacement and planned relocation in Pacific island States",),
               ("Sharing experience on disaster displacement, planned relocation and humanitarian visas after "
                "cyclones and sea-level rise.",))
QUALITY = Item("quality", ("Quality assurance of first-instance asylum decisions",),
               ("Peer review, audits and quality units in refugee status determination.",))
FORUM_ES = Item("forum-es", ("Registro biométrico y gestión de casos en las Américas",))
EMPLOYMENT = Item("employment", ("Integración local y acceso al empleo de personas refugiadas",))
CANDIDATES = [EN_BIOMETRIC, CLIMATE, QUALITY, FORUM_ES, EMPLOYMENT]

FR_PROPOSAL = Item("fr", ("Enregistrement biométrique et gestion numérique des dossiers d'asile",),
                   ("Comment les autorités nationales utilisent l'enregistrement biométrique et les systèmes "
                    "numériques de gestion des dossiers pour accélérer les procédures d'asile.",))


def test_folding_and_stop_words():
    assert fold("Réfugiés ÉTRANGERS") == "refugies etrangers"
    assert words("The asylum capacity of the Américas and de los países") == ["americas", "paises"]


def test_a_french_proposal_finds_the_english_roundtable_and_the_spanish_forum_topic():
    keys = [m.key for m in find_similar(FR_PROPOSAL, CANDIDATES)]
    assert set(keys[:2]) == {"en-biometric", "forum-es"}
    assert "climate" not in keys and "quality" not in keys and "employment" not in keys


def test_a_clearly_different_topic_is_not_flagged():
    proposal = Item("pacific", ("Reception conditions for people rescued at sea",),
                    ("Disembarkation, screening and reception capacity after rescue operations.",))
    assert find_similar(proposal, [EN_BIOMETRIC, QUALITY, FORUM_ES, EMPLOYMENT]) == []


def test_scores_are_ordered_bounded_and_identical_texts_score_one():
    matches = find_similar(EN_BIOMETRIC, [EN_BIOMETRIC, FORUM_ES, CLIMATE], threshold=0)
    assert matches[0].key == "en-biometric" and matches[0].score == 1.0
    assert all(0 <= m.score <= 1 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert 0 < THRESHOLD < 1


def test_only_shared_domain_words_are_not_similarity():
    left = Item("a", ("Asylum capacity roundtable for refugees",), ())
    right = Item("b", ("Dialogue technique sur la capacité d'asile des réfugiés",), ())
    assert find_similar(left, [right]) == []


def test_every_language_of_an_item_counts():
    spanish_only = Item("q", ("Evaluación de la calidad de las decisiones de primera instancia",))
    trilingual = Item("t", ("Quality assurance of first-instance decisions",
                            "Assurance qualité des décisions de première instance",
                            "Garantía de calidad de las decisiones de primera instancia"))
    english_only = Item("e", ("Quality assurance of first-instance decisions",))
    scores = {m.key: m.score for m in find_similar(spanish_only, [trilingual, english_only], threshold=0)}
    assert scores["t"] > scores["e"]
    assert scores["t"] >= THRESHOLD


def test_translations_without_shared_letters_meet_on_concepts_and_say_why():
    english = Item("en", ("Vulnerability screening at borders",))
    french = Item("fr", ("Repérage des vulnérabilités aux frontières",))
    spanish = Item("es", ("Detección de vulnerabilidades en las fronteras",))
    other = Item("other", ("Naturalization of refugees",))
    for query in (french, spanish):
        matches = find_similar(query, [english, other])
        assert [m.key for m in matches] == ["en"]
        assert "vulnerability_screening" in matches[0].shared


def test_near_miss_sharing_one_concept_stays_below_the_threshold():
    children = Item("children", ("Reception of unaccompanied children",))
    adults = Item("adults", ("Reception conditions for single adult men",))
    assert find_similar(children, [adults]) == []


def test_stored_vectors_round_trip_through_json():
    vector = item_vector(EN_BIOMETRIC)
    restored = Vector.from_json(json.loads(json.dumps(vector.to_json())))
    assert restored.version == vector.version and dict(restored.concepts) == dict(vector.concepts)
    assert restored.grams.keys() == vector.grams.keys()
    assert max(abs(restored.grams[k] - vector.grams[k]) for k in vector.grams) < 1e-4
    assert restored.has_titles and restored.title_grams.keys() == vector.title_grams.keys()
    assert Vector.from_json({"c": {}, "g": 3}) is None and Vector.from_json(None) is None
    assert rank(vector, [("same", restored)], threshold=0)[0].score == 1.0


def test_items_without_any_concept_are_compared_on_word_pieces():
    left = Item("a", ("Zanzibar quokka xylophone",))
    right = Item("b", ("Zanzíbar quokkas xylophones",))
    assert item_vector(left).concepts == {}
    assert find_similar(left, [right])[0].score >= THRESHOLD
