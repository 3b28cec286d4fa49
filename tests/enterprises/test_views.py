"""Enterprise pages: list and search, public profile, dashboard with watch flags, edit, audit."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from registry.accounts.models import User
from registry.accounts.services import sign_up as sign_up_service
from registry.declarations.services import create_declaration
from registry.extensions import db as _db
from registry.identifiers import make_credit_code
from registry.standards.schemas import StandardInSchema
from registry.standards.services import upsert_standard
from tests.accounts.test_views import CODE, PASSWORD, log_in, make_user, text

HANGZHOU = make_credit_code("9", "1", "330106", "MA2B00004")  # 杭州市西湖区


def register(code: str, name: str, email: str, industry: str = "38") -> User:
    user = sign_up_service({"name": name, "credit_code": code, "industry_code": industry,
                            "above_scale": True}, email, "联系人", PASSWORD)
    _db.session.commit()
    return user


def standard(**data: Any) -> None:
    upsert_standard(StandardInSchema().load(data), source="test")
    _db.session.commit()


def publish(user: User, product: str, numbers: list[str], publish: bool = True) -> int:
    assert user.enterprise is not None
    decl, _ = create_declaration(user.enterprise, {"product_name": product, "standards": numbers},
                                 user, publish=publish)
    _db.session.commit()
    return decl.id


@pytest.fixture
def two(db: Any) -> dict[str, User]:
    standard(number="GB/T 19001-2016", title_zh="质量管理体系 要求", effective_on="2017-07-01")
    return {"shengzhou": register(CODE, "嵊州市示例电器有限公司", "a@example.com"),
            "hangzhou": register(HANGZHOU, "杭州西湖软件有限公司", "b@example.com", "I")}


class TestList:
    def test_search_and_filters(self, client: FlaskClient, two: Any) -> None:
        html = text(client.get("/enterprises"))
        assert "共 2 家企业" in html and "浙江省绍兴市嵊州市" in html
        assert "共 1 家企业" in text(client.get("/enterprises?q=西湖"))
        html = text(client.get(f"/enterprises?q={CODE.lower()}"))
        assert "共 1 家企业" in html and "嵊州市示例电器有限公司" in html
        html = text(client.get("/enterprises?region=330600"))
        assert "嵊州市示例电器有限公司" in html and "杭州西湖软件有限公司" not in html
        html = text(client.get("/enterprises?industry=I"))
        assert "杭州西湖软件有限公司" in html and "嵊州市示例电器有限公司" not in html

    def test_bad_region_is_a_message(self, client: FlaskClient, two: Any) -> None:
        resp = client.get("/enterprises?region=abc")
        assert resp.status_code == 400 and "地区代码应为" in text(resp)
        assert "共 2 家企业" in text(resp)


class TestProfile:
    def test_public_profile_with_declarations(self, client: FlaskClient, two: Any) -> None:
        user = two["shengzhou"]
        publish(user, "电热水壶", ["GB/T 19001-2016"])
        publish(user, "未公开的草稿", ["GB/T 19001-2016"], publish=False)
        html = text(client.get(f"/enterprises/{CODE}"))
        assert "嵊州市示例电器有限公司" in html and CODE in html and "电气机械和器材制造业" in html
        assert "规模以上企业" in html and "浙江省绍兴市嵊州市" in html
        assert "电热水壶" in html and "未公开的草稿" not in html
        assert f"/enterprises/{CODE}/feed.atom" in html
        log_in(client, "a@example.com")
        assert "未公开的草稿" in text(client.get(f"/enterprises/{CODE}"))

    def test_unknown_code_is_404(self, client: FlaskClient, db: Any) -> None:
        resp = client.get("/enterprises/91330683MA2B99999X")
        assert resp.status_code == 404 and "没有统一社会信用代码为" in text(resp)


class TestDashboard:
    def test_lists_drafts_declarations_and_watch_flags(self, client: FlaskClient,
                                                      two: Any) -> None:
        user = two["shengzhou"]
        standard(number="GB/T 1234-2010", title_zh="旧版标准", effective_on="2010-06-01")
        decl_id = publish(user, "电热水壶", ["GB/T 1234-2010"])
        publish(user, "电饭煲草稿", ["GB/T 19001-2016"], publish=False)
        log_in(client, "a@example.com")
        html = text(client.get("/dashboard"))
        assert "没有待处理的提醒" in html and "电饭煲草稿" in html and "电热水壶" in html
        # the catalogue learns of a new edition: the declaration citing the old one is flagged
        standard(number="GB/T 1234-2020", title_zh="新版标准", effective_on="2021-01-01",
                 replaces=["GB/T 1234-2010"])
        html = text(client.get("/dashboard"))
        flags = html.split('class="std-table flags"', 1)[1].split("</table>", 1)[0]
        assert "电热水壶" in flags and "GB/T 1234-2010" in flags and "被代替" in flags
        assert "GB/T 1234-2020" in flags
        assert (f"/declarations/{decl_id}/amend?replace=GB/T+1234-2010&amp;with=GB/T+1234-2020"
                in flags)
        page = text(client.get(f"/declarations/{decl_id}"))
        assert "标准变更提醒" in page and "现行版本为" in page and "需更新" in html

    def test_officer_without_enterprise(self, client: FlaskClient, db: Any) -> None:
        make_user("officer", "o@example.com", "330600")
        log_in(client, "o@example.com")
        html = text(client.get("/dashboard"))
        assert "工作台" in html and "审计日志" in html


class TestEdit:
    def test_member_edits_own_enterprise(self, client: FlaskClient, two: Any) -> None:
        log_in(client, "a@example.com")
        form = {"name": "嵊州市示例电器股份有限公司", "region_code": "330683", "industry_code": "38",
                "address": "嵊州市经济开发区 1 号", "cert_kind": ["浙江制造", "品字标"],
                "cert_number": ["ZJ-2024-001", ""], "cert_standard": ["T/ZZB 2109-2021", ""],
                "cert_valid_until": ["2027-01-01", ""]}
        resp = client.post(f"/enterprises/{CODE}/edit", data=form)
        assert resp.status_code == 302
        html = text(client.get(f"/enterprises/{CODE}"))
        assert "嵊州市示例电器股份有限公司" in html and "ZJ-2024-001" in html
        assert "规模以上企业" not in html  # the box was unticked
        resp = client.post(f"/enterprises/{CODE}/edit", data={**form, "region_code": "999999"})
        assert resp.status_code == 422 and "省级代码 99 不存在" in text(resp)

    def test_others_cannot(self, client: FlaskClient, two: Any) -> None:
        log_in(client, "b@example.com")
        assert client.get(f"/enterprises/{CODE}/edit").status_code == 403
        assert client.post(f"/enterprises/{CODE}/edit", data={"name": "x"}).status_code == 403
        client.post("/logout")
        assert client.get(f"/enterprises/{CODE}/edit").status_code == 302


class TestAudit:
    def test_scopes(self, client: FlaskClient, two: Any) -> None:
        publish(two["shengzhou"], "嵊州产品", ["GB/T 19001-2016"])
        publish(two["hangzhou"], "杭州产品", ["GB/T 19001-2016"])
        make_user("officer", "sx@example.com", "330600")  # 绍兴市
        make_user("admin", "admin@example.com")
        log_in(client, "sx@example.com")
        html = text(client.get("/audit"))
        assert "a@example.com" in html and "b@example.com" not in html
        assert "公开声明" in html and "嵊州市示例电器有限公司" in html
        client.post("/logout")
        log_in(client, "admin@example.com")
        html = text(client.get("/audit"))
        assert "a@example.com" in html and "b@example.com" in html
        html = text(client.get("/audit?region=330100"))
        assert "a@example.com" not in html and "b@example.com" in html
        client.post("/logout")
        log_in(client, "b@example.com")
        html = text(client.get("/audit"))
        assert "b@example.com" in html and "a@example.com" not in html
        client.post("/logout")
        assert client.get("/audit").status_code == 302

