"""JSON API: 账号与令牌 Accounts and tokens.

(What every JSON blueprint shares — who is asking, the bearer scheme, documented errors —
is in ``registry/apisupport.py``.)
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from marshmallow import ValidationError as MarshmallowValidationError

from registry import identifiers
from registry.accounts import services
from registry.accounts.auth import bearer_token
from registry.accounts.models import User
from registry.apisupport import (
    BEARER,
    error_doc,
    error_docs,
    login_required,
    setup_api_blueprint,
    signed_in,
)
from registry.enterprises.schemas import EnterpriseBriefSchema, EnterpriseInSchema, EnterpriseOutSchema
from registry.errors import RegistryError, Unauthorized
from registry.extensions import db
from registry.fields import REQUIRED, Text, UtcDateTime
from registry.security import rate_limited

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="账号与令牌 Accounts and tokens")



setup_api_blueprint(blp)


# -- schemas ----------------------------------------------------------------------------------

def _password_rule(value: str) -> None:
    """The accounts service's one password rule, at the API's boundary."""
    if problems := services.password_problems(value):
        raise MarshmallowValidationError(problems)


def password_field(description: str) -> fields.String:
    """A new password: 8 to 128 characters, no NUL (``services.password_problems``)."""
    return fields.String(required=True, load_only=True, error_messages=REQUIRED,
                         validate=_password_rule,
                         metadata={"description": description,
                                   "minLength": services.PASSWORD_MIN_LENGTH,
                                   "maxLength": services.PASSWORD_MAX_LENGTH})


class TokenRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    email = Text(required=True, error_messages=REQUIRED)
    password = fields.String(required=True, error_messages=REQUIRED, load_only=True)
    label = Text(load_default="", validate=validate.Length(max=100),
                          metadata={"description": "用途说明，如“ERP 对接”"})


class UserOutSchema(Schema):
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": ["member", "officer", "admin"]})
    region_code = fields.String(allow_none=True, metadata={"description": "监管人员的管辖地区"})
    region_name = fields.Method("_region_name", allow_none=True)
    enterprise = fields.Nested(EnterpriseBriefSchema, allow_none=True)
    created_at = UtcDateTime()

    def _region_name(self, user: User) -> str | None:
        return identifiers.region_name(user.region_code) if user.region_code else None


class TokenOutSchema(Schema):
    token = fields.String(metadata={"description": "只显示这一次；服务器只保存其摘要"})
    user = fields.Nested(UserOutSchema)


class SignupSchema(Schema):
    class Meta:
        unknown = RAISE

    email = fields.Email(required=True, validate=validate.Length(max=200),
                         error_messages={**REQUIRED, "invalid": "邮箱格式不正确"})
    name = Text(required=True, error_messages=REQUIRED,
                validate=[validate.Length(max=100),
                          validate.Regexp(r"^\s*\S", error="请填写联系人姓名")],
                metadata={"description": "联系人姓名"})
    password = password_field("密码：8 到 128 个字符，不含空字符")
    enterprise = fields.Nested(EnterpriseInSchema, required=True, error_messages=REQUIRED)


class SignupOutSchema(Schema):
    user = fields.Nested(UserOutSchema)
    enterprise = fields.Nested(EnterpriseOutSchema)
    token = fields.String(metadata={"description": "新账号的 API 令牌（只显示这一次）"})


class PasswordChangeSchema(Schema):
    class Meta:
        unknown = RAISE

    old_password = fields.String(required=True, load_only=True, error_messages=REQUIRED)
    new_password = password_field("新密码：8 到 128 个字符，不含空字符")


# -- endpoints --------------------------------------------------------------------------------

@blp.route("/tokens", methods=["POST"])
@rate_limited("SIGNIN", "TOKEN")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenOutSchema)
@error_docs(blp, 401, 429)
def create_token(data: dict[str, Any]) -> dict[str, Any]:
    """Sign in for the API: email and password give a new bearer token.

    The token is shown once; send it as `Authorization: Bearer <token>`. Wrong credentials
    (or a deactivated account) are 401. After too many wrong passwords (by default 5 for
    one e-mail from one address within 15 minutes) attempts are refused with 429 and a
    `Retry-After` header, whatever the password.
    """
    user = services.authenticate(data["email"], data["password"], ip=request.remote_addr or "")
    if user is None:
        db.session.commit()  # the failure counts for the sign-in throttle
        raise Unauthorized("邮箱或密码不正确")
    token = services.issue_token(user, data["label"])
    db.session.commit()
    return {"token": token, "user": user}


@blp.route("/tokens/current", methods=["DELETE"])
@blp.doc(security=BEARER)
@login_required
@blp.response(204)
@error_doc(blp, 401)
def revoke_current_token() -> None:
    """Sign out of the API: the token this request carries stops working."""
    signed_in()
    services.revoke_token(bearer_token() or "")
    db.session.commit()


_ENTERPRISE_KEYS = {"name", "credit_code", "region_code", "industry_code", "above_scale",
                    "address", "certificates"}


@blp.route("/signup", methods=["POST"])
@rate_limited("SIGNUP")
@blp.arguments(SignupSchema)
@blp.response(201, SignupOutSchema, headers={
    "Location": {"description": "the enterprise's URL", "schema": {"type": "string"}}})
@error_doc(blp, 409)
def signup(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Register an enterprise and its first member; answers an API token for the member.

    Credit code, region and industry are checked (422; each message starts with a stable code
    such as `[credit_code_checksum]`, `[region_unknown]`, `[industry_unknown]`); an enterprise
    already registered is 409 (enterprises are public). The password has 8 to 128
    characters and no NUL (422). 已注册的邮箱: an e-mail address that already has an
    account is refused like any other invalid field — 422 with
    `errors.email = ["无法使用该邮箱注册，…"]` — without saying that it is registered, and
    that account is not changed. Sign-ups are rate limited per client address (429 with
    `Retry-After`).
    """
    # the schema has checked the person's fields, so whatever sign_up refuses about the
    # enterprise ("name" included) belongs under "enterprise"
    try:
        user = services.sign_up(data["enterprise"], data["email"], data["name"],
                                data["password"])
    except RegistryError as exc:
        # the enterprise's fields travel nested, as the schema's own errors do
        nested = {k: v for k, v in exc.errors.items() if k in _ENTERPRISE_KEYS}
        if nested and nested == exc.errors:
            exc.errors = {"enterprise": nested}  # type: ignore[dict-item]
        raise
    token = services.issue_token(user, "signup")
    enterprise = user.enterprise
    assert enterprise is not None
    location = url_for("enterprises_api.get_enterprise", credit_code=enterprise.credit_code)
    db.session.commit()
    return {"user": user, "enterprise": enterprise, "token": token}, {"Location": location}


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@login_required
@blp.response(200, UserOutSchema)
@error_doc(blp, 401)
def me() -> User:
    """The account behind the token: role, enterprise (members) or region (officers)."""
    return signed_in()


@blp.route("/me/password", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@error_doc(blp, 401)
def change_password(data: dict[str, Any]) -> None:
    """Change the password after giving the old one (422 when it is wrong, or the new one is
    not 8 to 128 characters without NUL).

    Every other API token of the account is revoked; the one making this request keeps
    working.
    """
    user = signed_in()
    services.change_password(user, data["old_password"], data["new_password"],
                             keep_token=bearer_token())
    db.session.commit()
