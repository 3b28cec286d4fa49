"""Flask extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def utcnow() -> dt.datetime:
    """Now, as the DateTime columns store it: naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _request_writes() -> bool:
    """Inside a request that may write (not GET/HEAD/OPTIONS)."""
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def configure_engine(engine: Engine, busy_timeout_ms: int = 10_000) -> None:
    """SQLite: real transactions (savepoints work), foreign keys, WAL for concurrent readers.

    A request that may write begins its transactions with ``BEGIN IMMEDIATE``: it takes the
    write lock before its first read, so another writer (the in-process index updater,
    another request) waits for it instead of committing between its reads and its writes
    — in WAL mode that makes the later write fail at once with "database is locked"
    (a stale snapshot cannot be upgraded; the busy timeout does not help). Reads (GET)
    keep deferred transactions and never block writers.
    """
    if engine.dialect.name != "sqlite" or getattr(engine, "_registry_configured", False):
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _request_writes() else "BEGIN")

    engine._registry_configured = True  # type: ignore[attr-defined]
