"""What every response promises the browser, the cookies' terms, and the rate limits.

``init_security(app)`` is called once by ``create_app`` after the blueprints are
registered:

* security headers on every response: a Content-Security-Policy that allows only the
  registry's own scripts, styles, images and fetches (no inline script or style: the
  templates keep theirs in ``registry/static``), no framing, no MIME sniffing, a referrer
  cut to the origin off-site, and Strict-Transport-Security on HTTPS requests only (on
  plain http it would be meaningless, and wrong for the embedded http://127.0.0.1);
* session and remember-me cookies: HttpOnly, SameSite=Lax, Secure when
  ``REGISTRY_SECURE_COOKIES`` is set (production behind TLS must set it), remember-me for
  ``REGISTRY_REMEMBER_DAYS`` days;
* Flask-Limiter, one instance per application (its storage and limits are per instance,
  and a process may hold several applications — the tests do): the whole API per client
  address (``REGISTRY_RATELIMIT_API``), and the views marked with ``rate_limited`` —
  sign-in, sign-up, token issue — with the named configured limit, shared between a page
  and its API twin. A 429 follows the error contract, with ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, make_response, request
from flask_babel import gettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from werkzeug.wrappers import Response

from registry.errors import _respond

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # no inline style attribute or <style> block in the templates: registry.css only
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000"

_LIMITS_ATTR = "_registry_rate_limits"


def rate_limited(*names: str) -> Callable[[F], F]:
    """Mark a view for the configured limits ``REGISTRY_RATELIMIT_<NAME>`` (POST only).

    Place it right under the route decorator. The limits are applied per application by
    ``init_security``; one name's counter is shared by every view marked with it (the
    sign-in page and ``POST /api/v1/tokens`` draw on one budget per address).
    """

    def mark(fn: F) -> F:
        setattr(fn, _LIMITS_ATTR, tuple(names))
        return fn

    return mark


def init_security(app: Flask) -> None:
    """Security headers, cookie settings and rate limits for ``app``."""
    _init_cookies(app)
    _init_headers(app)
    _init_limiter(app)


def _init_cookies(app: Flask) -> None:
    secure = bool(app.config.get("SECURE_COOKIES", False))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=int(app.config.get("REMEMBER_DAYS", 14))),
    )


def _init_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def _is_not_api() -> bool:
    return not request.path.startswith("/api/")


def _init_limiter(app: Flask) -> None:
    cfg = app.config
    storage = str(cfg.get("RATELIMIT_STORAGE", "memory://"))
    enabled = bool(cfg.get("RATELIMIT_ENABLED", True))
    limiter = Limiter(
        key_func=lambda: request.remote_addr or "unknown",  # the client (ProxyFix behind a proxy)
        app=app,
        storage_uri=storage,
        key_prefix=str(cfg.get("RATELIMIT_KEY_PREFIX", "registry")),
        strategy="fixed-window",
        application_limits=[str(cfg["RATELIMIT_API"])] if cfg.get("RATELIMIT_API") else [],
        application_limits_exempt_when=_is_not_api,
        # storage down (Redis restarting): serve and log rather than refuse everyone
        swallow_errors=True,
        enabled=enabled,
    )
    app.extensions["registry.limiter"] = limiter
    several = cfg.get("INDEXER") == "worker" or cfg.get("ENV") == "production"
    if enabled and storage.startswith("memory://") and several:
        log.warning("REGISTRY_RATELIMIT_STORAGE is memory://: every web process counts on "
                    "its own; set a redis:// URL when several processes serve (gunicorn)")
    for endpoint, view in list(app.view_functions.items()):
        names = getattr(view, _LIMITS_ATTR, ())
        wrapped: Any = view
        for name in names:
            rule = cfg.get(f"RATELIMIT_{name}")
            if rule:
                wrapped = limiter.shared_limit(str(rule), scope=name.lower(),
                                               methods=["POST"])(wrapped)
        app.view_functions[endpoint] = wrapped

    @app.errorhandler(RateLimitExceeded)
    def _too_many_requests(exc: RateLimitExceeded) -> Any:
        current = limiter.current_limit
        wait = 60
        if current is not None:
            wait = max(1, math.ceil(current.reset_at - time.time()))
        message = gettext("请求过于频繁，请 %(n)d 秒后再试", n=wait)
        response = make_response(_respond(429, "too_many_requests", message))
        response.headers["Retry-After"] = str(wait)
        return response
