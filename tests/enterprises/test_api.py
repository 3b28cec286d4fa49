"""Enterprises JSON API: list, profile, update, declarations, watch flags; the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.audit import AuditEntry
from registry.declarations import services as declarations
from registry.declarations.models import WatchFlag
from registry.identifiers import make_credit_code
from tests.declarations.conftest import (
    CODE_A,
    CODE_B,
    World,
    assert_contract,
    draft_of,
    published_of,
)

API = "/api/v1/enterprises"


class TestList:
    def test_envelope_and_fields(self, client, world: World):
        data = client.get(API).get_json()
        assert set(data) == {"items", "page", "per_page", "total", "pages"}
        assert data["total"] == 2
        a = next(e for e in data["items"] if e["credit_code"] == CODE_A)
        assert a["name"] == "嵊州市甲机械有限公司"
        assert (a["region_code"], a["region_name"]) == ("330683", "浙江省绍兴市嵊州市")
        assert a["region_chain"] == ["330000", "330600", "330683"]
        assert (a["industry_code"], a["industry_section"]) == ("34", "C")
        assert a["industry_name"] and a["above_scale"] is True
        assert "id" not in a and "source" not in a

    @pytest.mark.parametrize(("query", "codes"), [
        ("?region=3306", {CODE_A}), ("?region=330100", {CODE_B}), ("?region=33", {CODE_A, CODE_B}),
        ("?industry=C", {CODE_A, CODE_B}), ("?industry=38", {CODE_B}), ("?q=杭州", {CODE_B}),
        (f"?q={CODE_A}", {CODE_A}), ("?q=none", set()),
    ])
    def test_filters(self, client, world: World, query, codes):
        data = client.get(API + query).get_json()
        assert {e["credit_code"] for e in data["items"]} == codes

    def test_pagination(self, client, world: World):
        first = client.get(f"{API}?per_page=1").get_json()
        second = client.get(f"{API}?per_page=1&page=2").get_json()
        assert (first["pages"], first["total"]) == (2, 2)
        assert {first["items"][0]["credit_code"], second["items"][0]["credit_code"]} == {
            CODE_A, CODE_B}

    @pytest.mark.parametrize(("query", "field"), [
        ("?region=9906", "region"), ("?region=33a", "region"), ("?industry=ZZ", "industry"),
        ("?per_page=0", "per_page"), ("?colour=red", "colour")])
    def test_bad_filters_are_422(self, client, world: World, query, field):
        errors = assert_contract(client.get(API + query), 422, "validation_error")["errors"]
        assert field in errors


class TestGet:
    def test_profile(self, client, world: World):
        data = client.get(f"{API}/{CODE_A.lower()}").get_json()
        assert data["credit_code"] == CODE_A

    def test_unknown_is_404(self, client, world: World):
        code = make_credit_code("9", "1", "330683", "MA2BCDE09")
        body = assert_contract(client.get(f"{API}/{code}"), 404, "not_found")
        assert code in body["message"] and body["errors"] == {}

    @pytest.mark.parametrize(("text", "code"), [
        ("123", "credit_code_length"), ("91330683MA2BCDEO1K", "credit_code_chars")])
    def test_invalid_is_404_saying_why(self, client, world: World, text, code):
        body = assert_contract(client.get(f"{API}/{text}"), 404, "not_found")
        assert body["errors"]["credit_code"][0].startswith(f"[{code}] ")


class TestUpdate:
    def test_member_updates_own(self, client, db, world: World):
        resp = client.patch(f"{API}/{CODE_A}", headers=world.headers("member_a"), json={
            "name": "嵊州市甲机械股份有限公司", "industry_code": "35", "above_scale": False,
            "certificates": [{"kind": "浙江制造", "number": "ZZB-2024-001",
                              "standard": "T/ZZB 2109-2021", "valid_until": "2027-06-30"}]})
        assert resp.status_code == 200, resp.get_json()
        data = resp.get_json()
        assert data["name"] == "嵊州市甲机械股份有限公司" and data["industry_code"] == "35"
        assert data["above_scale"] is False
        assert data["certificates"] == [{"kind": "浙江制造", "number": "ZZB-2024-001",
                                         "standard": "T/ZZB 2109-2021",
                                         "valid_until": "2027-06-30"}]
        entry = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "enterprise.update"))
        assert entry.actor == "a@example.com" and entry.region_code == "330683"
        assert set(entry.detail["fields"]) == {"name", "industry_code", "above_scale",
                                               "certificates"}

    @pytest.mark.parametrize(("body", "field", "prefix"), [
        ({"region_code": "331200"}, "region_code", "[region_unknown]"),
        ({"region_code": "3306"}, "region_code", "[region_format]"),
        ({"industry_code": "99"}, "industry_code", "[industry_unknown]"),
        ({"name": "甲"}, "name", "企业名称"),
        ({"credit_code": CODE_B}, "credit_code", "Unknown field"),
        ({"certificates": [{"kind": "浙江制造"}]}, "certificates", ""),
    ])
    def test_refused_changes_nothing(self, client, db, world: World, body, field, prefix):
        resp = client.patch(f"{API}/{CODE_A}", headers=world.headers("admin"), json=body)
        errors = assert_contract(resp, 422, "validation_error")["errors"]
        assert field in errors
        if prefix:
            assert str(errors[field]).find(prefix) >= 0
        db.session.expire_all()
        assert (world.a.name, world.a.region_code, world.a.industry_code) == (
            "嵊州市甲机械有限公司", "330683", "34")

    def test_unknown_enterprise_is_404(self, client, world: World):
        code = make_credit_code("9", "1", "330683", "MA2BCDE09")
        resp = client.patch(f"{API}/{code}", headers=world.headers("admin"), json={})
        assert_contract(resp, 404, "not_found")


class TestDeclarations:
    def test_public_and_own_views(self, client, world: World):
        draft = draft_of(world)
        pub = published_of(world)
        gone = published_of(world)
        declarations.withdraw_declaration(gone, "停产", world.users["member_a"])
        published_of(world, world.b)

        def ids(query: str = "", role: str = "anonymous") -> list[int]:
            resp = client.get(f"{API}/{CODE_A}/declarations{query}",
                              headers=world.headers(role))
            assert resp.status_code == 200, resp.get_json()
            return [d["id"] for d in resp.get_json()["items"]]

        assert ids() == [gone.id, pub.id]
        assert ids(role="member_a") == [gone.id, pub.id, draft.id]
        assert ids(role="admin") == [gone.id, pub.id, draft.id]
        assert ids(role="officer_a") == [gone.id, pub.id]
        assert ids("?state=draft", "member_a") == [draft.id]
        assert ids("?state=draft", "member_b") == []
        assert ids("?state=withdrawn") == [gone.id]
        assert ids("?per_page=1&page=2") == [pub.id]

    def test_unknown_enterprise_is_404(self, client, world: World):
        code = make_credit_code("9", "1", "330683", "MA2BCDE09")
        assert_contract(client.get(f"{API}/{code}/declarations"), 404, "not_found")


class TestFlags:
    def test_open_then_all(self, client, db, world: World):
        pub = published_of(world)
        std = world.catalogue["JB/T 13368-2018"]
        db.session.add(WatchFlag(declaration_id=pub.id, standard_id=std.id, event="replaced",
                                 successor="JB/T 13368-2025"))
        db.session.flush()
        h = world.headers("officer_a")
        (flag,) = client.get(f"{API}/{CODE_A}/flags", headers=h).get_json()["items"]
        assert flag["declaration_id"] == pub.id and flag["product_name"] == "软包夹 RBJ-1500"
        assert (flag["standard"], flag["event"], flag["successor"]) == (
            "JB/T 13368-2018", "replaced", "JB/T 13368-2025")
        assert flag["resolved_at"] is None
        declarations.withdraw_declaration(pub, "停产", world.users["member_a"])
        db.session.flush()
        assert client.get(f"{API}/{CODE_A}/flags", headers=h).get_json()["total"] == 0
        (closed,) = client.get(f"{API}/{CODE_A}/flags?resolved=true", headers=h).get_json()[
            "items"]
        assert closed["resolved_at"] is not None


class TestAudit:
    @pytest.fixture
    def logged(self, world: World) -> World:
        published_of(world)
        published_of(world, world.b)
        return world

    def test_admin_reads_all_and_filters(self, client, logged: World):
        h = logged.headers("admin")
        everything = client.get("/api/v1/audit", headers=h).get_json()
        assert {e["enterprise"] for e in everything["items"]} >= {CODE_A, CODE_B}
        only_b = client.get(f"/api/v1/audit?enterprise={CODE_B}", headers=h).get_json()
        assert {e["enterprise"] for e in only_b["items"]} == {CODE_B}
        hz = client.get("/api/v1/audit?region=3301", headers=h).get_json()
        assert {e["region_code"] for e in hz["items"]} == {"330102"}
        code = make_credit_code("9", "1", "330683", "MA2BCDE09")
        assert client.get(f"/api/v1/audit?enterprise={code}", headers=h).get_json()[
            "total"] == 0

    def test_entry_shape_and_pagination(self, client, logged: World):
        data = client.get("/api/v1/audit?per_page=1", headers=logged.headers("admin")).get_json()
        assert data["per_page"] == 1 and data["pages"] == data["total"] > 1
        (entry,) = data["items"]
        assert set(entry) == {"id", "at", "actor", "action", "action_label", "entity",
                              "entity_id", "enterprise", "region_code", "detail"}

    def test_officer_reads_the_region(self, client, logged: World):
        h = logged.headers("officer_a")
        data = client.get("/api/v1/audit", headers=h).get_json()
        assert data["total"] > 0 and {e["region_code"] for e in data["items"]} == {"330683"}
        assert client.get("/api/v1/audit?region=330000", headers=h).get_json()["total"] == \
            data["total"]
        assert_contract(client.get("/api/v1/audit?region=330100", headers=h), 403, "forbidden")
        assert client.get(f"/api/v1/audit?enterprise={CODE_B}", headers=h).get_json()[
            "total"] == 0

    def test_member_reads_own(self, client, logged: World):
        h = logged.headers("member_b")
        data = client.get("/api/v1/audit", headers=h).get_json()
        assert {e["enterprise"] for e in data["items"]} == {CODE_B}
        assert_contract(client.get(f"/api/v1/audit?enterprise={CODE_A}", headers=h), 403)

    def test_needs_a_token(self, client, logged: World):
        assert_contract(client.get("/api/v1/audit"), 401, "unauthorized")

    def test_bad_region_is_422(self, client, logged: World):
        resp = client.get("/api/v1/audit?region=abc", headers=logged.headers("admin"))
        assert_contract(resp, 422, "validation_error")
