"""Back-off policy: exact schedule, cap, jitter bounds, exhaustion."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications.retry import is_exhausted, next_attempt_at, retry_delay

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_schedule_doubles_from_one_minute_and_caps_at_one_hour():
    delays = [next_attempt_at(n, NOW, jitter=0) - NOW for n in range(1, 10)]
    assert [d.total_seconds() for d in delays] == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_jitter_shortens_by_at_most_half_and_never_exceeds_the_cap():
    assert retry_delay(1, jitter=0.5) == timedelta(seconds=45)
    assert retry_delay(1, jitter=0.999) > timedelta(seconds=30)
    assert all(retry_delay(n, jitter=j) <= timedelta(hours=1) for n in range(1, 40) for j in (0, 0.3, 0.99))


def test_huge_attempt_counts_do_not_overflow():
    assert retry_delay(10_000, jitter=0, factor=1.5) == timedelta(hours=1)
    assert retry_delay(5, jitter=0, factor=1) == timedelta(minutes=1)


def test_custom_parameters_and_aware_result():
    when = next_attempt_at(3, NOW, jitter=0, base_seconds=10, factor=3, cap_seconds=60)
    assert when == NOW + timedelta(seconds=60)
    assert when.tzinfo is not None


@pytest.mark.parametrize(
    "kwargs",
    [{"attempts": 0}, {"attempts": True}, {"jitter": 1.0}, {"jitter": -0.1}, {"base_seconds": 0},
     {"factor": 0.5}, {"cap_seconds": 1}],
)
def test_bad_parameters_are_rejected(kwargs):
    args = {"attempts": 1, "jitter": 0} | kwargs
    with pytest.raises(ValueError):
        retry_delay(args.pop("attempts"), **args)


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="aware"):
        next_attempt_at(1, datetime(2025, 1, 1), jitter=0)  # noqa: DTZ001


def test_is_exhausted():
    assert not is_exhausted(0, 5)
    assert not is_exhausted(4, 5)
    assert is_exhausted(5, 5)
    assert is_exhausted(6, 5)
    with pytest.raises(ValueError):
        is_exhausted(1, 0)
