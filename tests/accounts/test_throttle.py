"""The sign-in throttle (API and page); a password change ends sessions and revokes tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update

from registry.accounts.models import ApiToken, SignInFailure
from tests.declarations.conftest import (
    PASSWORD,
    World,
    assert_contract,
    count,
)


def api_sign_in(client: Any, password: str, email: str = "a@example.com",
                ip: str = "10.0.0.1") -> Any:
    return client.post("/api/v1/tokens", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def page_sign_in(client: Any, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login", data={"email": "a@example.com", "password": password},
                       environ_base={"REMOTE_ADDR": ip})


class TestThrottle:
    def test_api_refuses_after_five_failures_even_the_right_password(
            self, client: Any, db: Any, world: World) -> None:
        for _ in range(5):
            assert_contract(api_sign_in(client, "wrong password"), 401, "unauthorized")
        resp = api_sign_in(client, PASSWORD)
        body = assert_contract(resp, 429, "too_many_requests")
        assert body["message"] == "登录失败次数过多，请 15 分钟后再试"
        assert resp.headers["Retry-After"] == "900"
        assert count(db, SignInFailure) == 5  # refused attempts are not counted
        # another address is not held back by this one's failures
        assert api_sign_in(client, PASSWORD, ip="10.0.0.2").status_code == 201
        # once the failures are older than the window, the first address may sign in again
        db.session.execute(update(SignInFailure).values(
            at=SignInFailure.at - dt.timedelta(minutes=16)))
        db.session.commit()
        assert api_sign_in(client, PASSWORD).status_code == 201
        assert count(db, SignInFailure) == 0

    def test_a_success_clears_the_count(self, client: Any, db: Any, world: World) -> None:
        for _ in range(4):
            api_sign_in(client, "wrong password")
        assert api_sign_in(client, PASSWORD).status_code == 201
        for _ in range(4):
            api_sign_in(client, "wrong password")
        assert api_sign_in(client, PASSWORD).status_code == 201

    def test_one_account_from_many_addresses(self, app: Any, client: Any, world: World,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        # 4x = 8 failures for one e-mail from anywhere
        monkeypatch.setitem(app.config, "SIGNIN_MAX_FAILURES", 2)
        for i in range(8):
            api_sign_in(client, "wrong password", ip=f"10.1.0.{i}")
        assert_contract(api_sign_in(client, PASSWORD, ip="10.1.1.1"), 429, "too_many_requests")

    def test_many_accounts_from_one_address(self, app: Any, client: Any, world: World,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
        # 10x = 10 failures from one address, any e-mail
        monkeypatch.setitem(app.config, "SIGNIN_MAX_FAILURES", 1)
        for i in range(10):
            api_sign_in(client, "whatever", email=f"nobody{i}@example.com")
        assert_contract(api_sign_in(client, PASSWORD), 429, "too_many_requests")
        assert api_sign_in(client, PASSWORD, ip="10.0.0.9").status_code == 201

    def test_zero_turns_it_off(self, app: Any, client: Any, db: Any, world: World,
                               monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(app.config, "SIGNIN_MAX_FAILURES", 0)
        for _ in range(6):
            api_sign_in(client, "wrong password")
        assert api_sign_in(client, PASSWORD).status_code == 201

    def test_page_says_so_in_chinese_and_english(self, client: Any, world: World) -> None:
        for _ in range(5):
            assert page_sign_in(client, "wrong password").status_code == 401
        resp = page_sign_in(client, PASSWORD)
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "900"
        assert "登录失败次数过多，请 15 分钟后再试" in resp.get_data(as_text=True)
        resp = client.post("/login?lang=en", data={"email": "a@example.com", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert resp.status_code == 429
        assert "Too many failed sign-ins" in resp.get_data(as_text=True)


class TestPasswordChangeRevokesTokens:
    def test_api_keeps_only_the_token_making_the_change(
            self, client: Any, db: Any, world: World) -> None:
        other = api_sign_in(client, PASSWORD).get_json()["token"]
        headers = world.headers("member_a")
        resp = client.post("/api/v1/me/password", headers=headers,
                           json={"old_password": PASSWORD, "new_password": "new-password-1"})
        assert resp.status_code == 204, resp.get_json()
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert_contract(client.get("/api/v1/me",
                                   headers={"Authorization": f"Bearer {other}"}), 401)
        user = world.users["member_a"]
        assert count(db, ApiToken, ApiToken.user_id == user.id) == 1

    def test_wrong_old_password_revokes_nothing(self, client: Any, db: Any, world: World) -> None:
        other = api_sign_in(client, PASSWORD).get_json()["token"]
        resp = client.post("/api/v1/me/password", headers=world.headers("member_a"),
                           json={"old_password": "nope", "new_password": "new-password-1"})
        assert_contract(resp, 422, "validation_error")
        assert client.get("/api/v1/me",
                          headers={"Authorization": f"Bearer {other}"}).status_code == 200

    def test_other_sessions_end_this_one_stays(self, app: Any, client: Any, world: World) -> None:
        other = app.test_client()
        for c in (client, other):
            assert page_sign_in(c, PASSWORD).status_code == 302
            assert c.get("/dashboard").status_code == 200
        resp = client.post("/account/password", data={
            "old_password": PASSWORD, "new_password": "new-password-1",
            "new_password2": "new-password-1"})
        assert resp.status_code == 302
        assert client.get("/dashboard").status_code == 200  # the browser that changed it
        resp = other.get("/dashboard")  # signed in before the change: signed out now
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
        assert page_sign_in(other, "new-password-1").status_code == 302
        assert other.get("/dashboard").status_code == 200

    def test_page_revokes_every_token(self, client: Any, db: Any, world: World) -> None:
        token = world.tokens["member_a"]
        assert page_sign_in(client, PASSWORD).status_code == 302
        assert "全部 API 令牌都将被撤销" in client.get("/account/password").get_data(as_text=True)
        resp = client.post("/account/password", data={
            "old_password": PASSWORD, "new_password": "new-password-1",
            "new_password2": "new-password-1"}, follow_redirects=True)
        assert resp.status_code == 200
        assert "密码已修改；已撤销 1 个 API 令牌" in resp.get_data(as_text=True)
        assert_contract(client.get("/api/v1/me",
                                   headers={"Authorization": f"Bearer {token}"}), 401)


def test_behind_a_proxy_the_forwarded_address_counts(db: Any) -> None:
    from registry import create_app

    app = create_app({"TESTING": True, "PROXY_HOPS": 1, "SECRET_KEY": "t",
                      "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
                      "INDEXER": "manual"})
    seen: list[str | None] = []

    @app.get("/_addr")
    def _addr() -> str:
        from flask import request
        seen.append(request.remote_addr)
        return ""

    app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == ["203.0.113.7"]
