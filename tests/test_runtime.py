"""How processes run: session keys, production refusals, the inline updater under gunicorn."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from registry import create_app
from registry.extensions import db
from registry.runtime import ConfigurationError
from tests.conftest import make_config, own_database
from tests.servers import free_port, kill_group, request, start_gunicorn, wait_healthy


def _config(tmp: Path, **extra: Any) -> dict[str, Any]:
    cfg = make_config(tmp, SECRET_KEY_FILE=str(tmp / "instance" / "secret_key"), **extra)
    cfg.pop("SECRET_KEY")
    return cfg


class TestSessionKey:
    def test_each_installation_gets_its_own_key_kept_across_restarts(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
        first = create_app(_config(tmp_path)).config["SECRET_KEY"]
        assert first and first != "dev-only-change-me" and len(first) >= 32
        key_file = tmp_path / "instance" / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert create_app(_config(tmp_path)).config["SECRET_KEY"] == first  # a restart
        other = tmp_path / "other"
        assert create_app(_config(other)).config["SECRET_KEY"] != first  # another machine

    def test_a_cookie_signed_with_the_published_dev_key_opens_nothing(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Before: `registry serve` signed sessions with "dev-only-change-me", so anyone
        could forge an administrator's session cookie and open /audit."""
        from flask.sessions import SecureCookieSessionInterface

        from registry.accounts.services import create_user
        from registry.database import upgrade_database
        from tests.declarations.conftest import PASSWORD

        monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
        app = create_app(_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'k.sqlite3'}"))
        with app.app_context():
            upgrade_database()
            admin = create_user("root@example.com", "管理员", PASSWORD, role="admin")
            db.session.commit()
            session_id = admin.get_id()
            db.session.remove()
        forger = Flask("forger")
        forger.secret_key = "dev-only-change-me"
        signer = SecureCookieSessionInterface().get_signing_serializer(forger)
        assert signer is not None
        forged = signer.dumps({"_user_id": session_id, "_fresh": True})
        client = app.test_client()
        client.set_cookie("session", forged)
        resp = client.get("/audit")
        assert resp.status_code in (302, 401, 403)
        assert "管理员" not in resp.get_data(as_text=True)
        with app.app_context():
            db.engine.dispose()


class TestProduction:
    GOOD_KEY = "k" * 48

    @pytest.mark.parametrize(("extra", "message"), [
        ({}, "REGISTRY_SECRET_KEY"),
        ({"SECRET_KEY": "dev-only-change-me"}, "公开的示例值"),
        ({"SECRET_KEY": "short"}, "短于"),
        ({"SECRET_KEY": GOOD_KEY, "INDEXER": "manual"}, "REGISTRY_INDEXER"),
    ])
    def test_refuses_to_start(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              extra: dict[str, Any], message: str) -> None:
        monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
        cfg = _config(tmp_path, ENV="production", INDEXER="worker")
        cfg.update(extra)
        with pytest.raises(ConfigurationError, match=message):
            create_app(cfg)
        assert not (tmp_path / "instance" / "secret_key").exists()  # nothing made up

    def test_starts_when_configured(self, tmp_path: Path) -> None:
        cfg = _config(tmp_path, ENV="production", INDEXER="worker")
        cfg["SECRET_KEY"] = self.GOOD_KEY
        assert create_app(cfg).config["SECRET_KEY"] == self.GOOD_KEY

    def test_registry_command_says_why(self, tmp_path: Path) -> None:
        env = {**os.environ, "REGISTRY_ENV": "production", "REGISTRY_SECRET_KEY": "",
               "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
               "REGISTRY_SECRET_KEY_FILE": str(tmp_path / "secret_key")}
        got = subprocess.run([sys.executable, "-c", "from registry.cli import main; main()",
                              "init-db"], env=env, capture_output=True, text=True, timeout=120)
        assert got.returncode != 0
        assert "REGISTRY_SECRET_KEY" in got.stderr + got.stdout


@pytest.fixture
def served_db(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A migrated database with an administrator; yields (url, token)."""
    from registry.accounts.services import create_user, issue_token
    from tests.declarations.conftest import PASSWORD

    with own_database(tmp_path, "served") as app:
        with app.app_context():
            admin = create_user("ops@example.com", "运维", PASSWORD, role="admin")
            token = issue_token(admin, "ops")
            db.session.commit()
            db.session.remove()
            db.engine.dispose()  # the server processes hold the database from now on
        yield app.config["DATABASE_URL"], token


def test_gunicorn_with_the_default_inline_updater_indexes_writes(
        tmp_path: Path, served_db: tuple[str, str]) -> None:
    """Before: `gunicorn wsgi:app` in the default inline mode never indexed anything."""
    url, token = served_db
    port = free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": url,
           "REGISTRY_INDEX_DIR": str(tmp_path / "index"),
           "REGISTRY_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
           "REGISTRY_RATELIMIT_ENABLED": "0"}
    env.pop("REGISTRY_INDEXER", None)
    log = tmp_path / "web.log"
    server = start_gunicorn(env, port, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        status, _ = request(base + "/api/v1/standards", "POST",
                            {"number": "GB/T 50123-2024", "title_zh": "生产部署索引测试"}, token)
        assert status == 201
        found: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not found:
            status, result = request(base + "/api/v1/search?q=" + quote("生产部署索引"))
            if status == 200:  # (503 until the first updater has built the index)
                found = [h.get("number", "") for h in result.get("items", [])]
            time.sleep(0.3)
        assert found == ["GB/T 50123-2024"]
    finally:
        kill_group(server, signal.SIGTERM)
    out = log.read_text(errors="replace")
    assert "Traceback" not in out, out[-3000:]
