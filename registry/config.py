"""Configuration: defaults, overridden by ``REGISTRY_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("REGISTRY_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_config() -> dict[str, Any]:
    """Defaults for the embedded deployment: SQLite and a Whoosh index under ``instance/``."""
    return {
        # "production": refuse to start with a missing/published key or no index updater
        # (registry/runtime.py); anything else is the embedded/development default
        "ENV": "development",
        # unset: this installation's own random key, kept in SECRET_KEY_FILE
        "SECRET_KEY": None,
        "SECRET_KEY_FILE": str(INSTANCE_DIR / "secret_key"),
        # serving processes' logs (registry/requestlog.py): "text" or "json" (one object per
        # line, with the request id); one access line per request unless LOG_REQUESTS is off
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "INFO",
        "LOG_REQUESTS": True,
        # /healthz answers 503 when the oldest change not yet in the search index is older
        # than this (a load balancer then drains the node); 0: only reported
        "HEALTH_MAX_INDEX_LAG_SECONDS": 0,
        # `registry demo`: enterprises and declarations to generate (default: 1,500 and
        # 20,000, scaled with --count) and the declarations' seed (default: --seed)
        # where `registry backup` writes when given no path
        "BACKUP_DIR": str(INSTANCE_DIR / "backups"),
        "DEMO_ENTERPRISES": None,
        "DEMO_DECLARATIONS": None,
        "DEMO_SEED": None,
        "DATABASE_URL": f"sqlite:///{INSTANCE_DIR / 'registry.sqlite3'}",
        "INDEX_DIR": str(INSTANCE_DIR / "index"),
        # "inline": this process applies the change feed to the index after each commit
        # (embedded default); "worker": a separate `registry index-worker` does it.
        "INDEXER": "inline",
        "HOST": "127.0.0.1",
        "PORT": 5000,
        "PAGE_SIZE": 20,
        "MAX_PAGE_SIZE": 100,
        "MAX_UPLOAD_MB": 20,
        "STATUS_CHECK_MAX": 5000,
        "DEFAULT_LOCALE": "zh",
        # common title words whose posting lists are decoded in the background when a new
        # index opens (0: off). Off by default: while it runs (about 40 s at a million
        # documents) it slows the in-process updater and searches (bench/README.md).
        "SEARCH_WARM": 0,
        # decoded posting lists kept per search process (MB)
        "SEARCH_CACHE_MB": 256,
        # sign-in throttle: wrong passwords for one e-mail from one address within the
        # window before further attempts are refused (4x that for one e-mail from anywhere,
        # 10x from one address for any e-mail)
        "SIGNIN_MAX_FAILURES": 5,
        "SIGNIN_WINDOW_MINUTES": 15,
        # reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted
        # (the sign-in throttle counts by client address)
        "PROXY_HOPS": 0,
        # SQLite: how long a connection waits for the write lock before "database is locked"
        "SQLITE_BUSY_TIMEOUT_MS": 10_000,
        # trust (issue 9, registry/security.py) -- cookies: Secure only over HTTPS, so
        # production behind TLS must set SECURE_COOKIES (off for the embedded http default);
        # remember-me lasts REMEMBER_DAYS. Rate limits (Flask-Limiter) per client address,
        # "N per second/minute/hour/day", several separated by ";"; RATELIMIT_STORAGE is
        # shared by every web process: memory:// is right only for the single-process
        # `registry serve`, several processes (gunicorn, worker indexer) need redis://host:6379/0
        "SECURE_COOKIES": False,
        "REMEMBER_DAYS": 14,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE": "memory://",
        "RATELIMIT_KEY_PREFIX": "registry",
        "RATELIMIT_API": "300 per minute",
        "RATELIMIT_SIGNIN": "30 per minute",
        "RATELIMIT_SIGNUP": "10 per hour",
        "RATELIMIT_TOKEN": "30 per hour",
        # hostile input (registry/inputs.py): JSON bodies nested deeper than this are
        # refused with 400 before any view parses them
        "JSON_MAX_DEPTH": 64,
    }


# Environment variables read on top of the defaults: REGISTRY_<NAME>.
_ENV_TYPES: dict[str, type] = {
    "ENV": str,
    "SECRET_KEY": str,
    "SECRET_KEY_FILE": str,
    "LOG_FORMAT": str,
    "LOG_LEVEL": str,
    "LOG_REQUESTS": bool,
    "HEALTH_MAX_INDEX_LAG_SECONDS": int,
    "BACKUP_DIR": str,
    "DEMO_ENTERPRISES": int,
    "DEMO_DECLARATIONS": int,
    "DEMO_SEED": int,
    "DATABASE_URL": str,
    "INDEX_DIR": str,
    "INDEXER": str,
    "HOST": str,
    "PORT": int,
    "PAGE_SIZE": int,
    "MAX_PAGE_SIZE": int,
    "MAX_UPLOAD_MB": int,
    "STATUS_CHECK_MAX": int,
    "DEFAULT_LOCALE": str,
    "SEARCH_WARM": int,
    "SEARCH_CACHE_MB": int,
    "SIGNIN_MAX_FAILURES": int,
    "SIGNIN_WINDOW_MINUTES": int,
    "PROXY_HOPS": int,
    "SQLITE_BUSY_TIMEOUT_MS": int,
    # trust (issue 9): cookies and rate limits
    "SECURE_COOKIES": bool,
    "REMEMBER_DAYS": int,
    "RATELIMIT_ENABLED": bool,
    "RATELIMIT_STORAGE": str,
    "RATELIMIT_KEY_PREFIX": str,
    "RATELIMIT_API": str,
    "RATELIMIT_SIGNIN": str,
    "RATELIMIT_SIGNUP": str,
    "RATELIMIT_TOKEN": str,
    "JSON_MAX_DEPTH": int,
}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read every known ``REGISTRY_*`` variable that is set."""
    environ = dict(os.environ) if environ is None else environ
    out: dict[str, Any] = {}
    for name, kind in _ENV_TYPES.items():
        raw = environ.get(f"REGISTRY_{name}")
        if raw is None or raw == "":
            continue
        out[name] = _bool(raw) if kind is bool else kind(raw)
    return out


def build_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment, then explicit overrides (tests)."""
    cfg = default_config()
    cfg.update(from_environment())
    if overrides:
        cfg.update(overrides)
    url = cfg["DATABASE_URL"]
    # psycopg 3 is the PostgreSQL driver; accept the plain postgres:// spellings too.
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url[len(plain):]
    cfg["DATABASE_URL"] = url
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    cfg["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    cfg["MAX_CONTENT_LENGTH"] = cfg["MAX_UPLOAD_MB"] * 1024 * 1024
    cfg.setdefault("API_TITLE", "Standards Registry API")
    cfg.setdefault("API_VERSION", "v1")
    cfg.setdefault("OPENAPI_VERSION", "3.0.3")
    cfg.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    cfg.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    cfg.setdefault("BABEL_DEFAULT_LOCALE", cfg["DEFAULT_LOCALE"])
    return cfg
