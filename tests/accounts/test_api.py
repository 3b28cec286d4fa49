"""Accounts JSON API: tokens, sign-up, the signed-in account, password change."""

from __future__ import annotations

from typing import Any

import pytest

from registry.accounts import services
from registry.accounts.models import User
from registry.enterprises.models import Enterprise
from registry.identifiers import make_credit_code
from tests.declarations.conftest import (
    CODE_A,
    PASSWORD,
    World,
    assert_contract,
    count,
)

CODE_C = make_credit_code("9", "1", "330683", "MA2BCDE03")
SIGNUP: dict[str, Any] = {
    "email": "boss@example.com", "name": "老板", "password": PASSWORD,
    "enterprise": {"name": "嵊州市丙电机有限公司", "credit_code": CODE_C,
                   "industry_code": "38", "above_scale": True, "address": "嵊州市"},
}


def signup_body(**enterprise: Any) -> dict[str, Any]:
    return {**SIGNUP, "enterprise": {**SIGNUP["enterprise"], **enterprise}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestTokens:
    def test_sign_in_gives_a_working_token(self, client, world: World):
        resp = client.post("/api/v1/tokens", json={"email": "A@example.com",
                                                   "password": PASSWORD, "label": "ERP"})
        assert resp.status_code == 201, resp.get_json()
        data = resp.get_json()
        assert data["token"].startswith("reg_")
        assert data["user"]["email"] == "a@example.com"
        assert "password" not in data["user"] and "password_hash" not in data["user"]
        me = client.get("/api/v1/me", headers=bearer(data["token"]))
        assert me.status_code == 200 and me.get_json()["email"] == "a@example.com"

    @pytest.mark.parametrize("creds", [
        {"email": "a@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ])
    def test_bad_credentials_are_401(self, client, world: World, creds):
        resp = client.post("/api/v1/tokens", json=creds)
        assert assert_contract(resp, 401, "unauthorized")["message"] == "邮箱或密码不正确"

    def test_deactivated_account_is_401(self, client, db, world: World):
        world.users["member_a"].active = False
        db.session.flush()
        resp = client.post("/api/v1/tokens", json={"email": "a@example.com",
                                                   "password": PASSWORD})
        assert_contract(resp, 401, "unauthorized")

    def test_missing_fields_are_422(self, client, world: World):
        resp = client.post("/api/v1/tokens", json={"email": "a@example.com"})
        assert assert_contract(resp, 422, "validation_error")["errors"] == {
            "password": ["必填项"]}

    def test_sign_out_revokes_the_token(self, client, world: World):
        headers = world.headers("member_a")
        assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
        assert_contract(client.get("/api/v1/me", headers=headers), 401, "unauthorized")
        assert_contract(client.delete("/api/v1/tokens/current", headers=headers), 401)


class TestSignup:
    def test_enterprise_member_and_token(self, client, db):
        body = signup_body()
        resp = client.post("/api/v1/signup", json=body)
        assert resp.status_code == 201, resp.get_json()
        data = resp.get_json()
        code = body["enterprise"]["credit_code"]
        assert resp.headers["Location"].endswith(f"/api/v1/enterprises/{code}")
        assert data["enterprise"]["credit_code"] == code
        assert data["enterprise"]["region_code"] == "330683"
        assert data["enterprise"]["region_name"] == "浙江省绍兴市嵊州市"
        assert data["enterprise"]["above_scale"] is True
        assert data["user"]["role"] == "member"
        assert data["user"]["enterprise"]["credit_code"] == code
        me = client.get("/api/v1/me", headers=bearer(data["token"])).get_json()
        assert me["enterprise"]["credit_code"] == code

    @pytest.mark.parametrize(("change", "field", "code"), [
        ({"credit_code": "91330683MA2BCDE03Y"}, "credit_code", "credit_code_checksum"),
        ({"credit_code": "91330683MA2BCDE0O"}, "credit_code", "credit_code_length"),
        ({"credit_code": "91330683MA2BCDEO3X"}, "credit_code", "credit_code_chars"),
        ({"region_code": "339900"}, "region_code", "region_unknown"),
        ({"region_code": "33"}, "region_code", "region_format"),
        ({"industry_code": "ZZ"}, "industry_code", "industry_unknown"),
    ])
    def test_identifier_errors_have_stable_codes(self, client, db, change, field, code):
        resp = client.post("/api/v1/signup", json=signup_body(**change))
        errors = assert_contract(resp, 422, "validation_error")["errors"]
        assert list(errors) == ["enterprise"]
        assert errors["enterprise"][field][0].startswith(f"[{code}] ")
        assert count(db, Enterprise) == 0 and count(db, User) == 0

    def test_every_error_at_once(self, client, db):
        resp = client.post("/api/v1/signup", json={
            "email": "nope", "name": "", "password": "short",
            "enterprise": {"credit_code": "bad", "industry_code": "99"}})
        errors = assert_contract(resp, 422, "validation_error")["errors"]
        assert set(errors) == {"email", "name", "password", "enterprise"}
        assert set(errors["enterprise"]) == {"name", "credit_code", "industry_code"}

    def test_blank_contact_name_is_the_persons_error(self, client, db):
        resp = client.post("/api/v1/signup", json={**signup_body(), "name": "   "})
        assert assert_contract(resp, 422, "validation_error")["errors"] == {
            "name": ["请填写联系人姓名"]}

    def test_unknown_field_is_422(self, client, db):
        resp = client.post("/api/v1/signup", json={**signup_body(), "role": "admin"})
        assert "role" in assert_contract(resp, 422, "validation_error")["errors"]

    def test_taken_enterprise_is_409(self, client, db, world: World):
        resp = client.post("/api/v1/signup", json=signup_body(credit_code=CODE_A))
        body = assert_contract(resp, 409, "conflict")
        assert body["errors"] == {"enterprise": {"credit_code": ["[credit_code_taken] 该企业已注册"]}}

    def test_taken_email_is_an_unnamed_422_and_keeps_nothing(self, client, db, world: World):
        before = count(db, Enterprise)
        resp = client.post("/api/v1/signup", json={**signup_body(), "email": "a@example.com"})
        body = assert_contract(resp, 422, "validation_error")
        assert body["errors"] == {"email": [services.EMAIL_UNAVAILABLE]}
        assert count(db, Enterprise) == before


class TestMe:
    def test_officer(self, client, world: World):
        data = client.get("/api/v1/me", headers=world.headers("officer_a")).get_json()
        assert data["role"] == "officer"
        assert (data["region_code"], data["region_name"]) == ("330600", "浙江省绍兴市")
        assert data["enterprise"] is None

    def test_without_token(self, client, db):
        resp = client.get("/api/v1/me")
        assert_contract(resp, 401, "unauthorized")
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="registry"'


class TestChangePassword:
    def test_change(self, client, world: World):
        headers = world.headers("member_a")
        resp = client.post("/api/v1/me/password", headers=headers,
                           json={"old_password": PASSWORD, "new_password": "battery staple"})
        assert resp.status_code == 204
        old = client.post("/api/v1/tokens", json={"email": "a@example.com", "password": PASSWORD})
        assert old.status_code == 401
        new = client.post("/api/v1/tokens", json={"email": "a@example.com",
                                                  "password": "battery staple"})
        assert new.status_code == 201

    @pytest.mark.parametrize(("old", "new", "field"), [
        ("wrong password", "battery staple", "old_password"), (PASSWORD, "short", "new_password")])
    def test_refused(self, client, world: World, old, new, field):
        resp = client.post("/api/v1/me/password", headers=world.headers("member_a"),
                           json={"old_password": old, "new_password": new})
        assert field in assert_contract(resp, 422, "validation_error")["errors"]

    def test_needs_a_token(self, client, db):
        resp = client.post("/api/v1/me/password", json={})
        assert_contract(resp, 401, "unauthorized")
