"""Shared fixtures: one migrated database per session, one rolled-back transaction per test.

Set REGISTRY_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run the
same suite on PostgreSQL; otherwise a SQLite file in a temporary directory is used.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_sqlalchemy.session import Session as _FsaSession
from sqlalchemy import create_engine, text

from registry import create_app
from registry.extensions import db as _db

PG_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")


def _sa_url(url: str) -> str:
    from registry.config import build_config

    return str(build_config({"DATABASE_URL": url})["SQLALCHEMY_DATABASE_URI"])


def _private_postgres(url: str, suffix: str = "") -> str:
    """A fresh database of our own next to ``url``, so parallel runs never collide."""
    from sqlalchemy.engine import make_url

    name = f"registry_test_{os.getpid()}{suffix}"
    engine = create_engine(_sa_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(_sa_url(url)).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str, private: str) -> None:
    from sqlalchemy.engine import make_url

    engine = create_engine(_sa_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(private).database}" WITH (FORCE)'))
    engine.dispose()


_PRIVATE_PG: list[str] = []


def make_config(tmp: Path, **extra: Any) -> dict[str, Any]:
    """Test configuration: its own database and index directory."""
    url = (_PRIVATE_PG[0] if _PRIVATE_PG else PG_URL) or f"sqlite:///{tmp / 'test.sqlite3'}"
    cfg: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": url,
        "INDEX_DIR": str(tmp / "index"),
        "WTF_CSRF_ENABLED": False,
        "INDEXER": "manual",
        # the suite runs thousands of requests from one address: tests/test_security.py
        # turns the limits on where it tests them
        "RATELIMIT_ENABLED": False,
    }
    cfg.update(extra)
    return cfg


@contextlib.contextmanager
def own_database(tmp: Path, name: str, **extra: Any) -> Iterator[Flask]:
    """An app on a migrated database of its own, for tests that need committed data (real
    servers, threads, several connections): a SQLite file in ``tmp``, or a private
    PostgreSQL database next to ``REGISTRY_TEST_DATABASE_URL``, dropped afterwards."""
    from registry.database import upgrade_database

    private = _private_postgres(PG_URL, f"_{name}") if PG_URL else None
    url = private or f"sqlite:///{tmp / f'{name}.sqlite3'}"
    application = create_app(make_config(tmp, DATABASE_URL=url, **extra))
    try:
        with application.app_context():
            upgrade_database()
            _db.session.remove()
        yield application
    finally:
        with application.app_context():
            _db.engine.dispose()
        if private:
            _drop_postgres(PG_URL, private)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One application and one migrated database for the whole session."""
    tmp = tmp_path_factory.mktemp("app")
    if PG_URL and not _PRIVATE_PG:
        _PRIVATE_PG.append(_private_postgres(PG_URL))
    application = create_app(make_config(tmp))
    with application.app_context():
        from registry.database import upgrade_database

        upgrade_database()
        _db.session.remove()
    yield application
    with application.app_context():
        _db.engine.dispose()
    if _PRIVATE_PG:
        _drop_postgres(PG_URL, _PRIVATE_PG.pop())


class _PinnedSession(_FsaSession):
    """Flask-SQLAlchemy's session picks its engine per bind key; tests pin one connection."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """A session inside one outer transaction, rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": _PinnedSession}
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and ``g``), as in production.

    Without this, requests reuse the app context the ``db`` fixture pushed, and whatever a
    request caches in ``g`` (locale, the API user) leaks into the next one.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask, db: Any) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: Any) -> FlaskCliRunner:
    return app.test_cli_runner()
