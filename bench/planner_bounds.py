"""Benchmark: the largest request the public planner accepts, through the API, against an ordinary one.

Run: .venv/bin/python bench/planner_bounds.py [--repeat N]

Largest accepted: 1,000 participants spread over every zone of the tz database (the most groups),
a 15-minute grid (the finest public step), 24-hour participant and interpreter windows, session B
free to fall on the next day, no minimum gap, the previous burden of every region, full tolerance.
Baseline: the 193 member States with the defaults. Also times the 24-hour chart of the largest
request and the refusal (422) of the request that used to take a worker for a minute.
"""

from __future__ import annotations

import argparse
import statistics
import time
import zoneinfo

from meetings import create_app
from meetings.core.vocabulary import REGION_CODES

TARGET_SECONDS = 2.0


def largest_body() -> dict:
    """The largest request the public planner accepts (see the module's docstring)."""
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    participants = [{"timezone": zones[i % len(zones)], "weight": 1 + i % 7} for i in range(1000)]
    return {"date": "2027-03-17", "duration": 180, "step": 15, "window": "00:00-23:59",
            "interpreters": "00:00-23:59", "same_day": False, "min_gap": 0, "tolerance": 100,
            "participants": participants, "previous": {code: 1.0 for code in REGION_CODES}}


def timed(call, repeat: int) -> tuple[float, float, int]:
    """Median and worst wall time in seconds over ``repeat`` calls, and the last status."""
    times, status = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        status = call().status_code
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), status


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    client = app.test_client()
    largest = largest_body()
    chart_query = ("/api/v1/plans/chart.svg?date=2027-03-17&duration=180&step=15&window=00:00-23:59"
                   "&interpreters=00:00-23:59&same_day=false&min_gap=0")
    rows = [
        ("baseline: 193 member States, defaults", lambda: client.post(
            "/api/v1/plans", json={"date": "2027-03-17", "duration": 180})),
        ("largest accepted POST /api/v1/plans", lambda: client.post("/api/v1/plans", json=largest)),
        ("largest accepted chart.svg (193 States)", lambda: client.get(chart_query)),
        ("refused: step=1, 24 h windows, next day (422)", lambda: client.post("/api/v1/plans", json={
            **largest, "step": 1})),
    ]
    results = [(label, *timed(call, args.repeat)) for label, call in rows]
    baseline = results[0][1]
    print(f"{'request':48} {'status':>6} {'median s':>9} {'worst s':>8} {'x baseline':>10}")
    for label, median, worst, status in results:
        print(f"{label:48} {status:>6} {median:9.3f} {worst:8.3f} {median / baseline:10.1f}")
    worst_accepted = max(worst for _label, _median, worst, _status in results[1:3])
    verdict = "under" if worst_accepted < TARGET_SECONDS else "OVER"
    print(f"worst accepted request: {worst_accepted:.3f} s ({verdict} the {TARGET_SECONDS:g} s target)")


if __name__ == "__main__":
    main()
