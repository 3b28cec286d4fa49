"""Structured logs with a request id: one line per request, every line of a request tagged.

Each request gets an id — the ``X-Request-ID`` a proxy sent (nginx ``$request_id``) when it
is a plausible one, else a fresh one — answered in the ``X-Request-ID`` header, so a user's
report, the proxy's log and ours meet on one value. ``REGISTRY_LOG_FORMAT=json`` writes one
JSON object per line (for a log collector); ``text`` (default) is for people.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_HANDLER_MARK = "_registry_handler"
access_log = logging.getLogger("registry.access")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    _PLAIN = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
        "message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name,
            "msg": record.getMessage(), "request_id": getattr(record, "request_id", "-"),
        }
        out.update({k: v for k, v in vars(record).items() if k not in self._PLAIN})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (not the one at start-up)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(app: Flask) -> None:
    """Give the ``registry`` loggers one handler on stderr, as the app's settings say
    (serving processes and the index worker; not in tests, where pytest collects logs)."""
    if app.testing:
        return
    fmt, level = app.config["LOG_FORMAT"], app.config["LOG_LEVEL"]
    logger = logging.getLogger("registry")
    for handler in logger.handlers:
        if getattr(handler, _HANDLER_MARK, False):
            logger.removeHandler(handler)
    handler = _StderrHandler(sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        formatter: logging.Formatter = JsonFormatter()
        formatter.converter = time.gmtime
    else:
        formatter = logging.Formatter(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(str(level).upper())
    logger.propagate = False  # written once, here (a server's root handler would repeat it)


def init_request_log(app: Flask) -> None:
    """Request ids on every request and answer; one access line per request."""

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
            started = g.get("request_started", time.perf_counter())
            if app.config.get("LOG_REQUESTS", True):
                access_log.info(
                    "%s %s %s", request.method, request.path, response.status_code,
                    extra={"method": request.method, "path": request.path,
                           "status": response.status_code, "remote": request.remote_addr,
                           "ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
