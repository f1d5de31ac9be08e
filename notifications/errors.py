"""Errors shared by the delivery transports (SMTP, webhooks)."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered; ``permanent`` says whether retrying can ever help.

    ``permanent=True`` means the remote side rejected *this* message (SMTP 5xx for the sender, the
    recipients or the data; HTTP 4xx other than 408/429; an unusable webhook URL): retrying the same
    message will fail again, so the outbox should mark it failed. Everything else (connection refused,
    timeouts, dropped connections, 4xx SMTP replies, HTTP 5xx/408/429, and configuration problems such
    as a failed SMTP login, which are not the message's fault) is temporary and worth a retry.
    """

    def __init__(self, message: str, permanent: bool, *, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code

    def __repr__(self) -> str:
        return f"DeliveryError({self.message!r}, permanent={self.permanent!r}, code={self.code!r})"
