"""Trust (issue 9): security headers on every response, and the rate limits (Flask-Limiter)
against both storages — memory:// and the real Redis at 127.0.0.1:6379."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry import create_app
from registry.identifiers import make_credit_code
from tests.conftest import FreshContextClient, make_config
from tests.declarations.conftest import PASSWORD, assert_contract, reuse_password_hashes

REDIS_URL = os.environ.get("REGISTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# -- headers ----------------------------------------------------------------------------------

class TestHeaders:
    @pytest.mark.parametrize("path", ["/", "/standards", "/login", "/api/v1/standards",
                                      "/no-such-page", "/static/registry.css",
                                      "/api/v1/openapi.json"])
    def test_every_response(self, client: FlaskClient, path: str) -> None:
        resp = client.get(path)
        resp.close()  # a static file is streamed from an open file
        csp = resp.headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                          "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'",
                          "style-src 'self'"):
            assert directive in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in resp.headers  # plain http

    def test_hsts_only_over_https(self, client: FlaskClient) -> None:
        resp = client.get("/", base_url="https://localhost")
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=")

    def test_no_inline_script_or_style_in_pages(self, client: FlaskClient) -> None:
        import re

        for path in ("/", "/standards", "/search?q=GB", "/login", "/signup", "/declarations"):
            html = client.get(path).get_data(as_text=True)
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
            assert "<style" not in html and " style=" not in html, path
            assert not re.search(r"\son[a-z]+=", html), path


# -- rate limits ------------------------------------------------------------------------------

def _redis_or_skip() -> Any:
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.RedisError as exc:
        if "REGISTRY_TEST_REDIS_URL" in os.environ:
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return conn


@pytest.fixture(params=["memory", "redis"])
def limited_app(request: pytest.FixtureRequest, db: Any, tmp_path: Any,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An application with small limits, on the test database (rolled back), counting in
    memory or in the real Redis under a prefix of its own (deleted afterwards)."""
    reuse_password_hashes(monkeypatch)
    prefix = f"registry-test-{uuid.uuid4().hex}"
    conn = None
    storage = "memory://"
    if request.param == "redis":
        conn = _redis_or_skip()
        storage = REDIS_URL
    app = create_app(make_config(
        tmp_path, DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE=storage, RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_API="12 per minute", RATELIMIT_SIGNIN="4 per minute",
        RATELIMIT_SIGNUP="3 per hour", RATELIMIT_TOKEN="2 per hour"))
    app.test_client_class = FreshContextClient
    try:
        yield app
    finally:
        if conn is not None:
            keys = list(conn.scan_iter(match=f"*{prefix}*"))
            assert keys, "the limiter wrote nothing to Redis"
            conn.delete(*keys)
            conn.close()


def _signup_form(i: int) -> dict[str, str]:
    return {"ent_name": f"嵊州市限流测试电器有限公司{i}",
            "credit_code": make_credit_code("9", "1", "330683", f"MA2C0000{i}"),
            "region_code": "", "industry_code": "38", "contact_name": "王质量",
            "email": f"limit{i}@example.com", "password": PASSWORD, "password2": PASSWORD}


def _assert_html_429(resp: Any) -> None:
    assert resp.status_code == 429
    assert resp.mimetype == "text/html"
    assert "请求过于频繁" in resp.get_data(as_text=True)
    assert int(resp.headers["Retry-After"]) > 0


def _assert_api_429(resp: Any) -> None:
    body = assert_contract(resp, 429, "too_many_requests")
    assert "请求过于频繁" in body["message"] and body["errors"] == {}
    assert int(resp.headers["Retry-After"]) > 0


