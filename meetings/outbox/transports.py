"""Where outbox rows go: SMTP (or .eml files for development) and webhooks to public addresses."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from functools import cached_property
from pathlib import Path

from notifications.smtp import SmtpSettings, SmtpTransport
from notifications.webhooks import WebhookLimits, post_webhook
from notifications.wire import WireEmail


class FileMailer:
    """Development transport: each e-mail becomes an .eml file in a folder (no SMTP server needed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, msg: EmailMessage | WireEmail) -> dict:
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = msg.message_id if isinstance(msg, WireEmail) else msg["Message-ID"]
        name = message_id.strip("<>").replace("/", "_").split("@")[0]
        (self.folder / f"{name}.eml").write_bytes(msg.as_bytes())
        return {}


@dataclass(frozen=True)
class Transports:
    """The delivery settings of one worker."""

    mail_from: str
    smtp: SmtpSettings | None
    mail_folder: Path | None
    webhook_limits: WebhookLimits = WebhookLimits()

    @cached_property  # read for every message
    def message_domain(self) -> str:
        """Domain of Message-IDs: the sender's."""
        return parseaddr(self.mail_from)[1].rpartition("@")[2] or "acsg.invalid"

    @contextmanager
    def mailer(self) -> Iterator[SmtpTransport | FileMailer]:
        """One SMTP connection for a whole batch (or the file mailer)."""
        if self.smtp is None:
            yield FileMailer(self.mail_folder or Path("mail"))
            return
        with SmtpTransport(self.smtp) as transport:
            yield transport

    def post(self, url: str, body: bytes, headers: dict, secret: str) -> int:
        """Deliver one signed webhook within the limits (deadline, size cap, public addresses)."""
        return post_webhook(url, body, headers, secret, self.webhook_limits)


def transports_from_config(config: Mapping, instance_path: str, env: Mapping[str, str] = os.environ) -> Transports:
    """SMTP when SMTP_HOST is set (or MAIL_TRANSPORT=smtp); otherwise .eml files in instance/mail."""
    mode = env.get("MAIL_TRANSPORT") or ("smtp" if env.get("SMTP_HOST") else "files")
    smtp = SmtpSettings.from_env(env) if mode == "smtp" else None
    return Transports(mail_from=config["MAIL_FROM"], smtp=smtp, mail_folder=Path(instance_path) / "mail",
                      webhook_limits=webhook_limits_from_config(config))


def webhook_limits_from_config(config: Mapping) -> WebhookLimits:
    """WEBHOOK_DEADLINE_SECONDS, WEBHOOK_MAX_RESPONSE_BYTES and WEBHOOK_ALLOWED_HOSTS (comma-separated names)."""
    hosts = config.get("WEBHOOK_ALLOWED_HOSTS") or ()
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return WebhookLimits(deadline=float(config.get("WEBHOOK_DEADLINE_SECONDS", 10)),
                         max_response_bytes=int(config.get("WEBHOOK_MAX_RESPONSE_BYTES", 64 * 1024)),
                         allowed_hosts=frozenset(h.strip().lower().rstrip(".") for h in hosts if h.strip()))
