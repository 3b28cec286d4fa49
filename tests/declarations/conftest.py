"""Fixtures for declarations, enterprises and accounts: a small catalogue, two enterprises in
different cities, one person of every role with an API token, and content factories.

Data is built through the services, so the tests exercise validation and auditing too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from registry.accounts.models import User
from registry.accounts.services import create_user, issue_token
from registry.declarations import services
from registry.declarations.models import Declaration
from registry.declarations.schemas import DeclarationInSchema
from registry.enterprises.models import Enterprise
from registry.enterprises.services import register_enterprise
from registry.identifiers import make_credit_code
from registry.standards.models import Standard
from registry.standards.services import upsert_standard

D = dt.date
PASSWORD = "correct horse"
OWN_PDF = b"%PDF-1.4\n% enterprise standard text\n"

# 嵊州 (330683, under 绍兴 330600) and 杭州上城区 (330102)
CODE_A = make_credit_code("9", "1", "330683", "MA2BCDE01")
CODE_B = make_credit_code("9", "1", "330102", "MA2BCDE02")

CATALOGUE: list[dict[str, Any]] = [
    {"number": "GB/T 19001-2008", "title_zh": "质量管理体系 要求",
     "issued_on": D(2008, 10, 29), "effective_on": D(2009, 3, 1)},
    {"number": "GB/T 19001-2016", "title_zh": "质量管理体系 要求",
     "issued_on": D(2016, 12, 30), "effective_on": D(2017, 7, 1),
     "replaces": ["GB/T 19001-2008"]},
    {"number": "GB 4706.1-2005", "title_zh": "家用和类似用途电器的安全 第1部分：通用要求",
     "issued_on": D(2005, 8, 26), "effective_on": D(2006, 8, 1)},
    {"number": "JB/T 13368-2018", "title_zh": "叉车属具 软包夹",
     "issued_on": D(2018, 4, 30), "effective_on": D(2018, 12, 1)},
    {"number": "GB/T 3100-1993", "title_zh": "国际单位制及其应用",
     "issued_on": D(1993, 12, 27), "effective_on": D(1994, 7, 1),
     "withdrawn_on": D(2020, 1, 1), "end_kind": "abolished"},
    {"number": "GB/T 99999-2099", "title_zh": "未来的标准",
     "issued_on": D(2098, 1, 1), "effective_on": D(2099, 1, 1)},
]


_HASHES: dict[tuple[str, str], str] = {}


def reuse_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scrypt hash costs ~0.2 s: compute one per password and reuse it (still real scrypt,
    still checked by the real check_password_hash)."""
    from registry.accounts import services as accounts

    real = accounts.generate_password_hash

    def cached(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
        key = (password, method)
        if key not in _HASHES:
            _HASHES[key] = real(password, method=method, salt_length=salt_length)
        return _HASHES[key]

    monkeypatch.setattr(accounts, "generate_password_hash", cached)


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_password_hashes(monkeypatch)


@pytest.fixture
def catalogue(db: Any) -> dict[str, Standard]:
    return make_catalogue()


def make_catalogue() -> dict[str, Standard]:
    """The small catalogue of CATALOGUE, by number."""
    out = {}
    for row in CATALOGUE:
        std, _ = upsert_standard(row, source="test")
        out[std.number] = std
    return out


def content(**overrides: Any) -> dict[str, Any]:
    """Valid declaration content, as DeclarationInSchema loads it (overrides are raw input)."""
    raw: dict[str, Any] = {
        "product_name": "软包夹",
        "model": "RBJ-1500",
        "category": "叉车属具",
        "standards": ["JB/T 13368-2018"],
        "indicators": [
            {"name": "额定载荷", "value": 1500, "unit": "kg", "direction": "higher",
             "test_method": "JB/T 13368-2018 6.2", "ref_standard": "JB/T 13368-2018",
             "ref_value": 1200},
        ],
    }
    raw.update(overrides)
    return DeclarationInSchema().load(raw)  # type: ignore[no-any-return]


@dataclass
class World:
    """Two enterprises and one person of every role, each with an API token."""

    a: Enterprise
    b: Enterprise
    users: dict[str, User]
    tokens: dict[str, str]
    catalogue: dict[str, Standard] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """Request headers for ``role`` ('anonymous' sends none)."""
        if role == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def user(self, role: str) -> User | None:
        return self.users.get(role)


ROLES = ("anonymous", "member_a", "member_b", "officer_a", "officer_x", "admin")


def make_enterprise(code: str, name: str, industry: str = "C", **extra: Any) -> Enterprise:
    return register_enterprise({"name": name, "credit_code": code, "industry_code": industry,
                                **extra})


@pytest.fixture
def world(db: Any, catalogue: dict[str, Standard]) -> World:
    return make_world(catalogue)


def make_world(catalogue: dict[str, Standard] | None = None) -> World:
    """Enterprises A and B and one person of every role (tests in other folders use this)."""
    a = make_enterprise(CODE_A, "嵊州市甲机械有限公司", "34", above_scale=True)
    b = make_enterprise(CODE_B, "杭州乙电器有限公司", "38")
    users = {
        "member_a": create_user("a@example.com", "甲企业用户", PASSWORD, enterprise=a),
        "member_b": create_user("b@example.com", "乙企业用户", PASSWORD, enterprise=b),
        "officer_a": create_user("sx@example.com", "绍兴市局", PASSWORD, role="officer",
                                 region_code="330600"),
        "officer_x": create_user("hz@example.com", "杭州市局", PASSWORD, role="officer",
                                 region_code="330100"),
        "admin": create_user("admin@example.com", "管理员", PASSWORD, role="admin"),
    }
    tokens = {role: issue_token(user, "tests") for role, user in users.items()}
    return World(a, b, users, tokens, catalogue if catalogue is not None else {})


def draft_of(world: World, **overrides: Any) -> Declaration:
    """A draft of enterprise A, filed by its member."""
    decl, _ = services.create_declaration(world.a, content(**overrides), world.users["member_a"])
    return decl


def published_of(world: World, ent: Enterprise | None = None, **overrides: Any) -> Declaration:
    """A published declaration of enterprise A (or ``ent``), filed by its member."""
    ent = ent or world.a
    actor = world.users["member_a" if ent.id == world.a.id else "member_b"]
    decl, _ = services.create_declaration(ent, content(**overrides), actor, publish=True)
    return decl


def count(db: Any, model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def assert_contract(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The API error contract (plus ``checks`` when a save failed its checks)."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    expected = {"code", "status", "message", "errors"}
    if body.get("code") == "check_failed":
        expected.add("checks")
    assert set(body) == expected
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body  # type: ignore[no-any-return]
