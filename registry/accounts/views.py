"""Sign-up, sign-in, sign-out, password change and API tokens (pages)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from registry import audit, identifiers
from registry.accounts import services
from registry.accounts.auth import page_user
from registry.accounts.models import ApiToken, User
from registry.enterprises.services import validate_enterprise
from registry.errors import NotFound, RegistryError, TooManyRequests, ValidationError
from registry.extensions import db, login_manager
from registry.security import rate_limited

bp = Blueprint("accounts", __name__)

_CODE_PREFIX = re.compile(r"^\[[a-z_]+\]\s*")  # services prefix messages with a stable code

# The enterprise's fields on the sign-up form are named apart from the person's.
_ENTERPRISE_FIELDS = {"name": "ent_name", "credit_code": "credit_code",
                      "region_code": "region_code", "industry_code": "industry_code"}
_PERSON_FIELDS = {"name": "contact_name", "email": "email", "password": "password"}


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # translate the lazy message when it is flashed
    state.app.jinja_env.globals.update(page_user=page_user, industry_options=industry_options)


def industry_options() -> list[tuple[str, str]]:
    """GB/T 4754 sections and manufacturing divisions for a select box."""
    return [(code, f"{code} {name}") for code, name in identifiers.industries().items()]


def current() -> User:
    """The signed-in user (views behind ``login_required``)."""
    user = page_user()
    if user is None:  # pragma: no cover - login_required runs first
        raise NotFound("未登录")
    return user


def _is_local_path(value: str, decoded: bool = False) -> bool:
    """A path on this site however a browser reads it: a single leading slash, no scheme or
    host, no backslash (browsers read it as a slash), no whitespace or control character
    (browsers drop tabs and newlines, so ``/\t/evil`` becomes ``//evil``; a newline in a
    header is a 500). Once decoded, a plain space is only a space (``GB%2FT%2019001``)."""
    if not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return False
    if any((ch.isspace() and not (decoded and ch == " "))
           or unicodedata.category(ch).startswith("C") for ch in value):
        return False
    parts = urlsplit(value)
    return not (parts.scheme or parts.netloc)


def safe_next(target: str | None, default: str) -> str:
    """Where to go after sign-in: ``target`` only when it is a path on this site, checked
    as given and as decoded (``/%2F%2Fevil`` decoded once more by a proxy or a later
    redirect is ``///evil``); anything else goes to ``default`` (no open redirect)."""
    if not target or len(target) > 2000:
        return default
    decoded = target
    for depth in range(3):  # percent-encoding nested a few times over
        if not _is_local_path(decoded, decoded=depth > 0):
            return default
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            return target
    return default


def field_errors(exc: RegistryError, names: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A service's field errors, renamed to the form's field names."""
    names = names or {}
    out: dict[str, list[str]] = {}
    for key, msgs in exc.errors.items():
        out.setdefault(names.get(key, key), []).extend(
            _CODE_PREFIX.sub("", m) for m in ([msgs] if isinstance(msgs, str) else map(str, msgs)))
    if not out:
        out["_"] = [exc.message]
    return out


# -- sign-up, sign-in, sign-out -----------------------------------------------------------

@bp.route("/signup", methods=["GET", "POST"])
@rate_limited("SIGNUP")
def signup() -> Any:
    """Register an enterprise and its first member, then sign in."""
    if page_user() is not None:
        return redirect(url_for("enterprises.dashboard"))
    form = request.form
    if request.method == "GET":
        return render_template("accounts/signup.html", form={}, errors={})
    enterprise = {"name": form.get("ent_name", "").strip(),
                  "credit_code": form.get("credit_code", "").strip(),
                  "region_code": form.get("region_code", "").strip(),
                  "industry_code": form.get("industry_code", "").strip(),
                  "above_scale": form.get("above_scale") == "on",
                  "address": form.get("address", "").strip() or None}
    errors: dict[str, list[str]] = {}
    try:
        validate_enterprise(enterprise)
        ent_raw: dict[str, Any] = {}
    except ValidationError as exc:
        ent_raw = exc.errors
        errors.update(field_errors(exc, _ENTERPRISE_FIELDS))
    if form.get("password", "") != form.get("password2", ""):
        errors["password2"] = [gettext("两次输入的密码不一致")]
    user = None
    try:
        user = services.sign_up(enterprise, form.get("email", "").strip(),
                                form.get("contact_name", "").strip(), form.get("password", ""))
    except RegistryError as exc:
        # sign_up checks the person first, then the enterprise (whose errors are listed)
        if not (ent_raw and exc.errors == ent_raw):
            for key, msgs in field_errors(exc, _PERSON_FIELDS).items():
                errors.setdefault(key, []).extend(msgs)
    if errors or user is None:
        db.session.rollback()
        return render_template("accounts/signup.html", form=form, errors=errors), 422
    db.session.commit()
    login_user(user)
    flash(gettext("注册成功，欢迎使用。现在可以填报企业标准自我声明。"), "success")
    return redirect(url_for("enterprises.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("SIGNIN")
def login() -> Any:
    """Sign in with email and password."""
    target = safe_next(request.values.get("next"), url_for("enterprises.dashboard"))
    if page_user() is not None:
        return redirect(target)
    if request.method == "GET":
        return render_template("accounts/login.html", email="", error=None, next=target)
    email = request.form.get("email", "")
    try:
        user = services.authenticate(email, request.form.get("password", ""),
                                     ip=request.remote_addr or "")
    except TooManyRequests as exc:
        db.session.rollback()
        error = gettext("登录失败次数过多，请 %(n)d 分钟后再试", n=exc.retry_after // 60)
        return render_template("accounts/login.html", email=email, next=target,
                               error=error), 429, {"Retry-After": str(exc.retry_after)}
    db.session.commit()  # a failure is recorded for the sign-in throttle
    if user is None:
        return render_template("accounts/login.html", email=email, next=target,
                               error=gettext("邮箱或密码不正确")), 401
    login_user(user, remember=request.form.get("remember") == "on")
    return redirect(target)


@bp.post("/logout")
def logout() -> Any:
    """Sign out (POST, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    flash(gettext("已退出登录"), "info")
    return redirect(url_for("standards.home"))


# -- the signed-in person's account -------------------------------------------------------

@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    """Change one's password after giving the old one."""
    if request.method == "GET":
        return render_template("accounts/password.html", errors={})
    errors: dict[str, list[str]] = {}
    new = request.form.get("new_password", "")
    if new != request.form.get("new_password2", ""):
        errors["new_password2"] = [gettext("两次输入的密码不一致")]
    else:
        try:
            revoked = services.change_password(current(), request.form.get("old_password", ""),
                                               new)
        except RegistryError as exc:
            errors = field_errors(exc)
    if errors:
        db.session.rollback()
        return render_template("accounts/password.html", errors=errors), 422
    db.session.commit()
    login_user(current())  # this browser stays signed in; the user's other sessions end
    flash(gettext("密码已修改") + (gettext("；已撤销 %(n)d 个 API 令牌", n=revoked) if revoked else ""),
          "success")
    return redirect(url_for("enterprises.dashboard"))


def _tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


@bp.route("/account/tokens", methods=["GET", "POST"])
@rate_limited("TOKEN")
@login_required
def tokens() -> Any:
    """List one's API tokens; create one (shown once, only its hash is kept)."""
    user = current()
    new_token = None
    error = None
    if request.method == "POST":
        label = request.form.get("label", "").strip()
        if len(label) > 100:
            error = gettext("用途说明不超过 100 个字符")
        else:
            new_token = services.issue_token(user, label)
            db.session.commit()
    return render_template("accounts/tokens.html", tokens=_tokens(user), new_token=new_token,
                           error=error), (422 if error else 200)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    """Revoke one of one's own tokens."""
    user = current()
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(gettext("没有这个令牌"))
    audit.record(user, "token.revoke", "user", user.id, user.enterprise, token_id=row.id)
    db.session.delete(row)
    db.session.commit()
    flash(gettext("令牌已撤销"), "info")
    return redirect(url_for("accounts.tokens"))
