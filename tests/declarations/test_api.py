"""The declarations JSON API under /api/v1."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from registry.audit import AuditEntry
from registry.declarations import services
from registry.declarations.models import Declaration, DeclarationEdition

from .conftest import OWN_PDF, World, assert_contract, content, count, draft_of, published_of

API = "/api/v1/declarations"

BODY: dict[str, Any] = {
    "product_name": "软包夹",
    "model": "RBJ-1500",
    "standards": ["JB/T 13368-2018"],
    "annual_output_value": 1200.5,
    "indicators": [{"name": "额定载荷", "value": 1500, "unit": "kg",
                    "ref_standard": "JB/T 13368-2018", "ref_value": 1200}],
}


def body(**over: Any) -> dict[str, Any]:
    return {**BODY, **over}


def b64(blob: bytes) -> str:
    return base64.b64encode(blob).decode()


class TestCheckEndpoint:
    def test_public_and_fine(self, client, world: World):
        resp = client.post(f"{API}/check", json=body())
        assert resp.status_code == 200
        assert resp.get_json() == {"checks": [], "ok": True}

    def test_errors_and_warnings(self, client, world: World):
        resp = client.post(f"{API}/check", json=body(
            standards=["GB/T 19001-2008", "GB/T 99999-2099"]))
        data = resp.get_json()
        assert data["ok"] is False
        assert data["checks"] == [
            {"code": "standard_replaced", "level": "error", "field": "standards.0",
             "message": "GB/T 19001-2008 已被代替，现行版本为 GB/T 19001-2016",
             "suggestion": "GB/T 19001-2016"},
            {"code": "standard_upcoming", "level": "warning", "field": "standards.1",
             "message": "GB/T 99999-2099 将于 2099-01-01 实施，尚未生效", "suggestion": None}]

    def test_warnings_alone_are_ok(self, client, world: World):
        data = client.post(f"{API}/check", json=body(standards=["GB/T 99999-2099"])).get_json()
        assert data["ok"] is True and [c["code"] for c in data["checks"]] == ["standard_upcoming"]

    def test_saves_nothing(self, client, db, world: World):
        before = count(db, Declaration)
        client.post(f"{API}/check", json=body(), headers=world.headers("member_a"))
        assert count(db, Declaration) == before

    def test_attachment(self, client, world: World):
        own = {"enterprise_standard": {"number": "Q/SZJ 1-2024", "title": "企标"}}
        ok = client.post(f"{API}/check", json=body(**own, attachment={
            "filename": "q.pdf", "content": b64(OWN_PDF)})).get_json()
        assert ok["ok"] is True
        bad = client.post(f"{API}/check", json=body(**own, attachment={
            "filename": "q.doc", "content": b64(b"word")})).get_json()
        assert [c["code"] for c in bad["checks"]] == ["attachment_type"]

    @pytest.mark.parametrize(("payload", "field"), [
        ({"standards": ["JB/T 13368-2018"]}, "product_name"),
        (body(indicators=[{"name": "载荷", "value": "很多"}]), "indicators"),
        (body(colour="red"), "colour"),
        (body(attachment={"filename": "q.pdf", "content": "***"}), "attachment"),
        (body(barcode="12ab"), "barcode"),
    ])
    def test_malformed_input_is_422(self, client, world: World, payload, field):
        errors = assert_contract(client.post(f"{API}/check", json=payload), 422,
                                 "validation_error")["errors"]
        assert field in errors


class TestCreate:
    def test_member_files_a_draft(self, client, db, world: World):
        resp = client.post(API, json=body(standards=["JB/T 13368-2018", "GB/T 99999-2099"]),
                           headers=world.headers("member_a"))
        assert resp.status_code == 201, resp.get_json()
        data = resp.get_json()
        assert resp.headers["Location"].endswith(f"{API}/{data['id']}")
        assert data["state"] == "draft" and data["current_edition"] is None
        assert data["enterprise"]["credit_code"] == world.a.credit_code
        assert data["source"] == "api"
        (ed,) = data["editions"]
        assert ed["published"] is False and ed["number"] == 1
        assert ed["annual_output_value"] == 1200.5
        assert [s["number"] for s in ed["standards"]] == ["JB/T 13368-2018", "GB/T 99999-2099"]
        assert ed["standards"][1]["status"] == "upcoming"
        assert [c["code"] for c in data["checks"]] == ["standard_upcoming"]
        assert "id" not in ed  # explicit output whitelist

    def test_publish_at_once(self, client, world: World):
        resp = client.post(API, json=body(publish=True), headers=world.headers("member_a"))
        data = resp.get_json()
        assert resp.status_code == 201
        assert data["state"] == "published" and data["current_edition"] == 1
        assert data["editions"][0]["published"] is True
        assert data["first_published_at"] is not None

    def test_check_failed_is_422_with_checks_and_saves_nothing(self, client, db, world: World):
        before = (count(db, Declaration), count(db, AuditEntry))
        resp = client.post(API, json=body(publish=True, standards=["GB/T 3100-1993"],
                                          intl_standard="GB/T 19001-2016"),
                           headers=world.headers("member_a"))
        data = assert_contract(resp, 422, "check_failed")
        assert data["errors"] == {
            "standards.0": ["[standard_abolished] GB/T 3100-1993 已废止，不能作为执行标准"],
            "intl_standard": ["[intl_standard_invalid] “GB/T 19001-2016”不是有效的国际或国外标准号"]}
        assert [c["code"] for c in data["checks"]] == ["standard_abolished",
                                                       "intl_standard_invalid"]
        assert (count(db, Declaration), count(db, AuditEntry)) == before

    def test_draft_with_unknown_standard_is_refused(self, client, world: World):
        resp = client.post(API, json=body(standards=["GB/T 12345-2000"]),
                           headers=world.headers("member_a"))
        data = assert_contract(resp, 422, "check_failed")
        assert list(data["errors"]) == ["standards.0"]

    def test_admin_names_the_enterprise(self, client, world: World):
        resp = client.post(API, json=body(), headers=world.headers("admin"))
        assert assert_contract(resp, 422, "validation_error")["errors"] == {
            "enterprise": ["请填写企业的统一社会信用代码"]}
        resp = client.post(API, json=body(enterprise=world.b.credit_code.lower()),
                           headers=world.headers("admin"))
        assert resp.status_code == 201
        assert resp.get_json()["enterprise"]["credit_code"] == world.b.credit_code

    def test_unknown_enterprise_is_422(self, client, world: World):
        resp = client.post(API, json=body(enterprise="91330683MA2BCDE01X"),
                           headers=world.headers("admin"))
        assert "enterprise" in assert_contract(resp, 422, "validation_error")["errors"]

    def test_member_may_name_own_enterprise_only(self, client, world: World):
        own = client.post(API, json=body(enterprise=world.a.credit_code),
                          headers=world.headers("member_a"))
        assert own.status_code == 201
        other = client.post(API, json=body(enterprise=world.b.credit_code),
                            headers=world.headers("member_a"))
        assert_contract(other, 403, "forbidden")

    def test_member_without_enterprise(self, client, db, world: World):
        from registry.accounts.services import create_user, issue_token

        token = issue_token(create_user("loner@example.com", "无企业", "correct horse"))
        resp = client.post(API, json=body(), headers={"Authorization": f"Bearer {token}"})
        assert_contract(resp, 403, "forbidden")

    def test_without_token(self, client, world: World):
        resp = client.post(API, json={"not": "even valid"})
        assert_contract(resp, 401, "unauthorized")
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")

    def test_bad_token(self, client, world: World):
        resp = client.post(API, json=body(), headers={"Authorization": "Bearer reg_nope"})
        assert_contract(resp, 401, "unauthorized")

    def test_attachment_is_stored(self, client, db, world: World):
        resp = client.post(API, json=body(
            enterprise_standard={"number": "Q/SZJ 1-2024", "title": "企标"},
            attachment={"filename": "q.pdf", "content": b64(OWN_PDF)}),
            headers=world.headers("member_a"))
        ed = resp.get_json()["editions"][0]
        assert ed["attachment_name"] == "q.pdf" and ed["attachment_size"] == len(OWN_PDF)
        assert ed["enterprise_standard"] == {"number": "Q/SZJ 1-2024", "title": "企标"}
        stored = db.session.scalar(select(DeclarationEdition.attachment).where(
            DeclarationEdition.declaration_id == resp.get_json()["id"]))
        assert stored == OWN_PDF


class TestRead:
    def test_published_with_editions(self, client, world: World):
        decl = published_of(world)
        services.amend_declaration(decl, content(model="RBJ-1800", change_note="型号更正"),
                                   world.users["member_a"])
        data = client.get(f"{API}/{decl.id}").get_json()
        assert data["state"] == "published" and data["state_label"] == "已公开"
        assert data["current_edition"] == 2
        assert [(e["number"], e["kind"], e["model"]) for e in data["editions"]] == [
            (1, "initial", "RBJ-1500"), (2, "amendment", "RBJ-1800")]
        assert data["editions"][1]["change_note"] == "型号更正"
        assert data["editions"][0]["indicators"] == [{
            "name": "额定载荷", "value": 1500.0, "unit": "kg", "direction": "higher",
            "test_method": "JB/T 13368-2018 6.2", "ref_standard": "JB/T 13368-2018",
            "ref_value": 1200.0}]

    @pytest.mark.parametrize(("role", "shown"), [
        ("anonymous", False), ("member_b", False), ("officer_x", False),
        ("member_a", True), ("officer_a", True), ("admin", True)])
    def test_output_value_only_for_the_entitled(self, client, world: World, role, shown):
        decl = published_of(world, annual_output_value=900)
        ed = client.get(f"{API}/{decl.id}", headers=world.headers(role)).get_json()["editions"][0]
        assert ed["annual_output_value"] == (900 if shown else None)

    def test_draft_is_404_for_others(self, client, world: World):
        decl = draft_of(world)
        body_ = assert_contract(client.get(f"{API}/{decl.id}"), 404, "not_found")
        assert body_ == assert_contract(client.get(f"{API}/999999"), 404, "not_found") | {
            "message": body_["message"]}
        assert client.get(f"{API}/{decl.id}", headers=world.headers("member_a")).status_code == 200

    def test_bad_token_on_a_public_read_is_401(self, client, world: World):
        decl = published_of(world)
        resp = client.get(f"{API}/{decl.id}", headers={"Authorization": "Bearer reg_wrong"})
        assert_contract(resp, 401, "unauthorized")

    def test_withdrawn_shows_reason(self, client, world: World):
        decl = published_of(world)
        services.withdraw_declaration(decl, "产品停产", world.users["member_a"])
        data = client.get(f"{API}/{decl.id}").get_json()
        assert (data["state"], data["withdrawn_reason"]) == ("withdrawn", "产品停产")
        assert len(data["editions"]) == 1


class TestList:
    def test_filters(self, client, world: World):
        a1 = published_of(world, standards=["JB/T 13368-2018", "GB/T 19001-2016"])
        a2 = published_of(world)
        b1 = published_of(world, world.b)
        draft_of(world)
        services.withdraw_declaration(a2, "停产", world.users["member_a"])

        def ids(query: str = "", role: str = "anonymous") -> list[int]:
            resp = client.get(f"{API}{query}", headers=world.headers(role))
            assert resp.status_code == 200, resp.get_json()
            return [d["id"] for d in resp.get_json()["items"]]

        assert ids() == [b1.id, a2.id, a1.id]
        assert ids(f"?enterprise={world.a.credit_code}") == [a2.id, a1.id]
        assert len(ids(f"?enterprise={world.a.credit_code}", "member_a")) == 3
        assert ids("?standard=GBT19001-2016") == [a1.id]
        assert ids("?standard=GB/T 19001") == [a1.id]
        assert ids("?state=withdrawn") == [a2.id]
        assert ids("?enterprise=91330683MA2BCDE01X") == []
        assert ids("?standard=GB/T 12345-2000") == []

    def test_summary_and_envelope(self, client, world: World):
        published_of(world)
        data = client.get(f"{API}?per_page=1").get_json()
        assert set(data) == {"items", "page", "per_page", "total", "pages"}
        (item,) = data["items"]
        assert item["product_name"] == "软包夹" and item["standards"] == ["JB/T 13368-2018"]
        assert item["edition"] == 1 and item["enterprise"]["name"] == world.a.name

    def test_bad_filter_is_422(self, client, world: World):
        assert_contract(client.get(f"{API}?state=gone"), 422, "validation_error")
        assert_contract(client.get(f"{API}?per_page=1000"), 422, "validation_error")


class TestUpdateDraft:
    def test_patch_keeps_what_is_left_out(self, client, world: World):
        decl = draft_of(world)
        resp = client.patch(f"{API}/{decl.id}", json={"model": "RBJ-2000"},
                            headers=world.headers("member_a"))
        assert resp.status_code == 200, resp.get_json()
        (ed,) = resp.get_json()["editions"]
        assert ed["model"] == "RBJ-2000" and ed["product_name"] == "软包夹"
        assert [s["number"] for s in ed["standards"]] == ["JB/T 13368-2018"]
        assert len(ed["indicators"]) == 1

    def test_patch_with_a_problem_reports_it(self, client, world: World):
        decl = draft_of(world)
        data = client.patch(f"{API}/{decl.id}", json={"standards": ["GB/T 3100-1993"]},
                            headers=world.headers("member_a")).get_json()
        assert [c["code"] for c in data["checks"]] == ["standard_abolished"]

    def test_patch_unknown_standard_changes_nothing(self, client, db, world: World):
        decl = draft_of(world)
        resp = client.patch(f"{API}/{decl.id}", json={"standards": ["GB/T 12345-2000"],
                                                      "model": "X"},
                            headers=world.headers("member_a"))
        assert_contract(resp, 422, "check_failed")
        db.session.expire_all()
        assert db.session.get(Declaration, decl.id).editions[0].model == "RBJ-1500"

    def test_published_is_409(self, client, world: World):
        decl = published_of(world)
        resp = client.patch(f"{API}/{decl.id}", json={"model": "X"},
                            headers=world.headers("member_a"))
        assert_contract(resp, 409, "conflict")


class TestPublishAmendWithdraw:
    def test_publish(self, client, world: World):
        decl = draft_of(world)
        resp = client.post(f"{API}/{decl.id}/publish", headers=world.headers("member_a"))
        assert resp.status_code == 200
        assert resp.get_json()["state"] == "published"
        again = client.post(f"{API}/{decl.id}/publish", headers=world.headers("member_a"))
        assert_contract(again, 409, "conflict")

    def test_publish_with_errors_changes_nothing(self, client, db, world: World):
        decl = draft_of(world, indicators=[{"name": "载荷", "value": 1000,
                                            "ref_standard": "JB/T 13368-2018",
                                            "ref_value": 1200}])
        resp = client.post(f"{API}/{decl.id}/publish", headers=world.headers("member_a"))
        data = assert_contract(resp, 422, "check_failed")
        assert data["errors"] == {"indicators.0.value": [
            "[indicator_below_recommended] “载荷”1000.0 低于推荐性标准 JB/T 13368-2018，"
            "须在“低于推荐性标准的明示”中说明"]}
        assert data["checks"][0]["code"] == "indicator_below_recommended"
        state = client.get(f"{API}/{decl.id}", headers=world.headers("member_a")).get_json()
        assert state["state"] == "draft" and state["editions"][0]["published"] is False

    def test_amend_and_revise(self, client, world: World):
        decl = published_of(world)
        h = world.headers("member_a")
        one = client.post(f"{API}/{decl.id}/amend", json=body(model="RBJ-1600",
                                                               change_note="型号"), headers=h)
        assert one.status_code == 200, one.get_json()
        two = client.post(f"{API}/{decl.id}/amend", json=body(kind="revision"), headers=h)
        data = two.get_json()
        assert [(e["number"], e["kind"], e["kind_label"]) for e in data["editions"]] == [
            (1, "initial", "首次声明"), (2, "amendment", "修改"), (3, "revision", "修订")]
        assert data["current_edition"] == 3 and data["checks"] == []

    @pytest.mark.parametrize("kind", ["initial", "whatever"])
    def test_amend_kind(self, client, world: World, kind):
        decl = published_of(world)
        resp = client.post(f"{API}/{decl.id}/amend", json=body(kind=kind),
                           headers=world.headers("member_a"))
        assert "kind" in assert_contract(resp, 422, "validation_error")["errors"]

    def test_amend_with_errors(self, client, world: World):
        decl = published_of(world)
        resp = client.post(f"{API}/{decl.id}/amend", json=body(standards=[]),
                           headers=world.headers("member_a"))
        assert assert_contract(resp, 422, "check_failed")["checks"][0]["code"] == "no_standard"
        assert client.get(f"{API}/{decl.id}").get_json()["current_edition"] == 1

    def test_withdraw(self, client, world: World):
        decl = published_of(world)
        h = world.headers("member_a")
        missing = client.post(f"{API}/{decl.id}/withdraw", json={}, headers=h)
        assert assert_contract(missing, 422, "validation_error")["errors"] == {
            "reason": ["必填项"]}
        short = client.post(f"{API}/{decl.id}/withdraw", json={"reason": "停"}, headers=h)
        assert "reason" in assert_contract(short, 422)["errors"]
        resp = client.post(f"{API}/{decl.id}/withdraw", json={"reason": "产品停产"}, headers=h)
        assert resp.status_code == 200
        assert resp.get_json()["withdrawn_reason"] == "产品停产"
        again = client.post(f"{API}/{decl.id}/withdraw", json={"reason": "产品停产"}, headers=h)
        assert_contract(again, 409, "conflict")


class TestDiff:
    def test_default_is_current_against_previous(self, client, world: World):
        decl = published_of(world)
        services.amend_declaration(decl, content(model="RBJ-1800"), world.users["member_a"])
        services.amend_declaration(
            decl, content(model="RBJ-1800", indicators=[
                {"name": "额定载荷", "value": 1600, "unit": "kg",
                 "ref_standard": "JB/T 13368-2018", "ref_value": 1200}]),
            world.users["member_a"], kind="revision")
        data = client.get(f"{API}/{decl.id}/diff").get_json()
        assert (data["from"], data["to"]) == (2, 3)
        assert [c["field"] for c in data["changes"]] == ["indicator:额定载荷"]
        assert data["changes"][0]["old"]["value"] == 1500
        assert data["changes"][0]["new"]["value"] == 1600
        explicit = client.get(f"{API}/{decl.id}/diff?from=1&to=2").get_json()
        assert explicit["changes"] == [{"field": "model", "old": "RBJ-1500", "new": "RBJ-1800"}]
        assert {c["field"] for c in client.get(f"{API}/{decl.id}/diff?from=1").get_json()[
            "changes"]} == {"model", "indicator:额定载荷"}

    def test_unknown_edition_is_404(self, client, world: World):
        decl = published_of(world)
        assert_contract(client.get(f"{API}/{decl.id}/diff?from=1&to=5"), 404, "not_found")

    def test_single_edition_is_422(self, client, world: World):
        decl = published_of(world)
        assert "from" in assert_contract(client.get(f"{API}/{decl.id}/diff"), 422)["errors"]

    def test_draft_diff_hidden(self, client, world: World):
        decl = draft_of(world)
        assert_contract(client.get(f"{API}/{decl.id}/diff?from=1&to=1"), 404, "not_found")
        own = client.get(f"{API}/{decl.id}/diff?from=1&to=1", headers=world.headers("member_a"))
        assert own.get_json() == {"from": 1, "to": 1, "changes": []}


class TestDelete:
    def test_draft(self, client, db, world: World):
        decl = draft_of(world)
        resp = client.delete(f"{API}/{decl.id}", headers=world.headers("member_a"))
        assert resp.status_code == 204 and resp.data == b""
        assert_contract(client.get(f"{API}/{decl.id}", headers=world.headers("member_a")), 404)

    def test_published_never(self, client, world: World):
        decl = published_of(world)
        resp = client.delete(f"{API}/{decl.id}", headers=world.headers("admin"))
        assert "只能废止" in assert_contract(resp, 409, "conflict")["message"]
        assert client.get(f"{API}/{decl.id}").status_code == 200


class TestAuditThroughTheApi:
    def test_actions_are_logged(self, client, db, world: World):
        h = world.headers("member_a")
        decl_id = client.post(API, json=body(), headers=h).get_json()["id"]
        client.patch(f"{API}/{decl_id}", json={"model": "X"}, headers=h)
        client.post(f"{API}/{decl_id}/publish", headers=h)
        client.post(f"{API}/{decl_id}/amend", json=body(kind="revision"), headers=h)
        client.post(f"{API}/{decl_id}/withdraw", json={"reason": "停产了"}, headers=h)
        data = client.get(f"/api/v1/audit?enterprise={world.a.credit_code}",
                          headers=world.headers("officer_a")).get_json()
        mine = [e for e in data["items"] if e["entity"] == "declaration"]
        assert [e["action"] for e in reversed(mine)] == [
            "declaration.create", "declaration.update_draft", "declaration.publish",
            "declaration.revise", "declaration.withdraw"]
        assert {(e["actor"], e["region_code"], e["enterprise"]) for e in mine} == {
            ("a@example.com", "330683", world.a.credit_code)}
        assert mine[0]["action_label"] == "废止声明"
        assert mine[0]["detail"] == {"reason": "停产了"}


class TestOpenApi:
    def test_documented_with_bearer_auth(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        validate(spec)
        paths = spec["paths"]
        secured = [("/api/v1/declarations", "post"), ("/api/v1/declarations/{decl_id}", "patch"),
                   ("/api/v1/declarations/{decl_id}", "delete"),
                   ("/api/v1/declarations/{decl_id}/publish", "post"),
                   ("/api/v1/declarations/{decl_id}/amend", "post"),
                   ("/api/v1/declarations/{decl_id}/withdraw", "post"),
                   ("/api/v1/enterprises/{credit_code}", "patch"),
                   ("/api/v1/enterprises/{credit_code}/flags", "get"),
                   ("/api/v1/audit", "get"), ("/api/v1/me", "get")]
        for path, method in secured:
            op = paths[path][method]
            assert op["security"] == [{"bearerAuth": []}], (path, method)
            assert "401" in op["responses"], (path, method)
        for path, method in [("/api/v1/declarations", "get"), ("/api/v1/declarations/check", "post"),
                             ("/api/v1/declarations/{decl_id}", "get"),
                             ("/api/v1/enterprises", "get"), ("/api/v1/tokens", "post")]:
            assert "security" not in paths[path][method], (path, method)
        failed = paths["/api/v1/declarations"]["post"]["responses"]["422"]
        ref = failed["content"]["application/json"]["schema"]["$ref"]
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(schema["properties"]) == {"code", "status", "message", "errors", "checks"}
