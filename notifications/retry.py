"""Exponential back-off for outbox deliveries (pure: the caller passes ``now`` and the jitter)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta


def retry_delay(
    attempts: int,
    *,
    jitter: float,
    base_seconds: float = 60,
    factor: float = 2,
    cap_seconds: float = 3600,
) -> timedelta:
    """Return the wait after ``attempts`` failed attempts: ``base * factor**(attempts-1)``, capped, jittered.

    ``jitter`` in [0, 1) shortens the delay by up to half (``delay * (1 - jitter / 2)``), so the result
    never exceeds ``cap_seconds`` and workers that failed together do not all retry in the same second.
    ``jitter=0`` gives the exact, deterministic schedule 60 s, 120 s, 240 s, ... 3600 s.
    """
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"attempts must be an integer >= 1, got {attempts!r}")
    if not 0 <= jitter < 1:
        raise ValueError(f"jitter must be in [0, 1), got {jitter!r}")
    if base_seconds <= 0:
        raise ValueError(f"base_seconds must be > 0, got {base_seconds!r}")
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor!r}")
    if cap_seconds < base_seconds:
        raise ValueError(f"cap_seconds ({cap_seconds!r}) must be >= base_seconds ({base_seconds!r})")
    exponent = attempts - 1
    # Compare in log space so that a large attempt count never overflows a float.
    if factor > 1 and exponent * math.log(factor) >= math.log(cap_seconds / base_seconds):
        delay = float(cap_seconds)
    else:
        delay = min(float(cap_seconds), base_seconds * factor**exponent)
    return timedelta(seconds=delay * (1 - jitter / 2))


def next_attempt_at(
    attempts: int,
    now: datetime,
    *,
    jitter: float,
    base_seconds: float = 60,
    factor: float = 2,
    cap_seconds: float = 3600,
) -> datetime:
    """Return when to try again after ``attempts`` failed attempts, counted from the aware ``now``."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    delay = retry_delay(
        attempts, jitter=jitter, base_seconds=base_seconds, factor=factor, cap_seconds=cap_seconds
    )
    return now + delay


def is_exhausted(attempts: int, max_attempts: int) -> bool:
    """Return True when ``attempts`` made so far reach ``max_attempts`` (then the row stays failed)."""
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts!r}")
    if attempts < 0:
        raise ValueError(f"attempts must be >= 0, got {attempts!r}")
    return attempts >= max_attempts
