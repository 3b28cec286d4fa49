"""Application skeleton: configuration, health, migrations match the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from registry.config import build_config, from_environment
from registry.extensions import db as _db


class TestConfig:
    def test_environment_overrides_defaults(self, monkeypatch: Any) -> None:
        monkeypatch.setenv("REGISTRY_DATABASE_URL", "postgresql://u@h/db")
        monkeypatch.setenv("REGISTRY_INDEX_DIR", "/srv/idx")
        monkeypatch.setenv("REGISTRY_PORT", "8123")
        cfg = build_config()
        assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
        assert cfg["INDEX_DIR"] == "/srv/idx"
        assert cfg["PORT"] == 8123

    def test_explicit_config_wins_over_environment(self, monkeypatch: Any) -> None:
        monkeypatch.setenv("REGISTRY_INDEX_DIR", "/srv/idx")
        assert build_config({"INDEX_DIR": "/x"})["INDEX_DIR"] == "/x"

    def test_unset_variables_are_ignored(self) -> None:
        assert from_environment({"REGISTRY_PORT": "", "OTHER": "1"}) == {}

    def test_defaults_live_under_instance(self, monkeypatch: Any) -> None:
        monkeypatch.delenv("REGISTRY_DATABASE_URL", raising=False)
        monkeypatch.delenv("REGISTRY_INDEX_DIR", raising=False)
        cfg = build_config()
        assert "instance" in cfg["SQLALCHEMY_DATABASE_URI"]
        assert cfg["INDEX_DIR"].endswith("instance/index")


class TestHealth:
    def test_healthz_reports_database(self, client: Any) -> None:
        resp = client.get("/healthz")
        assert resp.status_code == 200
        assert resp.get_json()["status"] == "ok"


class TestMigrations:
    def test_migrations_produce_exactly_the_models_schema(self, app: Flask, db: Any) -> None:
        with app.app_context():
            conn = _db.session.connection()
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, _db.metadata)
        assert diff == []

    def test_unknown_api_path_uses_error_contract(self, client: Any) -> None:
        resp = client.get("/api/v1/nope")
        assert resp.status_code == 404
        body = resp.get_json()
        assert set(body) == {"code", "status", "message", "errors"}
        assert body["status"] == 404


class TestRaces:
    def test_unique_violation_from_a_race_answers_409_and_keeps_nothing(
            self, tmp_path: Any) -> None:
        from sqlalchemy import func, select

        from registry import create_app
        from registry.accounts.models import User
        from registry.database import upgrade_database
        from tests.conftest import make_config

        application = create_app(make_config(
            tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}"))

        @application.post("/api/v1/_race")
        def _race() -> Any:
            # what a lost race looks like: our row is flushed, then the unique index fires
            _db.session.add(User(email="a@example.com", name="a", password_hash="x"))
            _db.session.flush()
            _db.session.add(User(email="a@example.com", name="b", password_hash="x"))
            _db.session.flush()
            raise AssertionError("unreachable")  # pragma: no cover

        with application.app_context():
            upgrade_database()
        resp = application.test_client().post("/api/v1/_race")
        assert resp.status_code == 409
        assert resp.get_json()["code"] == "conflict"
        with application.app_context():
            assert _db.session.scalar(select(func.count()).select_from(User)) == 0
            _db.engine.dispose()

    def test_a_writing_request_holds_the_write_lock_from_its_first_read(
            self, tmp_path: Any) -> None:
        """SQLite: another writer committing between a request's read and its write would make
        the write fail ("database is locked"); a POST takes the lock up front, a GET does not."""
        import sqlite3

        from sqlalchemy import func, select

        from registry import create_app
        from registry.accounts.models import User
        from registry.database import upgrade_database
        from tests.conftest import make_config

        path = tmp_path / "locks.sqlite3"
        application = create_app(make_config(tmp_path, DATABASE_URL=f"sqlite:///{path}"))
        other: list[str] = []

        def other_writer() -> None:  # a second connection, as the index updater would be
            conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO users (email, name, password_hash, role, active) "
                             f"VALUES ('other{len(other)}@example.com', 'o', 'x', 'member', 1)")
                conn.execute("COMMIT")
                other.append("committed")
            except sqlite3.OperationalError as exc:
                other.append(str(exc))
            finally:
                conn.close()

        @application.route("/_read_then_write", methods=["GET", "POST"])
        def _read_then_write() -> Any:
            from flask import request

            _db.session.scalar(select(func.count()).select_from(User))  # the first read
            other_writer()
            if request.method == "POST":
                _db.session.add(User(email="me@example.com", name="me", password_hash="x"))
                _db.session.commit()
            _db.session.rollback()
            return ""

        with application.app_context():
            upgrade_database()
        client = application.test_client()
        assert client.get("/_read_then_write").status_code == 200
        assert other == ["committed"]  # a reading request never blocks a writer
        assert client.post("/_read_then_write").status_code == 200
        assert other[1] == "database is locked"  # it had to wait for the request
        with application.app_context():
            emails = set(_db.session.scalars(select(User.email)))
            assert "me@example.com" in emails
            _db.engine.dispose()
        other_writer()  # and gets in afterwards
        assert other[2] == "committed"
