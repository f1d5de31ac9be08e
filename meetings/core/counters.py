"""The counters and histograms every process keeps (web workers, the scheduler, the CLI)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("acsg_http_requests", "HTTP requests answered, by endpoint, method and status",
                        ["endpoint", "method", "status"])
HTTP_LATENCY = Histogram("acsg_http_request_duration_seconds", "Time to answer HTTP requests, by endpoint",
                         ["endpoint", "method"])
RATE_LIMIT_REFUSALS = Counter("acsg_rate_limit_refusals", "Requests refused with 429 Too Many Requests, by endpoint",
                              ["endpoint"])
DELIVERIES = Counter("acsg_outbox_deliveries", "Outbox delivery attempts, by channel and outcome "
                     "(sent, retrying, failed, superseded)", ["channel", "outcome"])
JOB_RUNS = Counter("acsg_scheduler_job_runs", "Scheduler job runs, by job and outcome (ok, error)", ["job", "outcome"])
JOB_DURATION = Histogram("acsg_scheduler_job_duration_seconds", "Duration of scheduler job runs, by job", ["job"],
                         buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))


def count_delivery(channel: str, outcome: str) -> None:
    """One delivery attempt of an outbox row ended as ``outcome``."""
    DELIVERIES.labels(channel=channel, outcome=outcome).inc()


def observe_job(name: str, seconds: float, outcome: str) -> None:
    """One scheduler job run took ``seconds`` and ended as ``outcome``."""
    JOB_RUNS.labels(job=name, outcome=outcome).inc()
    JOB_DURATION.labels(job=name).observe(seconds)


def count_rate_limit_refusal(endpoint: str) -> None:
    """A request was refused because its sender went over a rate limit."""
    RATE_LIMIT_REFUSALS.labels(endpoint=endpoint).inc()
