"""One log line per request with its id (``X-Request-ID``), plain text or JSON lines (``LOG_FORMAT=json``)."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from flask import Flask, g, request

from meetings.core.request_id import REQUEST_ID_HEADER, accept_request_id, current_request_id

log = logging.getLogger("meetings.requests")
_OUR_HANDLER = "_acsg_handler"


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request being served (or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if getattr(record, "request_id", "-") != "-":
            line["request_id"] = record.request_id
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        text = super().format(record)
        fields = getattr(record, "fields", None) or {}
        return text + "".join(f" {key}={value}" for key, value in fields.items())


def configure_logging(log_format: str) -> None:
    """Send our loggers (INFO and up) and everyone's warnings to stderr, as text or JSON lines."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OUR_HANDLER, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    setattr(handler, _OUR_HANDLER, True)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    for name in ("meetings", "scheduler"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))


def _printable(text: str) -> str:
    """Control characters escaped, so that a crafted path cannot forge log lines."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _finish(response):
    request_id = g.get("request_id") or accept_request_id(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    duration = time.perf_counter() - g.get("request_started", time.perf_counter())
    path = _printable(request.path)
    log.info("%s %s %s", request.method, path, response.status_code, extra={"fields": {
        "method": request.method, "path": path, "endpoint": request.endpoint or "-",
        "status": response.status_code, "duration_ms": round(duration * 1000, 2),
        "remote_addr": request.remote_addr or "-"}})
    return response


def init_app(app: Flask) -> None:
    """Configure logging (``LOG_FORMAT``) and log every request with its id."""
    configure_logging(app.config.get("LOG_FORMAT", "text"))
    app.before_request(_start)
    app.after_request(_finish)
