"""Prometheus metrics at ``/metrics``: counters kept by every process, gauges queried at scrape time.

Under gunicorn (several worker processes) and with the separate scheduler process, set
``PROMETHEUS_MULTIPROC_DIR`` to one empty directory for all of them (emptied before each start):
every process writes its counters there and any worker's ``/metrics`` adds them up. ``/metrics``
answers only to ``METRICS_ALLOWED_IPS`` (for requests that did not come through a proxy, which would
make every visitor look like a loopback address) or to ``Authorization: Bearer <METRICS_TOKEN>``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from meetings.core.counters import HTTP_LATENCY, HTTP_REQUESTS, count_rate_limit_refusal
from meetings.core.db import new_session, utcnow
from meetings.core.vocabulary import REGISTRATION_STATUS_CODES
from meetings.observability import gauges
from meetings.outbox.models import CHANNELS

bp = Blueprint("metrics", __name__)

class DatabaseCollector(Collector):
    """Gauges computed from the database at each scrape (a few aggregate queries)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        up = GaugeMetricFamily("acsg_database_up", "1 when the database answered the metrics queries")
        try:
            with new_session(self.app) as db:
                registrations = gauges.registration_counts(db)
                outbox = gauges.outbox_counts(db)
                oldest = gauges.oldest_due_age_seconds(db, utcnow())
        except sa.exc.SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        family = GaugeMetricFamily("acsg_registrations", "Registrations by status", labels=["status"])
        for status in sorted(set(REGISTRATION_STATUS_CODES) | set(registrations)):
            family.add_metric([status], registrations.get(status, 0))
        yield family
        family = GaugeMetricFamily("acsg_outbox_messages", "Outbox depth: rows not sent yet, by state and channel",
                                   labels=["state", "channel"])
        for status in gauges.QUEUED:
            for channel in CHANNELS:
                family.add_metric([status, channel], outbox.get((status, channel), 0))
        yield family
        yield GaugeMetricFamily("acsg_outbox_oldest_due_age_seconds",
                                "How long the oldest due outbox message has been waiting (0 when none)", value=oldest)


def _networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def _may_scrape() -> None:
    """Let allowed addresses (not through a proxy) and bearers of the token in; else 403 (a token is set) or 404."""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    proxied = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    allowed = current_app.extensions["metrics_networks"]
    if address is not None and not proxied and any(address in network for network in allowed):
        return
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return
    abort(403 if token else 404)


@bp.get("/metrics")
def metrics():
    """The metrics in the Prometheus text format."""
    _may_scrape()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    body = generate_latest(processes) + generate_latest(current_app.extensions["metrics_database"])
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def _observe_request(response):
    endpoint = request.endpoint or "unmatched"
    started = g.get("request_started")
    HTTP_REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).inc()
    if started is not None:
        HTTP_LATENCY.labels(endpoint=endpoint, method=request.method).observe(time.perf_counter() - started)
    if response.status_code == 429:
        count_rate_limit_refusal(endpoint)
    return response


def init_app(app: Flask) -> None:
    """Count every request and serve /metrics."""
    app.extensions["metrics_networks"] = _networks(app.config.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1"))
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(app))
    app.extensions["metrics_database"] = database
    app.after_request(_observe_request)
    app.register_blueprint(bp)
