"""The transparent score on hand-built cases: the reasons shown add up to the score and justify the rank."""

from __future__ import annotations

from datetime import date, timedelta

from meetings.support import scoring
from meetings.support.textmatch import similarity_scores

REQUEST = scoring.Profile(
    key=0, area="country_information", kind="training", languages=("fr",), region="west_central_africa",
    period_from=date(2027, 3, 1), period_to=date(2027, 6, 30),
    texts=("Formation sur l'information sur les pays d'origine",
           "Former les officiers de protection à la recherche d'information sur les pays d'origine."),
    organization="state")


def offer(key, **overrides):
    values = dict(key=key, area="country_information", kind="training", languages=("es", "fr"),
                  region="west_central_africa", period_from=date(2027, 5, 1), period_to=date(2027, 12, 31),
                  texts=("Training on country of origin information research",
                         "Courses for caseworkers on researching country of origin information."),
                  organization=f"org-{key}")
    values.update(overrides)
    return scoring.Profile(**values)


def no_text(_query, candidates):
    return {key: 0.0 for key in candidates}


def reasons(candidate):
    return {r.code: r.points for r in candidate.reasons}


def test_every_criterion_met_gives_every_point_and_says_why():
    [best] = scoring.rank_offers(REQUEST, [offer(1)], no_text)
    assert reasons(best) == {"same_area": 40, "same_kind": 25, "common_language": 15, "same_region": 10,
                             "period_overlap": 10, "different_text": 0}
    assert best.score == 100 == sum(reasons(best).values())
    assert dict(best.reasons[2].params) == {"languages": "fr"}


def test_rank_follows_the_reasons():
    offers = [
        offer(1, kind="funding"),                      # loses the kind: 25 points
        offer(2, languages=("en",)),                   # no common language: 15 points
        offer(3),                                      # everything
        offer(4, region=None),                         # any region: 5 instead of 10
        offer(5, period_from=date(2028, 1, 1), period_to=date(2028, 2, 1)),  # periods apart: 10 points
        offer(6, area="reception", kind="funding"),    # neither area nor kind: not a candidate
    ]
    ranked = scoring.rank_offers(REQUEST, offers, no_text)
    assert [c.key for c in ranked] == [3, 4, 5, 2, 1]
    scores = {c.key: c.score for c in ranked}
    assert scores == {3: 100, 4: 95, 2: 85, 5: 90, 1: 75}
    assert [c.key for c in ranked] == sorted(scores, key=lambda k: -scores[k])
    by_key = {c.key: reasons(c) for c in ranked}
    assert by_key[1]["other_kind"] == 0 and by_key[2]["no_common_language"] == 0
    assert by_key[4]["any_region"] == 5 and by_key[5]["period_apart"] == 0
    for candidate in ranked:
        assert candidate.score == sum(r.points for r in candidate.reasons)


def test_ties_keep_the_oldest_offer_first_and_the_requester_never_matches_itself():
    ranked = scoring.rank_offers(REQUEST, [offer(9), offer(7), offer(8, organization="state")], no_text)
    assert [c.key for c in ranked] == [7, 9]


def test_open_periods_are_compatible_but_weigh_less_than_an_overlap():
    open_request = scoring.Profile(**{**REQUEST.__dict__, "period_from": None, "period_to": None})
    [candidate] = scoring.rank_offers(open_request, [offer(1, period_from=None, period_to=None)], no_text)
    assert reasons(candidate)["period_open"] == scoring.PERIOD_OPEN < scoring.PERIOD_OVERLAP
    half_open = scoring.Profile(**{**REQUEST.__dict__, "period_to": None})
    [candidate] = scoring.rank_offers(half_open, [offer(1, period_from=date(2026, 1, 1),
                                                        period_to=date(2026, 2, 1))], no_text)
    assert reasons(candidate)["period_apart"] == 0


def test_text_similarity_across_languages_breaks_a_tie_with_its_reason():
    related = offer(1, texts=("Formación en información sobre países de origen",
                              "Cursos para funcionarios sobre la investigación de información de países de origen."))
    unrelated = offer(2, texts=("Mobile biometric registration kits",
                                "Equipment for registering new arrivals at the border."))
    ranked = scoring.rank_offers(REQUEST, [unrelated, related], similarity_scores)
    assert [c.key for c in ranked] == [1, 2]
    assert reasons(ranked[0])["similar_text"] > 0
    assert "different_text" in reasons(ranked[1]) or reasons(ranked[1]).get("similar_text", 0) < \
        reasons(ranked[0])["similar_text"]
    assert ranked[0].score - ranked[1].score == reasons(ranked[0])["similar_text"] - \
        reasons(ranked[1]).get("similar_text", 0)


def test_similarity_plug_in_point_scores_every_candidate_between_zero_and_one():
    scores = similarity_scores(REQUEST.texts, {1: offer(1).texts, 2: ("Kits", "Equipment")})
    assert set(scores) <= {1, 2}
    assert all(0.0 <= value <= 1.0 for value in scores.values())
    assert scores.get(1, 0) > scores.get(2, 0)
    assert similarity_scores(REQUEST.texts, {}) == {}


AREAS = ("registration", "reception", "country_information")
KINDS = ("training", "funding", "expertise")


def test_property_reasons_always_add_up_and_order_the_candidates():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    profiles = st.builds(
        lambda key, area, kind, languages, region, start, length: offer(
            key, area=area, kind=kind, languages=tuple(languages), region=region,
            period_from=None if start is None else date(2027, 1, 1) + timedelta(days=start),
            period_to=None if start is None else date(2027, 1, 1) + timedelta(days=start + length)),
        st.integers(1, 10_000), st.sampled_from(AREAS), st.sampled_from(KINDS),
        st.lists(st.sampled_from(("en", "fr", "es", "pt")), max_size=3, unique=True),
        st.sampled_from((None, "europe", "west_central_africa")), st.one_of(st.none(), st.integers(0, 400)),
        st.integers(0, 200))

    @settings(max_examples=60, deadline=None)
    @given(st.lists(profiles, max_size=8, unique_by=lambda p: p.key))
    def check(offers):
        ranked = scoring.rank_offers(REQUEST, offers, no_text)
        for candidate in ranked:
            assert candidate.score == sum(r.points for r in candidate.reasons)
            assert any(r.code in ("same_area", "same_kind") for r in candidate.reasons)
        assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
        kept = {c.key for c in ranked}
        assert kept == {o.key for o in offers if o.area == REQUEST.area or o.kind == REQUEST.kind}

    check()
