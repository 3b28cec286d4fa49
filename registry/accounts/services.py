"""Use cases for people and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.models import ROLES, ApiToken, User
from registry.errors import Conflict, ValidationError
from registry.extensions import db


def hash_token(token: str) -> str:
    """SHA-256 of a bearer token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(email: str, name: str, password: str, role: str = "member",
                region_code: str | None = None) -> User:
    """Create a user with a scrypt-hashed password."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValidationError("角色无效", {"role": [f"必须是 {', '.join(ROLES)} 之一"]})
    if len(password) < 8:
        raise ValidationError("密码太短", {"password": ["密码至少 8 个字符"]})
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("该邮箱已注册", {"email": ["该邮箱已注册"]})
    user = User(email=email, name=name, role=role, region_code=region_code,
                password_hash=generate_password_hash(password, method="scrypt"))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def issue_token(user: User, label: str = "") -> str:
    """Create an API token for ``user``; the clear token is returned once, never stored."""
    token = "reg_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), label=label))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or not row.user.active:
        return None
    row.last_used_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return row.user


def sign_up(enterprise: dict[str, Any], email: str, name: str, password: str) -> User:
    """Register an enterprise and its first member in one step (nothing is kept on error)."""
    from registry.enterprises.services import register_enterprise

    errors: dict[str, list[str]] = {}
    if "@" not in email or len(email) > 200:
        errors["email"] = ["邮箱格式不正确"]
    if len(password) < 8:
        errors["password"] = ["密码至少 8 个字符"]
    if not name.strip():
        errors["name"] = ["请填写联系人姓名"]
    if errors:
        raise ValidationError("注册信息有误", errors)
    with db.session.begin_nested():
        ent = register_enterprise(enterprise)
        user = create_user(email, name, password, "member")
        user.enterprise_id = ent.id
        db.session.flush()
    return user


def change_password(user: User, old: str, new: str) -> None:
    """Change a password after checking the old one."""
    if not check_password_hash(user.password_hash, old):
        raise ValidationError("原密码不正确", {"old_password": ["原密码不正确"]})
    if len(new) < 8:
        raise ValidationError("新密码太短", {"new_password": ["密码至少 8 个字符"]})
    user.password_hash = generate_password_hash(new, method="scrypt")
    db.session.flush()
