"""Benchmark: fast planner vs exhaustive reference on all 193 member States, plus the 2027 examples.

Run: .venv/bin/python bench/planner.py [--repeat N] [--reference-steps 15,5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from scheduler.planner import PlanRequest, plan
from scheduler.reference import plan_exhaustive
from scheduler.result import PlanResult, Score

ZURICH = ZoneInfo("Europe/Zurich")


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time in seconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def coverage(score: Score) -> str:
    """count/total (share)."""
    return f"{float(score.covered):g}/{float(score.total):g} ({score.share:.1%})"


def describe(result: PlanResult) -> list[str]:
    """The chosen pair in UTC and Zurich time, its coverage, and the fixed pairs beside it."""
    lines = []
    for session in result.sessions:
        local = session.start.astimezone(ZURICH)
        lines.append(f"  {session.label}: {session.start:%H:%M}-{session.end:%H:%M} UTC = "
                     f"{local:%H:%M} Zurich (UTC{local:%z})")
    lines.append(f"  planner     : {coverage(result.score):<16} discomfort {float(result.score.discomfort):g}")
    for pair in result.comparison:
        lines.append(f"  {pair.name} : {coverage(pair.score):<16} discomfort {float(pair.score.discomfort):g}")
    return lines


def main() -> None:
    """Print timings and the March/October 2027 plans."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reference-steps", default="15,5")
    args = parser.parse_args()
    day = date(2027, 3, 17)
    reference_steps = {int(s) for s in args.reference_steps.split(",") if s}
    print("193 member States, 180 min, window 08:00-20:00, interpreters 07:00-22:00 Zurich, gap 60 min")
    for step in (15, 5):
        request = PlanRequest(date=day, step_minutes=step)
        fast_time, fast = timed(lambda r=request: plan(r), args.repeat)
        assert isinstance(fast, PlanResult)
        line = (f"step {step:>2} min: {fast.pairs_considered:>5} pairs, fast median {fast_time * 1000:8.1f} ms "
                f"(n={args.repeat})")
        if step in reference_steps:
            slow_time, slow = timed(lambda r=request: plan_exhaustive(r), 1)
            same = (slow.a, slow.b, slow.score) == (fast.sessions[0].start, fast.sessions[1].start, fast.score)
            line += (f", exhaustive {slow_time:7.2f} s (n=1), ratio {slow_time / fast_time:6.0f}x, "
                     f"same pair and score: {same}")
        print(line)
    for example in (date(2027, 3, 17), date(2027, 10, 20)):
        print(f"\n{example.isoformat()} default inputs (15-minute grid):")
        print("\n".join(describe(plan(PlanRequest(date=example)))))


if __name__ == "__main__":
    main()
