"""Configuration read from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_config(instance_path: str) -> dict:
    """Settings for ``create_app``; every value can be overridden by an environment variable."""
    env = os.environ
    default_db = f"sqlite:///{Path(instance_path) / 'acsg.sqlite3'}"
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance_path),
        "DATABASE_URL": env.get("DATABASE_URL", default_db),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_FROM": env.get("MAIL_FROM", "ACSG Dialogue Platform <dialogue@acsg.example.org>"),
        "ORGANIZER_EMAIL": env.get("ORGANIZER_EMAIL", "dialogue@acsg.example.org"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Reminders before each session, and how often the scheduler process runs its jobs.
        "REMINDER_OFFSETS": env.get("REMINDER_OFFSETS", "7d,1d,1h"),
        "REMINDER_SWEEP_SECONDS": int(env.get("REMINDER_SWEEP_SECONDS", "60")),
        "OUTBOX_DELIVER_SECONDS": int(env.get("OUTBOX_DELIVER_SECONDS", "15")),
        # How long a delivery worker holds the rows it claimed; rows of a worker that died are sent again after it.
        "OUTBOX_LEASE_SECONDS": int(env.get("OUTBOX_LEASE_SECONDS", "300")),
        # Webhooks: their own job and worker pool, one deadline per call, a response cap, and the
        # internal host names allowed although they resolve to private addresses (on-premises receivers).
        "WEBHOOK_DELIVER_SECONDS": int(env.get("WEBHOOK_DELIVER_SECONDS", "15")),
        "WEBHOOK_WORKERS": int(env.get("WEBHOOK_WORKERS", "4")),
        "WEBHOOK_DEADLINE_SECONDS": float(env.get("WEBHOOK_DEADLINE_SECONDS", "10")),
        "WEBHOOK_MAX_RESPONSE_BYTES": int(env.get("WEBHOOK_MAX_RESPONSE_BYTES", str(64 * 1024))),
        "WEBHOOK_ALLOWED_HOSTS": env.get("WEBHOOK_ALLOWED_HOSTS", ""),
        # Fan-out to every registrant (moves, cancellations, anonymization) continues in the scheduler.
        "BACKGROUND_TASK_SECONDS": int(env.get("BACKGROUND_TASK_SECONDS", "5")),
        "BACKGROUND_TASK_BATCH": int(env.get("BACKGROUND_TASK_BATCH", "200")),
        # Secretariat console: interpreters per booth (up to / beyond the long-session threshold) and
        # how long after a meeting its registrations are kept before they may be anonymized.
        "INTERPRETERS_PER_BOOTH_SHORT": int(env.get("INTERPRETERS_PER_BOOTH_SHORT", "2")),
        "INTERPRETERS_PER_BOOTH_LONG": int(env.get("INTERPRETERS_PER_BOOTH_LONG", "3")),
        "INTERPRETATION_LONG_MINUTES": int(env.get("INTERPRETATION_LONG_MINUTES", "180")),
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS", "365")),
        # Operations: log format (text or json), who may read /metrics, and when /readyz calls the
        # outbox stuck (its oldest due message older than this).
        "LOG_FORMAT": env.get("LOG_FORMAT", "text"),
        "METRICS_ALLOWED_IPS": env.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1"),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "READY_OUTBOX_MAX_AGE_SECONDS": int(env.get("READY_OUTBOX_MAX_AGE_SECONDS", "900")),
        # Abuse limits (meetings/core/limits.py): per client address in memory, or shared by every
        # gunicorn worker in Redis (RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0); and how many
        # e-mails anonymous requests may cause to one address a day.
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "MESSAGES_PER_ADDRESS_PER_DAY": int(env.get("MESSAGES_PER_ADDRESS_PER_DAY", "5")),
        # Each limit can be tuned, e.g. RATELIMIT_REGISTRATION="40 per minute;120 per hour" (defaults and
        # their reasons: meetings/core/limits.py).
        **{name: env[name] for name in ("RATELIMIT_REGISTRATION", "RATELIMIT_SIGN_IN", "RATELIMIT_SIGN_UP",
                                        "RATELIMIT_PLANNER", "RATELIMIT_LOGIN", "RATELIMIT_PASSWORD_RESET")
           if env.get(name)},
        # flask-smorest / OpenAPI: the document at /api/v1/openapi.json, no UI loaded from a CDN.
        "API_TITLE": "ACSG Dialogue Platform API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def _instance_secret(instance_path: str) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts on a laptop."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        return key
