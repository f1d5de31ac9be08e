"""Commands speak the operator's language: ``--language en|fr|es`` (default: ACSG_LANGUAGE or English)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import click
from flask_babel import force_locale

from meetings.core.vocabulary import LANGUAGE_CODES


def in_language(command: Callable) -> Callable:
    """Add ``--language`` to a click command and run it in that locale."""

    @click.option("--language", type=click.Choice(LANGUAGE_CODES), show_default=True,
                  default=lambda: os.environ.get("ACSG_LANGUAGE", "en"),
                  help="Language of the messages printed (en, fr, es)")
    @functools.wraps(command)
    def wrapper(*args, language: str, **kwargs):
        with force_locale(language):
            return command(*args, **kwargs)

    return wrapper
