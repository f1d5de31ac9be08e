"""The registrations' e-mails, composed by the delivery worker."""

from __future__ import annotations

from flask import Flask

from meetings.outbox.composing import register_composer
from meetings.registrations.identity import SIGN_IN_COMPOSER, compose_sign_in_message
from meetings.registrations.messages import (
    COMPOSER,
    LIAISON_COMPOSER,
    compose_liaison_copy,
    compose_registration_message,
    prepare_registration_messages,
)


def init_app(app: Flask) -> None:
    """Let the delivery worker write the registrations' e-mails."""
    register_composer(app, COMPOSER, compose_registration_message, prepare_registration_messages)
    register_composer(app, LIAISON_COMPOSER, compose_liaison_copy, prepare_registration_messages)
    register_composer(app, SIGN_IN_COMPOSER, compose_sign_in_message)
