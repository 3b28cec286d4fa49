"""`registry index-worker` as a real process: it outlives a locked database and a dropped
connection, logs one line per failure, catches up, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from registry.extensions import db
from registry.search.indexer import check_index, rebuild, store_for
from registry.search.models import ChangeFeed
from tests.conftest import PG_URL, _sa_url, own_database
from tests.search.conftest import add


@pytest.fixture
def worker_app(tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    with own_database(tmp_path, "worker", SQLITE_BUSY_TIMEOUT_MS=200) as app:
        with app.app_context():
            rebuild(store_for(app))
            db.session.remove()
        env = {**os.environ, "REGISTRY_DATABASE_URL": app.config["DATABASE_URL"],
               "REGISTRY_INDEX_DIR": app.config["INDEX_DIR"],
               "REGISTRY_SQLITE_BUSY_TIMEOUT_MS": "200", "REGISTRY_INDEXER": "worker",
               "REGISTRY_SECRET_KEY": "test-worker-key"}
        yield app, env


def _pending(app: Flask) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(ChangeFeed)) or 0
        db.session.remove()
        return n


def _wait(cond: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from registry.cli import main; main()", "index-worker",
         "--interval", "0.1", "--max-pause", "0.4"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_worker_survives_transient_database_errors(
        worker_app: tuple[Flask, dict[str, str]]) -> None:
    app, env = worker_app
    with app.app_context():
        for i in range(3):
            add(number=f"GB/T {50000 + i}-2022", title_zh="索引进程容错测试")
        db.session.remove()
    assert _pending(app) == 3
    holder = None
    if not PG_URL:
        # another writer holds SQLite's write lock far longer than the busy timeout, from
        # before the worker starts until well after it has found the pending changes
        path = app.config["DATABASE_URL"][len("sqlite:///"):]
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    worker = _start(env)
    try:
        if PG_URL:
            # the database drops the worker's connections (a restart, a failover)
            assert _wait(lambda: _pending(app) == 0)
            admin = create_engine(_sa_url(app.config["DATABASE_URL"]))
            for _ in range(3):
                with admin.begin() as conn:
                    conn.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                time.sleep(0.3)
            admin.dispose()
            with app.app_context():
                db.engine.dispose()  # ours were dropped too
                add(number="GB/T 50010-2022", title_zh="索引进程容错测试 断线之后")
                db.session.remove()
        else:
            assert holder is not None
            time.sleep(5)  # the worker starts (about 1 s), reads the feed, cannot delete
            assert worker.poll() is None, worker.communicate(timeout=5)
            holder.execute("ROLLBACK")
            holder.close()
        assert _wait(lambda: _pending(app) == 0), "the worker catches up"
        assert worker.poll() is None, "the worker is still running"
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    assert "index updater:" in err  # the failures were reported ...
    failures = [line for line in err.splitlines() if "index updater:" in line]
    assert all("retrying in" in line for line in failures)  # ... one line each
    assert "recovered" in err
    assert "stopped" in out
    with app.app_context():
        report = check_index(store_for(app))
        db.session.remove()
    assert report.ok and report.pending == 0
