"""Benchmark: ranking the candidate offers of one request (the score with its text similarity), pure code.

Run: .venv/bin/python bench/support_matching.py [--offers 100,500] [--repeat N]
Baseline in the same run: the duplicate finder alone over every offer (the cost without the area/kind filter).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from meetings.support import scoring
from meetings.support.textmatch import similarity_scores

AREAS = ("registration", "reception", "status_determination", "country_information", "case_management")
KINDS = ("expertise", "training", "twinning", "equipment", "funding", "peer_exchange")
WORDS = ("training caseworkers country origin information research interviews quality decisions registration "
         "biometric reception capacity appeals tribunal digital case management formation information pays "
         "origine entretien qualité décisions enregistrement formación información países origen calidad").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _profile(rng: random.Random, key: int) -> scoring.Profile:
    start = date(2027, 1, 1) + timedelta(days=rng.randrange(365))
    return scoring.Profile(key=key, area=rng.choice(AREAS), kind=rng.choice(KINDS),
                           languages=tuple(rng.sample(("en", "fr", "es", "pt", "ar"), 2)),
                           region=rng.choice((None, "europe", "americas", "west_central_africa")),
                           period_from=start, period_to=start + timedelta(days=rng.randrange(30, 200)),
                           texts=(_text(rng, 6), _text(rng, 40)), organization=key)


def _median(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", default="100,500")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(17)
    request = _profile(rng, 0)
    for count in (int(n) for n in args.offers.split(",")):
        offers = [_profile(rng, i) for i in range(1, count + 1)]
        texts = {o.key: o.texts for o in offers}
        baseline = _median(lambda texts=texts: similarity_scores(request.texts, texts), args.repeat)
        ranked = _median(lambda offers=offers: scoring.rank_offers(request, offers, similarity_scores),
                         args.repeat)
        print(f"{count} offers: rank_offers {ranked * 1000:.1f} ms, similarity alone {baseline * 1000:.1f} ms, "
              f"ratio {ranked / baseline:.2f}")


if __name__ == "__main__":
    main()
