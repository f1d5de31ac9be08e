"""Bench: a duplicate check against 500 stored proposals vs the old per-page recomputation, same run.

Proposals are as large as the form allows (titles of the evaluation set, abstracts of about 5,000
characters in each of the three languages), stored through the real path (features computed once).
Timed, median of several runs on the same database:
- detail page: ``similar_to_roundtable`` (the proposal's stored vector against all stored vectors);
- form check: ``similar_items`` on typed texts (the query's features computed, then ranked);
- baseline: the old finder (bench/old_similarity.py) recomputing every proposal's features, as every
  detail page did before.
Also prints recall and false alarms of both finders on tests/data/similarity_eval.csv.
Run: .venv/bin/python bench/similarity.py [--proposals 500] [--runs 7] [--old-runs 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import old_similarity  # noqa: E402
from support.similarity_evaluation import LANGUAGES, evaluate, load_topics  # noqa: E402

from meetings import create_app, demo  # noqa: E402
from meetings.accounts.operations import create_account  # noqa: E402
from meetings.core import similarity  # noqa: E402
from meetings.core.db import new_session  # noqa: E402
from meetings.core.migrate import upgrade_database  # noqa: E402
from meetings.organizations.models import Workstream  # noqa: E402
from meetings.organizations.operations import find_or_create_organization  # noqa: E402
from meetings.roundtables import duplicates  # noqa: E402
from meetings.roundtables.models import Roundtable, RoundtableWindow  # noqa: E402

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
ABSTRACT_CHARS = 5000
FILLER = {
    "en": "National authorities, civil society and refugee-led organizations share their practice, the obstacles "
          "met and what changed for the people concerned; the session ends with commitments for follow-up.",
    "fr": "Les autorités nationales, la société civile et les organisations dirigées par des réfugiés partagent "
          "leurs pratiques, les obstacles rencontrés et ce qui a changé pour les personnes concernées.",
    "es": "Las autoridades nacionales, la sociedad civil y las organizaciones lideradas por personas refugiadas "
          "comparten sus prácticas, los obstáculos encontrados y lo que cambió para las personas afectadas.",
}


def timed(function, runs: int) -> tuple[float, object]:
    """Median seconds over ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def abstract(topics, index: int, language: str) -> str:
    """About ``ABSTRACT_CHARS`` characters: this topic's title, others as context, and filler."""
    parts = []
    step = 0
    while sum(len(p) + 1 for p in parts) < ABSTRACT_CHARS - 300:
        topic = topics[(index + step * 7) % len(topics)]
        parts.append(f"{topic.titles[language]}. {FILLER[language]}")
        step += 1
    return " ".join(parts)[:ABSTRACT_CHARS]


def fill(db, count: int):
    """``count`` submitted proposals of maximum size with stored features; returns (proposer, last proposal)."""
    topics = load_topics()
    organization = find_or_create_organization(db, "Comisión Mexicana de Ayuda a Refugiados",
                                               "national_asylum_authority", "MX", "americas")
    user = create_account(db, email="bench@comar.example.org", name="Bench", role="co_convener",
                          password="correct horse battery staple", organization=organization, language="es")
    workstream = db.scalar(sa.select(Workstream).where(Workstream.number == 3))
    roundtable = None
    for n in range(count):
        topic = topics[n % len(topics)]
        roundtable = Roundtable(organization_id=organization.id, proposer=user, workstream=workstream,
                                status="submitted", created_at=NOW, updated_at=NOW, themes=["bench"],
                                regions=["americas", "europe"], target_categories=["civil_society"],
                                interpretation_languages=list(LANGUAGES), co_conveners=["UNHCR", "COMAR"],
                                windows=[RoundtableWindow(starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 9))],
                                **{f"title_{c}": f"{topic.titles[c]} ({n})"[:200] for c in LANGUAGES},
                                **{f"abstract_{c}": abstract(topics, n, c) for c in LANGUAGES})
        duplicates.store_vector(db, roundtable)
        db.add(roundtable)
        if n % 100 == 99:
            db.flush()
    db.commit()
    return user, roundtable


def old_check(db, roundtable):
    """The old detail page: load every proposal and recompute everything."""
    others = db.scalars(sa.select(Roundtable).where(Roundtable.id != roundtable.id)).all()
    candidates = [old_similarity.Item(r.id, tuple(getattr(r, f"title_{c}") for c in LANGUAGES),
                                      tuple(getattr(r, f"abstract_{c}") for c in LANGUAGES)) for r in others]
    query = old_similarity.Item("q", tuple(getattr(roundtable, f"title_{c}") for c in LANGUAGES),
                                tuple(getattr(roundtable, f"abstract_{c}") for c in LANGUAGES))
    return old_similarity.find_similar(query, candidates)


def evaluation() -> None:
    """Recall and false alarms of the old and the new finder on the evaluation set."""
    def old_pool(query, pool):
        items = [old_similarity.Item(k, (t,)) for k, t in pool]
        return {m.key: m.score for m in old_similarity.find_similar(old_similarity.Item("?", (query,)), items,
                                                                     threshold=-1, limit=len(items))}
    cache: dict[str, similarity.Vector] = {}

    def vector(text):
        if text not in cache:
            cache[text] = similarity.item_vector(similarity.Item(None, (text,)))
        return cache[text]

    def new_pool(query, pool):
        return {m.key: m.score for m in similarity.rank(vector(query), [(k, vector(t)) for k, t in pool],
                                                        threshold=-1, limit=len(pool))}
    print("evaluation set (tests/data/similarity_eval.csv):")
    print(f"  old finder, {evaluate(old_pool, old_similarity.THRESHOLD).summary()}")
    print(f"  new finder, {evaluate(new_pool, similarity.THRESHOLD).summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--old-runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade_database(app.extensions["db_engine"])
            with new_session(app) as db:
                demo.seed_workstreams(db)
                db.commit()
                started = time.perf_counter()
                viewer, roundtable = fill(db, args.proposals)
                print(f"{args.proposals} proposals of ~{3 * ABSTRACT_CHARS} characters stored with their features "
                      f"in {time.perf_counter() - started:.1f} s")
            texts = {c: getattr(roundtable, f"title_{c}") for c in LANGUAGES}
            abstracts = {c: getattr(roundtable, f"abstract_{c}") for c in LANGUAGES}
            with new_session(app) as db:
                viewer = db.merge(viewer)
                target = db.get(Roundtable, roundtable.id)
                detail, found = timed(lambda: duplicates.similar_to_roundtable(db, target, viewer), args.runs)
                check, _ = timed(lambda: duplicates.similar_items(db, list(texts.values()), list(abstracts.values()),
                                                                  viewer), args.runs)
                db.expunge_all()
                old, old_found = timed(lambda: old_check(db, db.get(Roundtable, roundtable.id)), args.old_runs)
    print(f"detail page check against {args.proposals - 1} stored proposals: {detail * 1000:.1f} ms "
          f"(median of {args.runs}; {len(found)} similar)")
    print(f"form check (query features computed, then ranked): {check * 1000:.1f} ms")
    print(f"old per-page recomputation: {old * 1000:.0f} ms (median of {args.old_runs}; {len(old_found)} similar)")
    print(f"ratio old / new detail page: {old / detail:.0f}x; old / form check: {old / check:.0f}x")
    evaluation()


if __name__ == "__main__":
    main()
