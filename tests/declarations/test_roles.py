"""Role × action matrix over the JSON API: who may do what to enterprise A's records.

Every cell asserts the exact status; every refusal also asserts that nothing changed.
Drafts answer 404 (not 403) to everyone outside the enterprise, so their existence is not
revealed; published records answer 403 to those who may read but not change them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from registry.audit import AuditEntry
from registry.declarations.models import (
    Declaration,
    DeclarationEdition,
    WatchFlag,
)
from registry.enterprises.models import Enterprise

from .conftest import ROLES, World, assert_contract, draft_of, published_of

NEW_CONTENT = {"product_name": "软包夹", "model": "RBJ-9000", "standards": ["JB/T 13368-2018"],
               "indicators": [{"name": "额定载荷", "value": 1500, "unit": "kg",
                               "ref_standard": "JB/T 13368-2018", "ref_value": 1200}]}


@dataclass
class Scene:
    """Enterprise A with a draft and a published (flagged) declaration; ids, not objects,
    since requests may delete rows behind the test session's back."""

    world: World
    draft_id: int
    published_id: int
    code: str


@pytest.fixture
def scene(db: Any, world: World) -> Scene:
    draft = draft_of(world)
    published = published_of(world)
    db.session.add(WatchFlag(declaration_id=published.id,
                             standard_id=world.catalogue["JB/T 13368-2018"].id,
                             event="abolished"))
    db.session.flush()
    return Scene(world, draft.id, published.id, world.a.credit_code)


# action -> (method, url template, json body)
REQUESTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "read enterprise": ("GET", "/api/v1/enterprises/{code}", None),
    "update enterprise": ("PATCH", "/api/v1/enterprises/{code}",
                          {"name": "嵊州市甲机械股份有限公司", "address": "嵊州市经济开发区"}),
    "create declaration": ("POST", "/api/v1/declarations", {**NEW_CONTENT, "enterprise": "{code}"}),
    "read draft": ("GET", "/api/v1/declarations/{draft}", None),
    "update draft": ("PATCH", "/api/v1/declarations/{draft}", {"model": "RBJ-9000"}),
    "publish": ("POST", "/api/v1/declarations/{draft}/publish", None),
    "amend": ("POST", "/api/v1/declarations/{published}/amend",
              {**NEW_CONTENT, "kind": "amendment"}),
    "withdraw": ("POST", "/api/v1/declarations/{published}/withdraw", {"reason": "产品停产"}),
    "delete draft": ("DELETE", "/api/v1/declarations/{draft}", None),
    "read flags": ("GET", "/api/v1/enterprises/{code}/flags", None),
    "read audit of A's region": ("GET", "/api/v1/audit?region=330683", None),
    "list A's declarations": ("GET", "/api/v1/enterprises/{code}/declarations", None),
    "read published": ("GET", "/api/v1/declarations/{published}", None),
    "diff published": ("GET", "/api/v1/declarations/{published}/diff?from=1&to=1", None),
}

# statuses in the order of ROLES:
#                          anonymous member_a member_b officer_a officer_x admin
MATRIX: dict[str, tuple[int, ...]] = {
    "read enterprise":          (200, 200, 200, 200, 200, 200),
    "update enterprise":        (401, 200, 403, 403, 403, 200),
    "create declaration":       (401, 201, 403, 403, 403, 201),
    "read draft":               (404, 200, 404, 404, 404, 200),
    "update draft":             (401, 200, 404, 404, 404, 200),
    "publish":                  (401, 200, 404, 404, 404, 200),
    "amend":                    (401, 200, 403, 403, 403, 200),
    "withdraw":                 (401, 200, 403, 403, 403, 200),
    "delete draft":             (401, 204, 404, 404, 404, 204),
    "read flags":               (401, 200, 403, 200, 403, 200),
    "read audit of A's region": (401, 200, 200, 200, 403, 200),
    "list A's declarations":    (200, 200, 200, 200, 200, 200),
    "read published":           (200, 200, 200, 200, 200, 200),
    "diff published":           (200, 200, 200, 200, 200, 200),
}

ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found"}


def snapshot(db: Any) -> tuple[Any, ...]:
    """Everything a write could touch."""
    db.session.expire_all()
    ents = db.session.execute(select(Enterprise.id, Enterprise.name, Enterprise.address,
                                     Enterprise.region_code, Enterprise.industry_code)
                              .order_by(Enterprise.id)).all()
    decls = db.session.execute(select(Declaration.id, Declaration.state,
                                      Declaration.current_edition_id,
                                      Declaration.withdrawn_reason).order_by(Declaration.id)).all()
    eds = db.session.execute(select(DeclarationEdition.id, DeclarationEdition.model,
                                    DeclarationEdition.published_at)
                             .order_by(DeclarationEdition.id)).all()
    flags = db.session.execute(select(WatchFlag.id, WatchFlag.resolved_at)).all()
    audit = db.session.execute(select(AuditEntry.id)).all()
    return tuple(ents), tuple(decls), tuple(eds), tuple(flags), len(audit)


