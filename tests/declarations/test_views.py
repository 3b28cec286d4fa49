"""Declaration pages: the form (draft, publish, checks), the public page, amend, diff, withdraw."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from registry.declarations.models import Declaration, DeclarationEdition
from registry.standards.schemas import StandardInSchema
from registry.standards.services import upsert_standard
from tests.accounts.test_views import CODE, CODE2, log_in, sign_up, text

STANDARDS = [
    {"number": "GB/T 19001-2008", "title_zh": "质量管理体系 要求", "effective_on": "2009-03-01"},
    {"number": "GB/T 19001-2016", "title_zh": "质量管理体系 要求", "effective_on": "2017-07-01",
     "replaces": ["GB/T 19001-2008"]},
    {"number": "GB 4706.1-2005", "title_zh": "家用和类似用途电器的安全 第1部分：通用要求",
     "effective_on": "2006-08-01"},
    {"number": "GB/T 6543-2008", "title_zh": "运输包装用单瓦楞纸箱和双瓦楞纸箱",
     "effective_on": "2009-05-01"},
]


@pytest.fixture
def catalogue(db: Any) -> None:
    for row in STANDARDS:
        upsert_standard(StandardInSchema().load(row), source="test")
    db.session.commit()


def decl_form(**changes: Any) -> dict[str, Any]:
    """A valid form: one catalogue standard, an own standard with two indicator rows."""
    form: dict[str, Any] = {
        "product_name": "电热水壶", "model": "SK-1701", "category": "家用电器", "spec": "1.7L",
        "barcode": "", "annual_output_value": "1200", "is_main_product": "on",
        "standards": ["GB/T 19001-2016", ""],
        "ent_std_number": "", "ent_std_title": "",
        "ind_name": ["额定功率", "", "热效率"], "ind_value": ["1800", "", "88"],
        "ind_unit": ["W", "", "%"], "ind_direction": ["none", "higher", "higher"],
        "ind_test_method": ["", "", "GB/T 6543-2008"], "ind_ref_standard": ["", "", ""],
        "ind_ref_value": ["", "", ""],
        "intl_standard": "", "lower_statement": "", "action": "publish",
    }
    form.update(changes)
    return form


def count(model: Any) -> int:
    from registry.extensions import db as _db

    return _db.session.scalar(select(func.count()).select_from(model)) or 0


def file_declaration(client: FlaskClient, **changes: Any) -> int:
    resp = client.post("/declarations/new", data=decl_form(**changes))
    assert resp.status_code == 302, text(resp)
    return int(resp.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def member(client: FlaskClient, catalogue: None) -> FlaskClient:
    sign_up(client)
    return client


class TestNewDeclaration:
    def test_form_has_rows_checks_panel_and_both_buttons(self, member: FlaskClient) -> None:
        html = text(member.get("/declarations/new"))
        assert "新建自我声明" in html and 'name="standards"' in html and "ind_ref_value" in html
        assert "保存草稿" in html and "公开声明" in html and 'id="check-panel"' in html
        assert "declaration-form.js" in html and "/declarations/check.json" in html

    def test_publish_at_once(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member)
        html = text(member.get(f"/declarations/{decl_id}"))
        assert "声明已公开" in html and "电热水壶" in html and "SK-1701" in html
        assert 'href="/standards/GB/T%2019001-2016"' in html
        assert 'class="badge status-current">现行<' in html
        assert "额定功率" in html and "1800W" in html and "热效率" in html
        assert "第 1 版 · 首次声明" in html and 'class="badge decl-published">已公开<' in html

    def test_replaced_standard_is_refused_with_the_successor(self, member: FlaskClient) -> None:
        resp = member.post("/declarations/new",
                           data=decl_form(standards=["", "GB/T 19001-2008"]))
        html = text(resp)
        assert resp.status_code == 422
        assert "GB/T 19001-2008 已被代替，现行版本为 GB/T 19001-2016" in html
        # the suggestion button points at the second row, as on the page
        assert 'data-field="standards.1" data-suggestion="GB/T 19001-2016"' in html
        assert 'value="GB/T 19001-2008"' in html  # the form keeps what was typed
        assert count(Declaration) == 0

    def test_save_draft_with_open_problems(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member, standards=["GB/T 19001-2008"], action="draft")
        html = text(member.get(f"/declarations/{decl_id}"))
        assert "草稿已保存" in html and "公开前还需解决 1 个问题" in html
        assert "草稿，尚未公开" in html
        # publishing from the page refuses and shows the form with the check
        resp = member.post(f"/declarations/{decl_id}/publish")
        assert resp.status_code == 422 and "现行版本为 GB/T 19001-2016" in text(resp)
        # fixed in the edit form and published in one step
        resp = member.post(f"/declarations/{decl_id}/edit", data=decl_form())
        assert resp.status_code == 302
        assert "已公开" in text(member.get(f"/declarations/{decl_id}"))
        assert member.get(f"/declarations/{decl_id}/edit").status_code == 302  # -> amend

    def test_unknown_number_blocks_even_a_draft(self, member: FlaskClient) -> None:
        resp = member.post("/declarations/new",
                           data=decl_form(standards=["GB/T 99999-2020"], action="draft"))
        assert resp.status_code == 422 and "标准目录中没有 GB/T 99999-2020" in text(resp)
        assert count(Declaration) == 0

    def test_schema_errors_next_to_fields(self, member: FlaskClient) -> None:
        resp = member.post("/declarations/new", data=decl_form(
            product_name="", barcode="12ab", ind_value=["abc", "", "88"]))
        html = text(resp)
        assert resp.status_code == 422
        assert re.search(r'data-for="product_name">必填项<', html)
        assert re.search(r'data-for="barcode">条码应为 8–14 位数字<', html)
        assert re.search(r'data-for="indicators.0.value">指标值必须是数字<', html)
        assert count(Declaration) == 0

    def test_own_standard_needs_indicators_and_a_pdf(self, member: FlaskClient) -> None:
        form = decl_form(standards=[""], ent_std_number="Q/SZ 001-2024", ent_std_title="电热水壶",
                         ind_name=[""], ind_value=[""], ind_unit=[""], ind_direction=["higher"],
                         ind_test_method=[""], ind_ref_standard=[""], ind_ref_value=[""])
        resp = member.post("/declarations/new", data=form)
        assert resp.status_code == 422 and "必须公开产品的功能指标和性能指标" in text(resp)
        form = decl_form(standards=[""], ent_std_number="Q/SZ 001-2024", ent_std_title="电热水壶",
                         attachment=(BytesIO(b"not a pdf"), "q.docx"))
        resp = member.post("/declarations/new", data=form, content_type="multipart/form-data")
        assert resp.status_code == 422 and "只接受 PDF" in text(resp)
        form["attachment"] = (BytesIO(b"%PDF-1.4 test"), "q.pdf")
        resp = member.post("/declarations/new", data=form, content_type="multipart/form-data")
        decl_id = int(resp.headers["Location"].rsplit("/", 1)[1])
        html = text(member.get(f"/declarations/{decl_id}"))
        assert "Q/SZ 001-2024" in html and "标准文本（PDF）" in html
        pdf = member.get(f"/declarations/{decl_id}/editions/1/attachment")
        assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")

    def test_below_recommended_needs_the_statement(self, member: FlaskClient) -> None:
        form = decl_form(ind_ref_standard=["", "", "GB/T 6543-2008"], ind_ref_value=["", "", "90"])
        resp = member.post("/declarations/new", data=form)
        assert resp.status_code == 422 and "低于推荐性标准 GB/T 6543-2008" in text(resp)
        assert 'data-field="indicators.2.value"' in text(resp)
        file_declaration(member, ind_ref_standard=["", "", "GB/T 6543-2008"],
                         ind_ref_value=["", "", "90"], lower_statement="热效率低于推荐值，已告知用户")

    def test_officers_cannot_file(self, client: FlaskClient, catalogue: None) -> None:
        from tests.accounts.test_views import make_user

        make_user("officer", "o@example.com", "330600")
        log_in(client, "o@example.com")
        assert client.get("/declarations/new").status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client: FlaskClient) -> None:
        resp = client.get("/declarations/new")
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


class TestLiveCheck:
    def test_rows_are_numbered_as_on_the_page(self, member: FlaskClient) -> None:
        resp = member.post("/declarations/check.json", data=decl_form(
            product_name="", standards=["", "GB/T 19001-2008"], ind_value=["x", "", "88"]))
        body = resp.get_json()
        assert resp.status_code == 200 and body["ok"] is False
        by_code = {c["code"]: c for c in body["checks"]}
        replaced = by_code["standard_replaced"]
        assert replaced["field"] == "standards.1" and replaced["suggestion"] == "GB/T 19001-2016"
        assert by_code["invalid"]["field"] == "indicators.0.value"
        assert "指标值必须是数字" in by_code["invalid"]["message"]
        # a product name not typed yet is not worth a message while typing
        assert all(c["field"] != "product_name" for c in body["checks"])

    def test_clean_form_is_ok(self, member: FlaskClient) -> None:
        body = member.post("/declarations/check.json", data=decl_form()).get_json()
        assert body == {"checks": [], "ok": True}

    def test_needs_sign_in(self, client: FlaskClient) -> None:
        resp = client.post("/declarations/check.json", data={})
        assert resp.status_code == 401 and resp.get_json()["code"] == "unauthorized"


class TestVisibility:
    def test_drafts_are_private_and_others_cannot_edit(self, client: FlaskClient,
                                                       catalogue: None) -> None:
        sign_up(client)
        draft = file_declaration(client, action="draft")
        published = file_declaration(client, product_name="电饭煲")
        client.post("/logout")
        assert client.get(f"/declarations/{draft}").status_code == 404
        assert client.get(f"/declarations/{published}").status_code == 200
        sign_up(client, credit_code=CODE2, email="other@example.com", ent_name="另一家公司")
        assert client.get(f"/declarations/{draft}").status_code == 404
        assert client.get(f"/declarations/{draft}/edit").status_code == 404
        assert client.post(f"/declarations/{draft}/publish").status_code == 404
        assert client.get(f"/declarations/{published}/amend").status_code == 403
        assert client.post(f"/declarations/{published}/amend",
                           data=decl_form(product_name="篡改")).status_code == 403
        assert client.post(f"/declarations/{published}/withdraw",
                           data={"reason": "恶意废止"}).status_code == 403
        assert client.get(f"/declarations/{published}/editions/1").status_code == 200
        assert "篡改" not in text(client.get(f"/declarations/{published}"))

    def test_delete_draft(self, member: FlaskClient) -> None:
        draft = file_declaration(member, action="draft")
        assert member.post(f"/declarations/{draft}/delete").status_code == 302
        assert member.get(f"/declarations/{draft}").status_code == 404


class TestAmendWithdraw:
    def test_amend_keeps_both_editions_and_shows_the_diff(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member)
        html = text(member.get(f"/declarations/{decl_id}/amend"))
        assert 'value="电热水壶"' in html and 'value="GB/T 19001-2016"' in html
        assert 'value="1800"' in html and "修订" in html and "变更说明" in html
        resp = member.post(f"/declarations/{decl_id}/amend", data=decl_form(
            model="SK-1702", kind="amendment", change_note="型号更新",
            ind_name=["额定功率", "", "热效率"], ind_value=["2000", "", "88"],
            standards=["GB/T 19001-2016", "GB 4706.1-2005"]))
        assert resp.status_code == 302
        html = text(member.get(f"/declarations/{decl_id}"))
        assert "SK-1702" in html and "第 2 版 · 修改" in html and "第 1 版 · 首次声明" in html
        assert "与第 1 版比较" in html and "型号更新" in html
        old = text(member.get(f"/declarations/{decl_id}/editions/1"))
        assert "SK-1701" in old and "这是历史版本" in old
        diff = text(member.get(f"/declarations/{decl_id}/diff?from=1&to=2"))
        rows = diff.split("<tbody>", 1)[1]
        assert "型号" in rows and "SK-1701" in rows and "SK-1702" in rows
        assert "新增：GB 4706.1-2005" in rows
        assert "指标“额定功率”" in rows and "1800W" in rows and "2000W" in rows
        assert "热效率" not in rows  # unchanged indicators are not listed
        assert count(DeclarationEdition) == 2

    def test_amend_refused_keeps_the_current_edition(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member)
        resp = member.post(f"/declarations/{decl_id}/amend", data=decl_form(
            kind="revision", standards=["GB/T 19001-2008"]))
        assert resp.status_code == 422 and "现行版本为 GB/T 19001-2016" in text(resp)
        assert count(DeclarationEdition) == 1

    def test_amend_prefill_from_a_watch_flag(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member)
        html = text(member.get(f"/declarations/{decl_id}/amend?replace=GB/T 19001-2016"
                               "&with=GB/T 19001-2099"))
        assert 'value="GB/T 19001-2099"' in html

    def test_withdraw_with_reason(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member)
        resp = member.post(f"/declarations/{decl_id}/withdraw", data={"reason": ""})
        assert resp.status_code == 422 and "请填写废止原因" in text(resp)
        resp = member.post(f"/declarations/{decl_id}/withdraw", data={"reason": "产品停产"})
        assert resp.status_code == 302
        member.post("/logout")
        html = text(member.get(f"/declarations/{decl_id}"))
        assert "该声明已废止" in html and "产品停产" in html and "电热水壶" in html
        assert "已废止" in text(member.get("/declarations?state=withdrawn"))

    def test_public_list_and_enterprise_page(self, member: FlaskClient) -> None:
        file_declaration(member)
        file_declaration(member, product_name="草稿产品", action="draft")
        member.post("/logout")
        html = text(member.get("/declarations"))
        assert "电热水壶" in html and "嵊州市示例电器有限公司" in html and "草稿产品" not in html
        html = text(member.get(f"/enterprises/{CODE}"))
        assert "电热水壶" in html and "草稿产品" not in html



class TestEnglish:
    def test_pages_render_in_english(self, member: FlaskClient) -> None:
        decl_id = file_declaration(member)
        member.post(f"/declarations/{decl_id}/amend", data=decl_form(model="SK-2"))
        pages = {
            "/declarations/new?lang=en": ["New self-declaration", "Save draft", "Checks"],
            f"/declarations/{decl_id}": ["Editions", "Compare with edition 1", "Amend or revise"],
            f"/declarations/{decl_id}/diff": ["Compare editions", "Model"],
            f"/declarations/{decl_id}/amend": ["Publish new edition", "Amendment"],
            f"/declarations/{decl_id}/withdraw": ["Reason for withdrawal"],
            "/declarations": ["Standard self-declarations"],
            "/dashboard": ["Standard change alerts", "Published declarations"],
            "/enterprises": ["Unified social credit code"],
            f"/enterprises/{CODE}": ["Follow changes (Atom)"],
            f"/enterprises/{CODE}/edit": ["Edit enterprise details"],
            "/audit": ["Audit log"],
            "/account/password": ["Change password"],
            "/account/tokens": ["Create token"],
        }
        for url, expected in pages.items():
            resp = member.get(url)
            html = text(resp)
            assert resp.status_code == 200, url
            assert '<html lang="en">' in html, url
            for phrase in expected:
                assert phrase in html, (url, phrase)
        member.post("/logout")
        html = text(member.get("/signup"))
        assert "Sign up" in html and "Above-scale industrial enterprise" in html
        assert "Please sign in first" in text(member.get("/dashboard", follow_redirects=True))
