"""One e-mail for many recipients: its templates rendered once per shape, each person's values filled in.

A fan-out tells 2,000 registrants the same news in a few languages and zones: their messages differ only by
a few printed values (their name, their private links). :func:`render_personal_email` renders the templates
once per *shape* with placeholders where those values go, then writes each message by filling its values
in, escaped for HTML exactly as autoescaping escapes them (``markupsafe.escape``).

A shape is the template, the language and every shared value of the context: the cache key is that whole
context, so nothing of one person's message can appear in another's (pass plain, hashable values, never a
model object whose other fields a template could read). Personal values are passed apart, by name; inside a
shared value (a list of links, say) :class:`Personal` marks where one goes.

Contract for templates rendered this way: they depend only on their context and language; personal values
are non-empty strings that they only print (``{{ name }}``, or as a ``gettext`` argument), never test,
filter or transform. It is checked: the first message of a shape is rendered directly; for the second, the
placeholder rendering is built, and the second message rendered directly too must equal it filled with that
message's values, else the shape is rendered directly for every message (and a warning is logged). A message
with an empty personal value is always rendered directly. Nothing personal is kept between messages: the
cache holds the placeholder renderings and, for a shape met once, only that it was met.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, time

from flask import current_app
from markupsafe import escape

from meetings.outbox.composing import RenderedEmail, finish_email, render_email, render_email_parts

log = logging.getLogger(__name__)

EXTENSION = "email_stencils"  # app.extensions: shape -> stencil, "met once" or "render directly"
LIMIT = 256  # shapes remembered; the cache starts again when full
# Placeholders: private-use characters around a number between a lower- and an upper-case letter, so that
# any filter changing case, escaping or cutting them leaves a broken placeholder, found by the check. The
# templates are rendered with a short and with a long form of each: a template whose output depends on the
# value (its length, its text) gives two different stencils, and is rendered directly instead.
_OPEN, _CLOSE, _PAD = "\ue000", "\ue001", "_" * 64
_PLACEHOLDER = re.compile(f"{_OPEN}p([0-9]+)P(?:{_PAD})?{_CLOSE}")


@dataclass(frozen=True)
class Personal:
    """Inside a shared value: the place of the personal value called ``name``."""

    name: str


@dataclass(frozen=True)
class _Stencil:
    """An e-mail with holes: each part split into text (even places) and value numbers (odd places)."""

    names: tuple[str, ...]
    subject: tuple[str | int, ...]
    text: tuple[str | int, ...]
    html: tuple[str | int, ...]

    def fill(self, values: Mapping[str, str]) -> RenderedEmail:
        plain = [values[name] for name in self.names]
        escaped = [str(escape(value)) for value in plain]
        return finish_email(_join(self.subject, plain), _join(self.text, plain), _join(self.html, escaped))


_MET_ONCE, _DIRECT = "met once", "render directly"


def render_personal_email(template: str, language: str, personal: Mapping[str, str],
                          **shared: object) -> RenderedEmail:
    """What ``render_email(template, language, **shared, **personal)`` gives (with :class:`Personal` marks in
    ``shared`` replaced by their values), rendered once per shape (module docstring)."""
    for value in shared.values():
        _check_plain(value)
    names = tuple(sorted(personal))
    key = (template, language, names, tuple(sorted(shared.items())))
    cache = current_app.extensions.setdefault(EXTENSION, {})
    entry = cache.get(key)
    fillable = all(isinstance(value, str) and value for value in personal.values())
    if entry is None or entry is _DIRECT or not fillable:
        if entry is None and fillable:
            _remember(cache, key, _MET_ONCE)
        return _render(template, language, shared, personal)
    if entry is _MET_ONCE:  # the second message of the shape: build the stencil, check it on this message
        email = _render(template, language, shared, personal)
        stencil = _stencil(template, language, names, shared)
        if stencil is None or stencil.fill(personal) != email:
            log.warning("e-mail %s prints a personal value other than as it is: rendered for every message",
                        template)
            stencil = _DIRECT
        cache[key] = stencil
        return email
    return entry.fill(personal)


def _render(template: str, language: str, shared: dict, personal: Mapping[str, str]) -> RenderedEmail:
    context = {name: _resolve(value, personal) for name, value in shared.items()}
    return render_email(template, language, **context, **personal)


def _stencil(template: str, language: str, names: tuple[str, ...], shared: dict) -> _Stencil | None:
    """The templates rendered with placeholders, split at them; None if a placeholder came out changed or the
    short and long placeholders gave different stencils."""
    stencils = []
    for pad in ("", _PAD):
        placeholders = {name: f"{_OPEN}p{number}P{pad}{_CLOSE}" for number, name in enumerate(names)}
        context = {name: _resolve(value, placeholders) for name, value in shared.items()}
        parts = [_split(part) for part in render_email_parts(template, language, {**context, **placeholders})]
        if any(part is None for part in parts):
            return None
        stencils.append(_Stencil(names, *parts))
    short, long = stencils
    return short if short == long else None


def _split(rendered: str) -> tuple[str | int, ...] | None:
    pieces: list[str | int] = _PLACEHOLDER.split(rendered)
    for place in range(1, len(pieces), 2):
        pieces[place] = int(pieces[place])
    if any(_OPEN in piece or _CLOSE in piece for piece in pieces[::2]):
        return None
    return tuple(pieces)


def _join(pieces: tuple[str | int, ...], values: list[str]) -> str:
    return "".join(piece if place % 2 == 0 else values[piece] for place, piece in enumerate(pieces))


_PLAIN = (str, int, float, type(None), date, datetime, time, Personal)


def _check_plain(value: object) -> None:
    """Raise TypeError unless ``value`` is plain data: text, numbers, moments, :class:`Personal`, or tuples
    and frozen dataclasses of those (a model object would let a template read what the key does not hold)."""
    if isinstance(value, _PLAIN):
        return
    if type(value) is tuple:
        for item in value:
            _check_plain(item)
    elif is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:
        for item in fields(value):
            _check_plain(getattr(value, item.name))
    else:
        raise TypeError(f"a shared value of an e-mail must be plain data, not {type(value).__name__}")


def _resolve(value: object, values: Mapping[str, str]) -> object:
    """``value`` with every :class:`Personal` mark (itself, or inside tuples) replaced by its value."""
    if isinstance(value, Personal):
        return values[value.name]
    if type(value) is tuple:
        return tuple(_resolve(item, values) for item in value)
    return value


def _remember(cache: dict, key: tuple, entry: object) -> None:
    if len(cache) >= LIMIT:
        cache.clear()
    cache[key] = entry