def send(client: Any, scene: Scene, action: str, role: str) -> Any:
    method, template, payload = REQUESTS[action]
    values = {"code": scene.code, "draft": scene.draft_id, "published": scene.published_id}
    url = template.format(**values)
    if payload is not None:
        payload = {k: (v.format(**values) if isinstance(v, str) else v)
                   for k, v in payload.items()}
    return client.open(url, method=method, json=payload, headers=scene.world.headers(role))


# what an allowed action must have done or shown, beyond its status
def _updated(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["name"] == "嵊州市甲机械股份有限公司"
    db.session.expire_all()
    assert db.session.get(Enterprise, scene.world.a.id).address == "嵊州市经济开发区"


def _created(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["enterprise"]["credit_code"] == scene.code and data["state"] == "draft"


def _draft_read(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["state"] == "draft" and data["editions"][0]["published"] is False


def _draft_updated(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["editions"][0]["model"] == "RBJ-9000"


def _published(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["state"] == "published" and data["current_edition"] == 1


def _amended(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert [e["number"] for e in data["editions"]] == [1, 2]
    assert data["editions"][1]["model"] == "RBJ-9000"


def _withdrawn(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["state"] == "withdrawn" and data["withdrawn_reason"] == "产品停产"


def _deleted(db: Any, scene: Scene, role: str, data: Any) -> None:
    db.session.expire_all()
    assert db.session.get(Declaration, scene.draft_id) is None


def _flags(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert [f["declaration_id"] for f in data["items"]] == [scene.published_id]


def _audit(db: Any, scene: Scene, role: str, data: Any) -> None:
    codes = {e["enterprise"] for e in data["items"]}
    if role == "member_b":
        assert scene.code not in codes  # B's member sees only B's entries: none here
        assert data["total"] == 0
    else:
        assert scene.code in codes
        assert {e["region_code"] for e in data["items"]} == {"330683"}


def _listed(db: Any, scene: Scene, role: str, data: Any) -> None:
    ids = {d["id"] for d in data["items"]}
    assert scene.published_id in ids
    assert (scene.draft_id in ids) == (role in ("member_a", "admin"))


def _read_published(db: Any, scene: Scene, role: str, data: Any) -> None:
    assert data["state"] == "published" and len(data["editions"]) == 1


EFFECTS: dict[str, Callable[[Any, Scene, str, Any], None]] = {
    "update enterprise": _updated, "create declaration": _created, "read draft": _draft_read,
    "update draft": _draft_updated, "publish": _published, "amend": _amended,
    "withdraw": _withdrawn, "delete draft": _deleted, "read flags": _flags,
    "read audit of A's region": _audit, "list A's declarations": _listed,
    "read published": _read_published,
}

CELLS = [pytest.param(action, role, status, id=f"{action} | {role}")
         for action, statuses in MATRIX.items()
         for role, status in zip(ROLES, statuses, strict=True)]


class TestRoleMatrix:
    def test_the_matrix_is_complete(self):
        assert set(MATRIX) == set(REQUESTS)
        assert all(len(row) == len(ROLES) for row in MATRIX.values())

    @pytest.mark.parametrize(("action", "role", "status"), CELLS)
    def test_cell(self, client, db, scene: Scene, action: str, role: str, status: int):
        before = snapshot(db)
        resp = send(client, scene, action, role)
        if status >= 400:
            assert_contract(resp, status, ERROR_CODES[status])
            assert snapshot(db) == before, "a refused action changed something"
            if status == 401:
                assert resp.headers["WWW-Authenticate"].startswith("Bearer")
            return
        assert resp.status_code == status, resp.get_data(as_text=True)
        data = resp.get_json() if status != 204 else None
        if action in EFFECTS:
            EFFECTS[action](db, scene, role, data)
        if REQUESTS[action][0] == "GET":
            assert snapshot(db)[:4] == before[:4], "a read changed something"


class TestRefusalsLeakNothing:
    @pytest.mark.parametrize("role", ["anonymous", "member_b", "officer_a", "officer_x"])
    def test_a_draft_looks_like_nothing(self, client, scene: Scene, role):
        draft = client.get(f"/api/v1/declarations/{scene.draft_id}",
                           headers=scene.world.headers(role)).get_json()
        missing = client.get("/api/v1/declarations/999999",
                             headers=scene.world.headers(role)).get_json()
        assert {k: v for k, v in draft.items() if k != "message"} == {
            k: v for k, v in missing.items() if k != "message"}

    def test_officer_changes_nothing_even_in_the_own_region(self, client, db, scene: Scene):
        before = snapshot(db)
        h = scene.world.headers("officer_a")
        for action in ("update enterprise", "create declaration", "amend", "withdraw"):
            assert send(client, scene, action, "officer_a").status_code == 403, action
        assert client.post(f"/api/v1/declarations/{scene.published_id}/withdraw",
                           json={"reason": "监管撤销"}, headers=h).status_code == 403
        assert snapshot(db) == before

    @pytest.mark.parametrize("role", ROLES[1:])
    def test_deactivated_account_is_anonymous(self, client, db, scene: Scene, role):
        user = scene.world.users[role]
        user.active = False
        db.session.flush()
        assert_contract(send(client, scene, "read flags", role), 401, "unauthorized")
