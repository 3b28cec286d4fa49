"""People and tokens: users, hashing, sign-in, tokens, sign-up, password change."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from registry.accounts import services
from registry.accounts.models import ApiToken, User
from registry.audit import AuditEntry
from registry.enterprises.models import Enterprise
from registry.errors import Conflict, ValidationError
from tests.declarations.conftest import (
    CODE_A,
    PASSWORD,
    count,
    make_enterprise,
)

ENTERPRISE = {"name": "嵊州市甲机械有限公司", "credit_code": CODE_A, "industry_code": "34"}


def actions(db: Any) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


class TestCreateUser:
    def test_member(self, db):
        user = services.create_user(" Someone@Example.COM ", "某人", PASSWORD)
        assert user.email == "someone@example.com"
        assert (user.role, user.region_code, user.enterprise_id) == ("member", None, None)
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash

    def test_member_of_an_enterprise(self, db):
        ent = make_enterprise(CODE_A, "甲公司")
        user = services.create_user("m@example.com", "某人", PASSWORD, enterprise=ent)
        assert user.enterprise_id == ent.id

    def test_officer_needs_a_valid_region(self, db):
        officer = services.create_user("o@example.com", "局", PASSWORD, role="officer",
                                       region_code="330600")
        assert officer.region_code == "330600"
        for bad, code in ((None, "region_format"), ("3306", "region_format"),
                          ("990000", "region_unknown")):
            with pytest.raises(ValidationError) as exc:
                services.create_user(f"o{bad}@example.com", "局", PASSWORD, role="officer",
                                     region_code=bad)
            assert exc.value.errors["region_code"][0].startswith(f"[{code}]")

    @pytest.mark.parametrize(("kwargs", "field"), [
        ({"password": "short"}, "password"),
        ({"role": "king"}, "role"),
        ({"email": "not-an-email"}, "email"),
    ])
    def test_refused(self, db, kwargs, field):
        args = {"email": "x@example.com", "name": "某人", "password": PASSWORD, **kwargs}
        with pytest.raises(ValidationError) as exc:
            services.create_user(**args)
        assert field in exc.value.errors
        assert count(db, User) == 0

    def test_email_taken(self, db):
        services.create_user("x@example.com", "某人", PASSWORD)
        with pytest.raises(Conflict):
            services.create_user("X@example.com", "另一人", PASSWORD)


class TestAuthenticate:
    def test_right_and_wrong(self, db):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        assert services.authenticate("X@Example.com ", PASSWORD) is user
        assert services.authenticate("x@example.com", "wrong password") is None
        assert services.authenticate("nobody@example.com", PASSWORD) is None

    def test_inactive(self, db):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        user.active = False
        assert services.authenticate("x@example.com", PASSWORD) is None


class TestTokens:
    def test_only_the_hash_is_kept(self, db):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        token = services.issue_token(user, "ERP")
        assert token.startswith("reg_") and len(token) > 40
        (row,) = db.session.scalars(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.label == "ERP" and row.last_used_at is None
        assert services.user_for_token(token, writing=True) is user
        assert row.last_used_at is not None  # (reads: tests/test_concurrency.py)
        assert services.user_for_token(token + "x") is None
        assert actions(db) == ["token.issue"]

    def test_revoke(self, db):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        token = services.issue_token(user)
        assert services.revoke_token(token) is True
        assert services.user_for_token(token) is None
        assert services.revoke_token(token) is False
        assert actions(db) == ["token.issue", "token.revoke"]

    def test_inactive_users_tokens_stop_working(self, db):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        token = services.issue_token(user)
        user.active = False
        assert services.user_for_token(token) is None


class TestSignUp:
    def test_enterprise_and_first_member(self, db):
        user = services.sign_up(ENTERPRISE, "boss@example.com", "老板", PASSWORD)
        ent = user.enterprise
        assert ent is not None and ent.credit_code == CODE_A
        assert ent.region_code == "330683"  # from the credit code
        assert user.role == "member"
        (entry,) = db.session.scalars(select(AuditEntry))
        assert (entry.action, entry.actor, entry.enterprise_id, entry.region_code) == (
            "enterprise.register", "boss@example.com", ent.id, "330683")

    def test_person_errors_first(self, db):
        with pytest.raises(ValidationError) as exc:
            services.sign_up({**ENTERPRISE, "credit_code": "bad"}, "nope", " ", "short")
        assert set(exc.value.errors) == {"email", "password", "name"}

    @pytest.mark.parametrize(("change", "field", "code"), [
        ({"credit_code": CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")}, "credit_code",
         "credit_code_checksum"),
        ({"credit_code": "91350100M000100Y4I"}, "credit_code", "credit_code_chars"),
        ({"region_code": "990000"}, "region_code", "region_unknown"),
        ({"industry_code": "99"}, "industry_code", "industry_unknown"),
    ])
    def test_enterprise_errors_carry_stable_codes(self, db, change, field, code):
        with pytest.raises(ValidationError) as exc:
            services.sign_up({**ENTERPRISE, **change}, "boss@example.com", "老板", PASSWORD)
        assert exc.value.errors[field][0].startswith(f"[{code}] ")
        assert count(db, Enterprise) == 0 and count(db, User) == 0

    def test_nothing_is_kept_when_the_email_is_taken(self, db):
        services.create_user("boss@example.com", "某人", PASSWORD)
        with pytest.raises(ValidationError) as exc:  # not a Conflict: nothing says "registered"
            services.sign_up(ENTERPRISE, "boss@example.com", "老板", PASSWORD)
        assert exc.value.errors == {"email": [services.EMAIL_UNAVAILABLE]}
        assert count(db, Enterprise) == 0

    def test_enterprise_registered_once(self, db):
        services.sign_up(ENTERPRISE, "boss@example.com", "老板", PASSWORD)
        with pytest.raises(Conflict) as exc:
            services.sign_up(ENTERPRISE, "other@example.com", "另一人", PASSWORD)
        assert exc.value.errors == {"credit_code": ["[credit_code_taken] 该企业已注册"]}
        assert count(db, User) == 1


class TestChangePassword:
    def test_change(self, db):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        services.change_password(user, PASSWORD, "battery staple")
        assert services.authenticate("x@example.com", "battery staple") is user
        assert services.authenticate("x@example.com", PASSWORD) is None
        assert user.password_hash.startswith("scrypt:")
        assert actions(db) == ["account.password_change"]

    @pytest.mark.parametrize(("old", "new", "field"), [
        ("wrong password", "battery staple", "old_password"),
        (PASSWORD, "short", "new_password"),
    ])
    def test_refused(self, db, old, new, field):
        user = services.create_user("x@example.com", "某人", PASSWORD)
        before = user.password_hash
        with pytest.raises(ValidationError) as exc:
            services.change_password(user, old, new)
        assert field in exc.value.errors
        assert user.password_hash == before
