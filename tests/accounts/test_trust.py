"""Trust (issue 9): where sign-in sends one next, what a password may be, what sign-up tells
about other people's e-mail addresses, and what the cookies promise."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.accounts import services
from registry.accounts.models import User
from registry.enterprises.models import Enterprise
from registry.errors import ValidationError
from tests.accounts.test_api import signup_body
from tests.accounts.test_views import PASSWORD, log_in, make_user, sign_up, signup_form, text
from tests.declarations.conftest import World, assert_contract, count

# -- 1. open redirect ----------------------------------------------------------------------

HOSTILE_NEXT = [
    "/\t/evil.example/path",      # browsers drop tabs and newlines: //evil.example/path
    "/\n/x",
    "/\r\n/evil.example",
    "/\\evil.example",            # browsers read a backslash as a slash
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "HTTPS://evil.example/x",
    "/%2F%2Fevil.example",        # decoded once more by a proxy or a later redirect
    "/%5Cevil.example",
    "/%09/evil.example",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    " /evil",
    "/ok\x00/evil",
    "http:/evil.example",
    "evil.example",
]


def _assert_on_site(resp: Any) -> None:
    assert resp.status_code != 500
    if resp.status_code == 400:  # a NUL byte may be refused before the view (registry.inputs)
        assert "Location" not in resp.headers
        return
    assert resp.status_code == 302, resp.status_code
    location = resp.headers["Location"]
    # read the Location as a lenient browser would: tabs and newlines dropped, \ as /
    lenient = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    assert urlsplit(urljoin("http://localhost/login", lenient)).netloc == "localhost", location
    assert location.endswith("/dashboard"), location  # hostile: falls back to the home page


@pytest.fixture
def member(client: FlaskClient, db: Any) -> User:
    return make_user("member", "m@example.com")


class TestNext:
    @pytest.mark.parametrize("target", HOSTILE_NEXT)
    def test_hostile_next_when_already_signed_in(self, client: FlaskClient, member: User,
                                                 target: str) -> None:
        assert log_in(client, "m@example.com").status_code == 302
        _assert_on_site(client.get("/login", query_string={"next": target}))

    @pytest.mark.parametrize("target", HOSTILE_NEXT)
    def test_hostile_next_after_signing_in(self, client: FlaskClient, member: User,
                                           target: str) -> None:
        resp = client.post("/login", data={"email": "m@example.com", "password": PASSWORD,
                                           "next": target})
        _assert_on_site(resp)

    def test_raw_tab_in_the_query_string(self, client: FlaskClient, member: User) -> None:
        log_in(client, "m@example.com")
        _assert_on_site(client.get("/login?next=/%09/evil.example/path"))
        _assert_on_site(client.get("/login?next=/%0A/x"))

    @pytest.mark.parametrize("target", ["/account/tokens", "/standards?q=GB%2FT+19001&page=2",
                                        "/standards/GB%2FT%2019001-2016"])
    def test_same_site_paths_are_followed(self, client: FlaskClient, member: User,
                                          target: str) -> None:
        resp = client.post("/login", data={"email": "m@example.com", "password": PASSWORD,
                                           "next": target})
        assert resp.status_code == 302 and resp.headers["Location"] == target


# -- 2. one password rule for every face ------------------------------------------------------

TOO_LONG = "x" * 129
WITH_NUL = "pass\x00word-1"


class TestPasswordRule:
    @pytest.mark.parametrize(("password", "message"), [
        ("short", "密码至少 8 个字符"), (TOO_LONG, "密码不超过 128 个字符"),
        (WITH_NUL, "密码不能包含空字符")])
    def test_service(self, db: Any, password: str, message: str) -> None:
        with pytest.raises(ValidationError) as exc:
            services.create_user("x@example.com", "某人", password)
        assert any(message in m for m in exc.value.errors["password"])
        assert services.password_problems("y" * 128) == []

    @pytest.mark.parametrize(("password", "message"), [
        (TOO_LONG, "密码不超过 128 个字符"), (WITH_NUL, "密码不能包含空字符")])
    def test_signup_page(self, client: FlaskClient, db: Any, password: str, message: str) -> None:
        resp = sign_up(client, password=password, password2=password)
        if resp.status_code != 400:  # a NUL byte may be refused before the view
            assert resp.status_code == 422 and message in text(resp)
        assert count(db, User) == 0

    def test_password_page(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        resp = client.post("/account/password", data={
            "old_password": PASSWORD, "new_password": TOO_LONG, "new_password2": TOO_LONG})
        assert resp.status_code == 422 and "密码不超过 128 个字符" in text(resp)

    @pytest.mark.parametrize("password", [TOO_LONG, WITH_NUL])
    def test_signup_api(self, client: FlaskClient, db: Any, password: str) -> None:
        resp = client.post("/api/v1/signup", json={**signup_body(), "password": password})
        body = assert_contract(resp, 422, "validation_error")
        assert list(body["errors"]) == ["password"]
        assert count(db, User) == 0

    def test_password_api(self, client: FlaskClient, world: World) -> None:
        resp = client.post("/api/v1/me/password", headers=world.headers("member_a"),
                           json={"old_password": PASSWORD, "new_password": TOO_LONG})
        body = assert_contract(resp, 422, "validation_error")
        assert body["errors"] == {"new_password": ["密码不超过 128 个字符"]}

    def test_openapi_documents_the_lengths(self, client: FlaskClient) -> None:
        spec = client.get("/api/v1/openapi.json").get_json()
        prop = spec["components"]["schemas"]["Signup"]["properties"]["password"]
        assert (prop["minLength"], prop["maxLength"]) == (8, 128)


# -- 3. sign-up does not name a registered e-mail ------------------------------------------

class TestSignupDoesNotEnumerate:
    def test_page(self, client: FlaskClient, db: Any) -> None:
        taken = make_user("member", "taken@example.com")
        hash_before = taken.password_hash
        resp = sign_up(client, email="taken@example.com", password="another-pass",
                       password2="another-pass")
        html = text(resp)
        assert resp.status_code == 422
        assert "该邮箱已注册" not in html and services.EMAIL_UNAVAILABLE in html
        assert count(db, Enterprise) == 0
        db.session.refresh(taken)
        assert taken.password_hash == hash_before and taken.enterprise_id is None

    def test_api(self, client: FlaskClient, db: Any, world: World) -> None:
        before = count(db, Enterprise)
        resp = client.post("/api/v1/signup", json={**signup_body(), "email": "a@example.com"})
        body = assert_contract(resp, 422, "validation_error")
        assert body["errors"] == {"email": [services.EMAIL_UNAVAILABLE]}
        assert "已注册" not in resp.get_data(as_text=True)
        assert count(db, Enterprise) == before
        assert world.users["member_a"].name != "老板"  # the existing account is untouched

    def test_openapi_has_no_409_for_signup(self, client: FlaskClient) -> None:
        spec = client.get("/api/v1/openapi.json").get_json()
        responses = spec["paths"]["/api/v1/signup"]["post"]["responses"]
        assert "422" in responses and "409" in responses  # 409: the enterprise is taken
        assert "已注册的邮箱" in spec["paths"]["/api/v1/signup"]["post"]["description"]


# -- 5. cookies -------------------------------------------------------------------------------

def _cookie(resp: Any, name: str) -> str:
    for header in resp.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie in {resp.headers.getlist('Set-Cookie')}")


def _days_left(cookie: str) -> float:
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires is not None, cookie
    when = dt.datetime.strptime(expires.group(1), "%a, %d %b %Y %H:%M:%S GMT")
    return (when - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds() / 86400


def _remember_login(client: FlaskClient) -> Any:
    resp = client.post("/login", data={"email": "m@example.com", "password": PASSWORD,
                                       "remember": "on"})
    assert resp.status_code == 302
    return resp


class TestCookies:
    def test_http_only_lax_and_fourteen_days(self, client: FlaskClient, member: User) -> None:
        resp = _remember_login(client)
        for name in ("session", "remember_token"):
            cookie = _cookie(resp, name)
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
            assert "Secure" not in cookie  # the embedded default serves plain http
        assert 13.9 < _days_left(_cookie(resp, "remember_token")) < 14.1

    @pytest.fixture
    def secure_client(self, db: Any, member: User) -> Iterator[FlaskClient]:
        from registry import create_app
        from tests.conftest import FreshContextClient

        app: Flask = create_app({
            "TESTING": True, "SECRET_KEY": "t", "INDEXER": "manual", "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "RATELIMIT_ENABLED": False, "SECURE_COOKIES": True, "REMEMBER_DAYS": 3})
        app.test_client_class = FreshContextClient
        yield app.test_client()

    def test_secure_when_configured(self, secure_client: FlaskClient) -> None:
        resp = _remember_login(secure_client)
        for name in ("session", "remember_token"):
            assert "Secure" in _cookie(resp, name)
        assert 2.9 < _days_left(_cookie(resp, "remember_token")) < 3.1


def test_signup_form_still_registers(client: FlaskClient, db: Any) -> None:
    """The unchanged happy path, next to the refusals above."""
    resp = client.post("/signup", data=signup_form())
    assert resp.status_code == 302


class TestControlCharacters:
    """Names and e-mails take no control characters, on the page and through the API."""

    def test_signup_name_with_a_bell(self, client: Any) -> None:
        from registry.accounts.models import User
        from registry.extensions import db as _db

        before = _db.session.query(User).count()
        resp = client.post("/api/v1/signup", json={
            "email": "bell@example.com", "name": "张\x07三", "password": "a-long-password-1",
            "enterprise": {"name": "响铃有限公司", "credit_code": "91330683MA2BCDE01K",
                           "industry_code": "C"}})
        assert resp.status_code == 422 and "name" in resp.get_json()["errors"]
        assert _db.session.query(User).count() == before