class TestRateLimits:
    def test_fourth_signup_from_one_address_is_429(self, limited_app: Flask) -> None:
        for i in range(3):
            resp = limited_app.test_client().post("/signup", data=_signup_form(i))
            assert resp.status_code == 302, resp.get_data(as_text=True)
        client = limited_app.test_client()
        _assert_html_429(client.post("/signup", data=_signup_form(3)))
        assert client.get("/signup").status_code == 200  # only attempts count
        # the API draws on the same budget
        _assert_api_429(client.post("/api/v1/signup", json={}))
        # another address is not held back
        other = client.post("/signup", data=_signup_form(3),
                            environ_base={"REMOTE_ADDR": "198.51.100.9"})
        assert other.status_code == 302

    def test_signup_api_alone(self, limited_app: Flask) -> None:
        client = limited_app.test_client()
        for _ in range(3):
            assert_contract(client.post("/api/v1/signup", json={"email": "x"}), 422)
        _assert_api_429(client.post("/api/v1/signup", json={"email": "x"}))

    def test_sign_in_page_and_token_api_share_a_budget(self, limited_app: Flask) -> None:
        client = limited_app.test_client()
        for _ in range(4):
            assert client.get("/login").status_code == 200  # reading the form is free
        for _ in range(3):
            resp = client.post("/login", data={"email": "n@example.com", "password": "wrong-one"})
            assert resp.status_code == 401
        assert client.post("/api/v1/tokens", json={"email": "n@example.com",
                                                   "password": "wrong-one"}).status_code == 401
        _assert_html_429(client.post("/login", data={"email": "n@example.com",
                                                     "password": "wrong-one"}))
        _assert_api_429(client.post("/api/v1/tokens", json={"email": "n@example.com",
                                                            "password": "wrong-one"}))

    def test_token_issue_page(self, limited_app: Flask, db: Any) -> None:
        from registry.accounts.services import create_user

        create_user("t@example.com", "令牌", PASSWORD)
        db.session.commit()
        client = limited_app.test_client()
        assert client.post("/login", data={"email": "t@example.com",
                                           "password": PASSWORD}).status_code == 302
        for _ in range(2):
            assert client.post("/account/tokens", data={"label": "ERP"}).status_code == 200
        assert client.get("/account/tokens").status_code == 200
        _assert_html_429(client.post("/account/tokens", data={"label": "ERP"}))

    def test_token_issue_api(self, limited_app: Flask, db: Any) -> None:
        from registry.accounts.services import create_user

        create_user("t@example.com", "令牌", PASSWORD)
        db.session.commit()
        client = limited_app.test_client()
        for _ in range(2):
            resp = client.post("/api/v1/tokens", json={"email": "t@example.com",
                                                       "password": PASSWORD})
            assert resp.status_code == 201
        _assert_api_429(client.post("/api/v1/tokens", json={"email": "t@example.com",
                                                            "password": PASSWORD}))

    def test_the_api_as_a_whole(self, limited_app: Flask) -> None:
        client = limited_app.test_client()
        paths = ["/api/v1/standards", "/api/v1/openapi.json", "/api/v1/enterprises/x",
                 "/api/v1/search?q=GB"]
        for i in range(12):
            assert client.get(paths[i % len(paths)]).status_code != 429
        _assert_api_429(client.get("/api/v1/standards"))
        assert client.get("/standards").status_code == 200  # pages are not the API
        other = client.get("/api/v1/standards", environ_base={"REMOTE_ADDR": "198.51.100.9"})
        assert other.status_code == 200

    def test_english_page(self, limited_app: Flask) -> None:
        client = limited_app.test_client()
        for _ in range(4):
            client.post("/login?lang=en", data={"email": "n@example.com", "password": "x" * 8})
        resp = client.post("/login?lang=en", data={"email": "n@example.com",
                                                   "password": "x" * 8})
        assert resp.status_code == 429 and "Too many requests" in resp.get_data(as_text=True)


def test_limits_off_when_disabled(app: Flask, client: FlaskClient) -> None:
    """The suite's own application runs with the limits off (tests/conftest.py)."""
    assert app.config["RATELIMIT_ENABLED"] is False
    for _ in range(15):
        assert client.post("/api/v1/signup", json={}).status_code == 422
