"""Request ids, structured logs and the health check's index lag."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, update

from registry.requestlog import JsonFormatter, RequestIdFilter
from registry.search.models import ChangeFeed


@pytest.fixture
def json_log(app: Flask) -> Any:
    """The access log as the production handler writes it (JSON lines), captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("registry")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


class TestRequestId:
    def test_every_answer_carries_one(self, client: Any) -> None:
        first = client.get("/healthz").headers["X-Request-ID"]
        second = client.get("/api/v1/nothing-here").headers["X-Request-ID"]
        assert len(first) == 32 and first != second

    def test_a_proxys_id_is_kept_when_plausible(self, client: Any) -> None:
        assert client.get("/healthz", headers={"X-Request-ID": "nginx-5f2a9c01"}
                          ).headers["X-Request-ID"] == "nginx-5f2a9c01"
        hostile = "x\r\nSet-Cookie: a=b" + "y" * 100
        got = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
        assert got.headers["X-Request-ID"] != "<script>alert(1)</script>"
        got = client.get("/healthz", headers={"X-Request-ID": hostile[:60].replace("\r\n", "")})
        assert len(got.headers["X-Request-ID"]) <= 64

    def test_access_line_is_json_with_the_id(self, client: Any, json_log: Any) -> None:
        rid = client.get("/standards?page=1").headers["X-Request-ID"]
        lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
        access = [e for e in lines if e["logger"] == "registry.access"]
        assert access, lines
        entry = access[-1]
        assert entry["request_id"] == rid and entry["status"] == 200
        assert entry["method"] == "GET" and entry["path"] == "/standards"
        assert isinstance(entry["ms"], float) and entry["level"] == "info"


class TestHealth:
    def test_reports_the_index_lag(self, client: Any, db: Any) -> None:
        body = client.get("/healthz").get_json()
        assert body["index"]["pending"] == 0 and body["status"] == "ok"
        db.session.execute(insert(ChangeFeed), [{"entity": "standard", "entity_id": 1,
                                                 "op": "upsert"}])
        db.session.flush()
        body = client.get("/healthz").get_json()
        assert body["index"]["pending"] == 1
        assert 0 <= body["index"]["oldest_seconds"] < 60

    def test_lagging_node_answers_503(self, app: Flask, client: Any, db: Any) -> None:
        import datetime as dt

        db.session.execute(insert(ChangeFeed), [{"entity": "standard", "entity_id": 1,
                                                 "op": "upsert"}])
        db.session.execute(update(ChangeFeed).values(
            created_at=dt.datetime.now() - dt.timedelta(hours=30)))  # noqa: DTZ005
        db.session.flush()
        app.config["HEALTH_MAX_INDEX_LAG_SECONDS"] = 60
        try:
            resp = client.get("/healthz")
        finally:
            app.config["HEALTH_MAX_INDEX_LAG_SECONDS"] = 0
        assert resp.status_code == 503 and resp.get_json()["status"] == "lagging"
        assert resp.get_json()["index"]["oldest_seconds"] > 60
