"""Many clients at once on the embedded default (SQLite, WAL): reads never fail under writes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from registry.accounts.models import ApiToken
from registry.accounts.services import create_user, issue_token
from registry.extensions import db
from tests.conftest import own_database


@pytest.fixture
def busy_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own committed database (SQLite file, or a private PostgreSQL one)."""
    with own_database(tmp_path, "busy") as app:
        yield app


def _tokens(app: Flask) -> tuple[str, str]:
    from tests.declarations.conftest import CODE_A, PASSWORD, make_enterprise

    with app.app_context():
        admin = create_user("admin@example.com", "管理员", PASSWORD, role="admin")
        reader = create_user("reader@example.com", "读者", PASSWORD,
                             enterprise=make_enterprise(CODE_A, "嵊州市甲机械有限公司"))
        tokens = issue_token(admin, "writes"), issue_token(reader, "reads")
        db.session.commit()
        db.session.remove()
    return tokens


def test_token_reads_never_fail_while_others_write(busy_app: Flask) -> None:
    """4 threads add catalogue records while 4 read ``/api/v1/me`` with a bearer token:
    recording the token's use must not turn a read into a failing write."""
    write_token, read_token = _tokens(busy_app)
    statuses: dict[str, list[int]] = {"read": [], "write": []}
    failures: list[str] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        client = busy_app.test_client()
        for i in range(25):
            resp = client.post("/api/v1/standards", json={
                "number": f"GB/T {40000 + n * 100 + i}-2024", "title_zh": "并发写入测试"},
                headers={"Authorization": f"Bearer {write_token}"})
            with lock:
                statuses["write"].append(resp.status_code)

    def reader() -> None:
        client = busy_app.test_client()
        for _ in range(40):
            try:
                resp = client.get("/api/v1/me",
                                  headers={"Authorization": f"Bearer {read_token}"})
            except Exception as exc:  # TESTING propagates what would be a 500
                with lock:
                    statuses["read"].append(500)
                    failures.append(repr(exc)[:200])
                continue
            with lock:
                statuses["read"].append(resp.status_code)
                if resp.status_code != 200:
                    failures.append(resp.get_data(as_text=True)[:200])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses["write"] == [201] * 100
    assert len(statuses["read"]) == 160
    assert not failures, failures[:3]
    with busy_app.app_context():
        used = db.session.scalars(select(ApiToken.last_used_at)).all()
        assert all(used), "both tokens' use is recorded"
        db.session.remove()


def test_token_use_is_recorded_at_most_every_few_minutes(busy_app: Flask) -> None:
    """A read records the use in its own short transaction, not once per request."""
    import datetime as dt

    _, read_token = _tokens(busy_app)
    client = busy_app.test_client()
    headers = {"Authorization": f"Bearer {read_token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with busy_app.app_context():
        first = db.session.scalar(select(ApiToken.last_used_at)
                                  .where(ApiToken.label == "reads"))
        assert first is not None
        db.session.remove()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with busy_app.app_context():
        again = db.session.scalar(select(ApiToken.last_used_at)
                                  .where(ApiToken.label == "reads"))
        assert again == first  # within the interval: no write at all
        row = db.session.scalar(select(ApiToken).where(ApiToken.label == "reads"))
        assert row is not None
        row.last_used_at = first - dt.timedelta(hours=1)
        db.session.commit()
        db.session.remove()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with busy_app.app_context():
        later = db.session.scalar(select(ApiToken.last_used_at)
                                  .where(ApiToken.label == "reads"))
        assert later is not None and later >= first
        db.session.remove()
