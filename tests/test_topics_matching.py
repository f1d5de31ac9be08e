"""Texts mapped to asylum-system concepts in English, French and Spanish: accents, plurals, elision, word order."""

from __future__ import annotations

import csv
import io

import pytest

from meetings.topics.matching import BROADER_WEIGHT, ConceptMatcher
from meetings.topics.text import content_words, fold, stem, stems
from meetings.topics.vocabulary import LANGUAGES, ExtraTerm, build_vocabulary, packaged_vocabulary, parse_concepts

MATCHER = ConceptMatcher(packaged_vocabulary())


def found(text: str) -> set[str]:
    return {f.concept_id for f in MATCHER.find(text)}


def test_folding_elision_and_stop_words():
    assert fold("Réfugiés ÉTRANGERS, main-d'Œuvre") == "refugies etrangers, main-d'oeuvre"
    assert content_words("L’accueil d'un enfant et de l'adolescent") == ["accueil", "enfant", "adolescent"]
    assert content_words("Registro de las personas y los niños") == ["registro", "personas", "ninos"]
    assert content_words("The reception of the children") == ["reception", "children"]


@pytest.mark.parametrize("plural, singular", [
    ("procedures", "procedure"), ("authorities", "authority"), ("réfugiés", "réfugié"), ("nationaux", "national"),
    ("détentions", "détention"), ("detenciones", "detención"), ("refugiadas", "refugiado"),
    ("solicitudes", "solicitud"), ("centres", "centre"), ("policies", "policy"),
])
def test_plurals_and_gender_endings_share_a_stem(plural, singular):
    assert stem(fold(plural)) == stem(fold(singular))


def test_words_that_only_look_plural_are_kept():
    assert stem("status") == "status" and stem("analysis") == "analysis" and stem("crisis") == "crisis"


@pytest.mark.parametrize("text", [
    "Unaccompanied children", "unaccompanied child", "UNACCOMPANIED MINORS", "separated and unaccompanied children",
])
def test_english_variants_case_and_plurals(text):
    assert "unaccompanied_children" in found(text)


@pytest.mark.parametrize("text", [
    "Mineurs non accompagnés", "un mineur non accompagné", "MINEURS NON ACCOMPAGNES", "l'enfant non accompagné",
])
def test_french_accents_elision_and_plurals(text):
    assert "unaccompanied_children" in found(text)


@pytest.mark.parametrize("text", [
    "Niñas y niños no acompañados", "niño no acompañado", "NINOS NO ACOMPANADOS", "menores no acompañadas",
])
def test_spanish_accents_gender_and_plurals(text):
    assert "unaccompanied_children" in found(text)


@pytest.mark.parametrize("text", [
    "border procedures", "procedure at the border", "asylum procedures at borders",
    "la procédure à la frontière", "procédures frontalières", "procedimientos fronterizos",
    "procedimiento en frontera",
])
def test_word_order_and_words_between_do_not_matter(text):
    assert "border_procedure" in found(text)


def test_words_far_apart_do_not_make_a_multi_word_term():
    assert "border_procedure" not in found("Procedure for appeals lodged by people who once crossed a border")


def test_a_longer_term_wins_over_the_shorter_term_inside_it():
    assert found("L'enregistrement vidéo") == {"interview_recording"}
    assert "registration" not in found("L'enregistrement vidéo des entretiens")
    assert "registration" in found("L'enregistrement des nouveaux arrivants")


def test_safe_is_not_the_french_word_on():
    assert "safe_country" in found("Listes de pays d'origine sûrs") and "safe_country" in found("un pays sûr")
    assert "safe_country" not in found("Informations sur les pays d'origine")


def test_the_same_topic_in_three_languages_gives_the_same_concepts():
    texts = ["Alternatives to immigration detention for families with children",
             "Les alternatives à la rétention des familles avec enfants",
             "Alternativas a la detención de familias con niños"]
    concepts = [found(text) for text in texts]
    assert all({"alternatives_to_detention", "families"} <= c for c in concepts), concepts


def test_broader_concepts_count_at_a_lower_weight():
    counts = MATCHER.concepts("Tutelle des mineurs non accompagnés")
    assert counts["guardianship"] == 1 and counts["unaccompanied_children"] == 1 + BROADER_WEIGHT
    assert counts["children"] == pytest.approx(BROADER_WEIGHT + BROADER_WEIGHT / 2)


def test_labels_in_each_language_with_fallback():
    vocabulary = packaged_vocabulary()
    assert vocabulary.label("reception_conditions", "en") == "reception conditions"
    assert vocabulary.label("reception_conditions", "fr") == "conditions d'accueil"
    assert vocabulary.label("reception_conditions", "es") == "condiciones de acogida"
    assert vocabulary.label("no_such_concept", "fr") == "no_such_concept"


def test_the_vocabulary_file_is_complete_and_consistent():
    vocabulary = packaged_vocabulary()
    assert len(vocabulary.concepts) >= 250
    for concept in vocabulary.concepts.values():
        assert all(concept.terms[code] for code in LANGUAGES), concept.id
        assert not concept.broader or concept.broader in vocabulary.concepts, concept.id
        for code in LANGUAGES:
            for term in concept.terms[code]:
                assert stems(term), (concept.id, term)  # no term made only of stop words


def test_added_terms_extend_a_concept_or_start_one_and_change_the_fingerprint():
    base = packaged_vocabulary()
    extended = build_vocabulary([ExtraTerm("reception", "fr", "mise à l'abri"),
                                 ExtraTerm("climate_mobility", "es", "movilidad climática")])
    assert extended.fingerprint != base.fingerprint
    assert "mise à l'abri" in extended.concepts["reception"].terms["fr"]
    assert extended.label("climate_mobility", "en") == "movilidad climática"  # a new concept: its only term
    matcher = ConceptMatcher(extended)
    assert "reception" in {f.concept_id for f in matcher.find("La mise à l'abri des familles")}
    assert "reception" not in found("La mise à l'abri des familles")
    assert build_vocabulary([ExtraTerm("reception", "fr", "mise à l'abri")]).fingerprint == \
        build_vocabulary([ExtraTerm("reception", "fr", "mise à l'abri")]).fingerprint


def test_parse_concepts_reads_variants_separated_by_bars():
    text = "id,broader,en,fr,es\nx,, a thing | things ||,une chose,una cosa|cosas\n"
    concepts = parse_concepts(text)
    assert concepts["x"].terms == {"en": ("a thing", "things"), "fr": ("une chose",), "es": ("una cosa", "cosas")}
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["id"] == "x"
