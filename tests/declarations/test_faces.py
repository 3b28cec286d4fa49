"""One rule, every face: the page and the API give the same answer to the same question."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.declarations import services

from .conftest import PASSWORD, World, content, published_of

OUTPUT = 98765.4  # an output value no page prints by accident


def _page_client(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        user = world.users[role]
        resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def amended(db: Any, world: World) -> int:
    """A published declaration of A whose output value changed in its second edition."""
    decl = published_of(world, annual_output_value=OUTPUT - 1000)
    services.amend_declaration(decl, content(annual_output_value=OUTPUT),
                               world.users["member_a"])
    db.session.commit()
    return decl.id


SEES_OUTPUT = {"anonymous": False, "member_b": False, "officer_x": False,
               "member_a": True, "officer_a": True, "admin": True}


class TestOutputValue:
    @pytest.mark.parametrize("role", list(SEES_OUTPUT))
    def test_same_on_every_face(self, app: Flask, client: FlaskClient, world: World,
                                amended: int, role: str) -> None:
        sees = SEES_OUTPUT[role]
        api = client.get(f"/api/v1/declarations/{amended}", headers=world.headers(role))
        assert api.status_code == 200
        values = [e["annual_output_value"] for e in api.get_json()["editions"]]
        assert (values[-1] == OUTPUT) is sees and (values[-1] is None) is not sees
        diff = client.get(f"/api/v1/declarations/{amended}/diff",
                          headers=world.headers(role)).get_json()
        assert ("annual_output_value" in {c["field"] for c in diff["changes"]}) is sees
        pages = _page_client(app, world, role)
        for url in (f"/declarations/{amended}", f"/declarations/{amended}/editions/2",
                    f"/declarations/{amended}/diff?from=1&to=2"):
            html = pages.get(url).get_data(as_text=True)
            assert ("98765.4" in html) is sees, (role, url)


class TestCompare:
    def test_defaults_agree(self, client: FlaskClient, world: World, amended: int) -> None:
        api = client.get(f"/api/v1/declarations/{amended}/diff").get_json()
        html = client.get(f"/declarations/{amended}/diff").get_data(as_text=True)
        assert (api["from"], api["to"]) == (1, 2)
        assert re.search(r"第\s*1\s*版", html) and re.search(r"第\s*2\s*版", html)

    def test_one_edition_has_nothing_to_compare(self, client: FlaskClient, world: World,
                                                db: Any) -> None:
        decl = published_of(world)
        db.session.commit()
        api = client.get(f"/api/v1/declarations/{decl.id}/diff")
        page = client.get(f"/declarations/{decl.id}/diff")
        assert api.status_code == page.status_code == 422
        assert "没有更早的版本可比较" in page.get_data(as_text=True)

    def test_unknown_edition(self, client: FlaskClient, world: World, amended: int) -> None:
        api = client.get(f"/api/v1/declarations/{amended}/diff?from=1&to=9")
        page = client.get(f"/declarations/{amended}/diff?from=1&to=9")
        assert api.status_code == page.status_code == 404


FILING = [  # (role, enterprise named, expected status)
    ("officer_a", None, 403),
    ("officer_a", "A", 403),
    ("member_a", "B", 403),
    ("admin", None, 422),
    ("admin", "91330683MA2B00003X", 422),  # no such enterprise
]


class TestFilingEnterprise:
    @pytest.mark.parametrize(("role", "named", "status"), FILING)
    def test_same_on_every_face(self, app: Flask, client: FlaskClient, world: World,
                                role: str, named: str | None, status: int) -> None:
        from io import BytesIO

        code = {"A": world.a.credit_code, "B": world.b.credit_code}.get(named or "", named)
        body = {"product_name": "软包夹", "standards": ["JB/T 13368-2018"],
                **({"enterprise": code} if code else {})}
        api = client.post("/api/v1/declarations", json=body, headers=world.headers(role))
        assert api.status_code == status, api.get_json()
        csv = "产品名称,执行标准\n软包夹,JB/T 13368-2018\n".encode()
        bulk = client.post("/api/v1/declarations/bulk" + (f"?enterprise={code}" if code else ""),
                           data={"file": (BytesIO(csv), "d.csv")}, headers=world.headers(role))
        assert bulk.status_code == status, bulk.get_json()
        page = _page_client(app, world, role).get(
            "/declarations/new" + (f"?enterprise={code}" if code else ""))
        assert page.status_code == status


class TestAmendKind:
    def test_an_unknown_kind_is_refused_alike(self, app: Flask, client: FlaskClient,
                                              world: World, db: Any) -> None:
        from registry.declarations.models import DeclarationEdition

        decl = published_of(world)
        db.session.commit()
        before = db.session.query(DeclarationEdition).count()
        api = client.post(f"/api/v1/declarations/{decl.id}/amend",
                          json={"product_name": "软包夹", "standards": ["JB/T 13368-2018"],
                                "kind": "rewrite"}, headers=world.headers("member_a"))
        assert api.status_code == 422 and "kind" in api.get_json()["errors"]
        page = _page_client(app, world, "member_a").post(
            f"/declarations/{decl.id}/amend",
            data={"product_name": "软包夹", "standards": ["JB/T 13368-2018"],
                  "kind": "rewrite"})
        assert page.status_code == 422
        assert "amendment（修改）或 revision（修订）" in page.get_data(as_text=True)
        assert db.session.query(DeclarationEdition).count() == before
