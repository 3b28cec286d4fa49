"""Account pages: sign-up with an enterprise, sign-in, sign-out, password change, API tokens."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from registry.accounts.models import ApiToken, User
from registry.accounts.services import create_user, user_for_token
from registry.enterprises.models import Enterprise
from registry.extensions import db as _db
from registry.identifiers import make_credit_code

CODE = make_credit_code("9", "1", "330683", "MA2B00001")  # 嵊州市
CODE2 = make_credit_code("9", "1", "330683", "MA2B00002")
PASSWORD = "s3cret-pass"


def signup_form(**changes: Any) -> dict[str, Any]:
    form = {"ent_name": "嵊州市示例电器有限公司", "credit_code": CODE, "region_code": "",
            "industry_code": "38", "above_scale": "on", "contact_name": "王质量",
            "email": "qm@example.com", "password": PASSWORD, "password2": PASSWORD}
    form.update(changes)
    return form


def sign_up(client: FlaskClient, **changes: Any) -> Any:
    """Sign up an enterprise through the page (the client stays signed in)."""
    return client.post("/signup", data=signup_form(**changes))


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password})


def make_user(role: str, email: str, region: str | None = None) -> User:
    user = create_user(email, role, PASSWORD, role=role, region_code=region)
    _db.session.commit()
    return user


def text(resp: Any) -> str:
    return resp.get_data(as_text=True)


def counts() -> tuple[int, int]:
    return (_db.session.scalar(select(func.count()).select_from(Enterprise)) or 0,
            _db.session.scalar(select(func.count()).select_from(User)) or 0)


class TestSignUp:
    def test_form_is_chinese_with_industries(self, client: FlaskClient) -> None:
        html = text(client.get("/signup"))
        assert "企业注册" in html and "统一社会信用代码" in html and "规模以上" in html
        assert '<option value="38">38 电气机械和器材制造业</option>' in html

    def test_registers_signs_in_and_defaults_region(self, client: FlaskClient, db: Any) -> None:
        resp = sign_up(client)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/dashboard")
        ent = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == CODE))
        assert ent.region_code == "330683" and ent.above_scale and ent.industry_code == "38"
        html = text(client.get("/dashboard"))
        assert "嵊州市示例电器有限公司" in html and "注册成功" in html
        assert "王质量" in html and "退出" in html  # the header shows who is signed in

    def test_region_can_differ_from_the_code(self, client: FlaskClient, db: Any) -> None:
        sign_up(client, region_code="330106")
        ent = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == CODE))
        assert ent.region_code == "330106"

    def test_bad_checksum_is_shown_and_nothing_saved(self, client: FlaskClient, db: Any) -> None:
        bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
        resp = sign_up(client, credit_code=bad, password2="different")
        html = text(resp)
        assert resp.status_code == 422
        assert "统一社会信用代码校验位错误" in html and f"应为 {CODE[-1]}" in html
        assert "两次输入的密码不一致" in html
        assert "[credit_code_checksum]" not in html  # the stable code is for machines
        assert 'value="嵊州市示例电器有限公司"' in html  # what was typed stays
        assert PASSWORD not in html  # passwords are never echoed
        assert counts() == (0, 0)

    def test_person_and_enterprise_errors_together(self, client: FlaskClient, db: Any) -> None:
        html = text(sign_up(client, ent_name="", contact_name="", email="nope", password="short",
                            password2="short"))
        assert "企业名称应为 2–200 个字符" in html and "请填写联系人姓名" in html
        assert "邮箱格式不正确" in html and "密码至少 8 个字符" in html
        assert counts() == (0, 0)

    def test_taken_code_and_email(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        client.post("/logout")
        resp = sign_up(client, email="other@example.com")
        assert resp.status_code == 422 and "该企业已注册" in text(resp)
        resp = sign_up(client, credit_code=CODE2)  # the address is not said to be registered
        assert resp.status_code == 422 and "无法使用该邮箱注册" in text(resp)
        assert "已注册" not in text(resp).replace("该企业已注册", "")
        assert counts() == (1, 1)


class TestSignIn:
    def test_login_logout(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        client.post("/logout")
        resp = client.get("/dashboard")
        assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]
        assert "请先登录" in text(client.get(resp.headers["Location"]))
        resp = log_in(client, "qm@example.com", "wrong-password")
        assert resp.status_code == 401 and "邮箱或密码不正确" in text(resp)
        resp = log_in(client, "QM@example.com")
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/dashboard")
        assert client.get("/dashboard").status_code == 200
        assert client.post("/logout").status_code == 302
        assert client.get("/dashboard").status_code == 302

    def test_next_is_followed_only_on_this_site(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        client.post("/logout")
        resp = client.post("/login?next=/account/tokens",
                           data={"email": "qm@example.com", "password": PASSWORD})
        assert resp.headers["Location"].endswith("/account/tokens")
        client.post("/logout")
        resp = client.post("/login?next=//evil.example/x",
                           data={"email": "qm@example.com", "password": PASSWORD})
        assert resp.headers["Location"].endswith("/dashboard")

    def test_logout_is_post_only(self, client: FlaskClient, db: Any) -> None:
        assert client.get("/logout").status_code == 405


class TestPassword:
    def test_change(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        resp = client.post("/account/password", data={"old_password": "nope", "new_password":
                                                       "new-password-1", "new_password2":
                                                       "new-password-1"})
        assert resp.status_code == 422 and "原密码不正确" in text(resp)
        resp = client.post("/account/password", data={"old_password": PASSWORD, "new_password":
                                                       "new-password-1", "new_password2": "x"})
        assert "两次输入的密码不一致" in text(resp)
        resp = client.post("/account/password", data={"old_password": PASSWORD, "new_password":
                                                       "new-password-1", "new_password2":
                                                       "new-password-1"})
        assert resp.status_code == 302
        client.post("/logout")
        assert log_in(client, "qm@example.com").status_code == 401
        assert log_in(client, "qm@example.com", "new-password-1").status_code == 302


class TestTokens:
    def test_token_shown_once_works_and_can_be_revoked(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        resp = client.post("/account/tokens", data={"label": "ERP 对接"})
        html = text(resp)
        token = html.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
        assert token.startswith("reg_") and "只显示这一次" in html
        user = user_for_token(token)
        assert user is not None and user.email == "qm@example.com"
        html = text(client.get("/account/tokens"))
        assert "ERP 对接" in html and token not in html
        row = db.session.scalar(select(ApiToken))
        assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
        assert user_for_token(token) is None

    def test_cannot_revoke_someone_elses(self, client: FlaskClient, db: Any) -> None:
        other = make_user("officer", "officer@example.com", "330600")
        from registry.accounts.services import issue_token

        issue_token(other, "x")
        db.session.commit()
        row = db.session.scalar(select(ApiToken))
        sign_up(client)
        assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
