"""Abuse limits per client address with Flask-Limiter (memory by default, Redis for several workers).

Every anonymous action that costs the service work or sends e-mail carries one of these limits.
The numbers are settings (``RATELIMIT_*``) with these defaults, and why:

- registrations, 20 per minute and 60 per hour: a ministry or mission behind one address registers
  its delegation (30 people is a large one) over an hour without meeting a limit, even in bursts of
  20; a script sending 60 in a minute is stopped after 20, and a whole day of abuse costs at most 60
  e-mails an hour, each to an address that gets at most a few a day (``identity``);
- one-time sign-in links, 10 per minute and 30 per hour: a person uses one link; guessing 256-bit
  links is hopeless anyway, this only keeps scanners from hammering the page;
- workstream sign-ups, 10 per minute and 60 per hour: an organization signs up once, colleagues
  behind the same address a few times;
- planner calls, 30 per minute and 300 per hour: each accepted call is bounded (under 2 s, see
  ``bench/planner_bounds.py``), so one address can hold a worker at most half of the time;
- staff login and password-reset requests, 10 and 5 per minute: on top of the per-account delays
  of ``accounts.operations``.

Behind a reverse proxy the client address must be the proxy's ``X-Forwarded-For`` (ProxyFix).
A request over a limit gets 429 with ``Retry-After``, in the documented error shape for the API and
as a page elsewhere (``errorpages``). Requests within the limits carry no ``X-RateLimit-*`` headers:
computing them read the counters back from the store on every limited request (two more Redis
round trips each); only a refused request asks the store when its window ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter

DEFAULTS = {
    "RATELIMIT_REGISTRATION": "20 per minute;60 per hour",
    "RATELIMIT_SIGN_IN": "10 per minute;30 per hour",
    "RATELIMIT_SIGN_UP": "10 per minute;60 per hour",
    "RATELIMIT_PLANNER": "30 per minute;300 per hour",
    "RATELIMIT_LOGIN": "10 per minute;100 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per minute;20 per hour",
}
_MARK = "_acsg_rate_limit"


def client_address() -> str:
    """The key of a client: its IP address."""
    return request.remote_addr or "unknown"


def limited(name: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Mark a view (or a MethodView's method) as counting against the ``name`` limit for ``methods``.

    Views (pages and API) that share a name share one count per client address.
    """
    def mark(view: Callable) -> Callable:
        setattr(view, _MARK, (name, tuple(methods)))
        return view
    return mark


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config.get(name) or DEFAULTS[name]


def _marks(view: Callable) -> list[tuple[str, tuple[str, ...]]]:
    found = [getattr(view, _MARK)] if hasattr(view, _MARK) else []
    view_class = getattr(view, "view_class", None)
    for method in getattr(view_class, "methods", None) or ():
        mark = getattr(getattr(view_class, method.lower(), None), _MARK, None)
        if mark is not None:
            found.append((mark[0], (method,)))
    return found


def init_app(app: Flask) -> None:
    """One limiter per application, applied to every marked view (call after the views are registered).

    In memory unless ``RATELIMIT_STORAGE_URI`` names a shared store (redis://...); off when
    ``RATELIMIT_ENABLED`` is false (the test configuration, except in the tests of the limits).
    """
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    limiter = Limiter(key_func=client_address, app=app, headers_enabled=False,
                      storage_uri=app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
                      key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "acsg"))
    app.extensions["acsg_limiter"] = limiter
    app.after_request(_retry_after)
    for endpoint, view in list(app.view_functions.items()):
        for name, methods in _marks(view):
            view = limiter.shared_limit(_setting(name), scope=name.lower(), methods=list(methods))(view)
        app.view_functions[endpoint] = view


def _retry_after(response: Response) -> Response:
    """A refused request learns when the window of the limit it broke ends (``Retry-After``, seconds)."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        broken = current_app.extensions["acsg_limiter"].current_limit
        if broken is not None and broken.breached:
            response.headers["Retry-After"] = str(max(1, broken.reset_at - int(time.time())))
    return response
