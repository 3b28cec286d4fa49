"""Use cases for people and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.exc import DBAPIError
from werkzeug.security import check_password_hash, generate_password_hash

from registry import audit, identifiers
from registry.accounts.models import ROLES, ApiToken, SignInFailure, User
from registry.enterprises.models import Enterprise
from registry.enterprises.services import register_enterprise
from registry.errors import Conflict, TooManyRequests, ValidationError
from registry.extensions import db, utcnow
from registry.fields import text_problem

log = logging.getLogger(__name__)

# checked against when the email is unknown, so a miss costs as much time as a hit
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


# One password rule for every face (sign-up page and API, password change page and API,
# `registry create-user`): long enough to resist guessing, short enough that hashing it
# costs nothing unusual, no NUL (some clients and libraries cut a string there).
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

# What sign-up says about an e-mail address that already has an account (see sign_up).
EMAIL_UNAVAILABLE = "无法使用该邮箱注册，请换一个邮箱；如已有账号，请直接登录"


def password_problems(password: str) -> list[str]:
    """What is wrong with a new password under the one rule (empty when it is acceptable)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return [f"密码至少 {PASSWORD_MIN_LENGTH} 个字符"]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [f"密码不超过 {PASSWORD_MAX_LENGTH} 个字符"]
    if "\x00" in password:
        return ["密码不能包含空字符（NUL）"]
    return []


def hash_token(token: str) -> str:
    """SHA-256 of a bearer token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(email: str, name: str, password: str, role: str = "member",
                region_code: str | None = None, enterprise: Enterprise | None = None) -> User:
    """Create a user with a scrypt-hashed password.

    Bureau officers need the region they oversee (a valid GB/T 2260 code); members may be
    attached to their enterprise here.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise ValidationError("角色无效", {"role": [f"必须是 {', '.join(ROLES)} 之一"]})
    if "@" not in email or len(email) > 200:
        raise ValidationError("邮箱格式不正确", {"email": ["邮箱格式不正确"]})
    if not name.strip() or len(name) > 100:
        raise ValidationError("姓名有误", {"name": ["请填写姓名（不超过 100 个字符）"]})
    if problem := text_problem(name) or text_problem(email):
        raise ValidationError("姓名或邮箱有误", {"name" if text_problem(name) else "email": [problem]})
    if problems := password_problems(password):
        raise ValidationError("密码不符合要求", {"password": problems})
    if role == "officer":
        try:
            identifiers.check_region((region_code or "").strip())
        except identifiers.IdentifierError as exc:
            raise ValidationError("监管账号须设置有效的管辖地区",
                                  {"region_code": [f"[{exc.code}] {exc.message}"]}) from exc
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("该邮箱已注册", {"email": ["该邮箱已注册"]})
    user = User(email=email, name=name.strip(), role=role,
                region_code=region_code.strip() if region_code else None,
                enterprise_id=enterprise.id if enterprise is not None else None,
                password_hash=generate_password_hash(password, method="scrypt"))
    db.session.add(user)
    db.session.flush()
    return user


def _throttle_window() -> tuple[int, dt.timedelta]:
    cfg = current_app.config
    return int(cfg["SIGNIN_MAX_FAILURES"]), dt.timedelta(minutes=int(cfg["SIGNIN_WINDOW_MINUTES"]))


def check_throttle(email: str, ip: str) -> None:
    """Refuse a sign-in (429) after too many recent failures; the password is not checked.

    Counted within the window: failures for this e-mail from this address (at most
    ``SIGNIN_MAX_FAILURES``), for this e-mail from anywhere (4x: guessing from many
    addresses) and from this address for any e-mail (10x: trying many accounts). Refused
    attempts are not counted, so an attempt is possible again as old failures age out.
    """
    limit, window = _throttle_window()
    if limit <= 0:
        return
    same_email, same_ip = SignInFailure.email == email, SignInFailure.ip == ip

    def hits(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    pair, anywhere, address = db.session.execute(
        select(hits(and_(same_email, same_ip)), hits(same_email), hits(same_ip))
        .where(SignInFailure.at > utcnow() - window, or_(same_email, same_ip))).one()
    if pair >= limit or anywhere >= 4 * limit or address >= 10 * limit:
        minutes = int(window.total_seconds() // 60)
        raise TooManyRequests(f"登录失败次数过多，请 {minutes} 分钟后再试",
                              retry_after=int(window.total_seconds()))


def authenticate(email: str, password: str, ip: str | None = None) -> User | None:
    """The active user with these credentials, or None.

    With ``ip`` (the web and API sign-ins) the throttle applies (``check_throttle``): a
    failure is recorded (flushed — the caller commits it even though it answers with an
    error) and a success clears the e-mail's failures.
    """
    email = email.strip().lower()
    if ip is not None:
        check_throttle(email, ip)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(user.password_hash, password) and user.active:
        if ip is not None:
            db.session.execute(delete(SignInFailure).where(SignInFailure.email == email))
        return user
    if ip is not None:
        _limit, window = _throttle_window()
        now = utcnow()
        db.session.execute(delete(SignInFailure).where(SignInFailure.at < now - window))
        db.session.add(SignInFailure(email=email[:200], ip=ip[:45], at=now))
        db.session.flush()
    return None


def issue_token(user: User, label: str = "") -> str:
    """Create an API token for ``user``; the clear token is returned once, never stored."""
    token = "reg_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=hash_token(token), label=label)
    db.session.add(row)
    db.session.flush()
    audit.record(user, "token.issue", "user", user.id, user.enterprise, token_id=row.id,
                 label=label)
    return token


def revoke_token(token: str) -> bool:
    """Delete the API token (signing out of the API); False when it was not valid."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None:
        return False
    user = row.user
    audit.record(user, "token.revoke", "user", user.id, user.enterprise, token_id=row.id)
    db.session.delete(row)
    db.session.flush()
    return True


TOKEN_USE_RECORDED_EVERY = dt.timedelta(minutes=5)


def user_for_token(token: str, writing: bool = False) -> User | None:
    """The active user a bearer token belongs to, its use recorded (see below).

    ``writing``: the caller's transaction will write and commit anyway (on SQLite it holds
    the write lock from its first read), so the use is recorded in it.
    """
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RECORDED_EVERY:
        if writing:
            row.last_used_at = now
        else:
            _record_token_use(row.id, now)
    return row.user


def _record_token_use(token_id: int, now: dt.datetime) -> None:
    """Note when a token was last used: at most every few minutes, in a short transaction
    of its own, best effort.

    Never in a reading request's transaction: its snapshot cannot be upgraded
    to a write on SQLite once another writer committed ("database is locked" turned 786
    of 891 token reads into 500s under four writers), and on PostgreSQL the row lock would
    serialise every request of one token. If the write lock or the row is busy for more
    than a moment the note is skipped; the next use records it.
    """
    try:
        with db.engine.connect() as conn:
            # SQLite: the busy timeout is the connection's (set on the driver's connection,
            # outside SQLAlchemy's transaction); PostgreSQL: the lock timeout is this one's
            raw: Any = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
            if raw is not None:
                before = raw.execute("PRAGMA busy_timeout").fetchone()[0]
                raw.execute("PRAGMA busy_timeout=100")
            try:
                with conn.begin():
                    if raw is None:
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
                    conn.execute(update(ApiToken).where(ApiToken.id == token_id)
                                 .values(last_used_at=now))
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA busy_timeout={int(before)}")
    except DBAPIError as exc:
        log.info("token use not recorded (database busy): %s", exc.orig)


def sign_up(enterprise: dict[str, Any], email: str, name: str, password: str) -> User:
    """Register an enterprise and its first member in one step (nothing is kept on error).

    An e-mail address that already has an account is refused with the same 422 as any
    other field (``EMAIL_UNAVAILABLE``), never "already registered" or a status of its
    own, and nothing of that account changes. This is the decision on issue 9 (sign-up
    must not enumerate accounts), and its limit: a sign-up that signs the new account in
    at once cannot look the same for a taken address, since the caller can see whether it
    got an account; hiding that fully needs a confirmation e-mail ("查看邮箱完成注册" for
    every address, the owner of a taken one told by mail), which the registry does not send
    yet. So the refusal names nothing, comes only after every other field is valid, and
    the per-address sign-up rate limit (``REGISTRY_RATELIMIT_SIGNUP``) bounds how many
    addresses one client can try.
    """
    errors: dict[str, list[str]] = {}
    if "@" not in email or len(email) > 200:
        errors["email"] = ["邮箱格式不正确"]
    if problems := password_problems(password):
        errors["password"] = problems
    if not name.strip() or len(name) > 100:
        errors["name"] = ["请填写联系人姓名（不超过 100 个字符）"]
    elif problem := text_problem(name):
        errors["name"] = [problem]
    if errors:
        raise ValidationError("注册信息有误", errors)
    with db.session.begin_nested():
        ent = register_enterprise(enterprise)
        try:
            user = create_user(email, name, password, "member")
        except Conflict as exc:  # the e-mail has an account: say nothing about it
            raise ValidationError("注册信息有误", {"email": [EMAIL_UNAVAILABLE]}) from exc
        user.enterprise_id = ent.id
        db.session.flush()
    audit.record(user, "enterprise.register", "enterprise", ent.id, ent, user=user.email)
    return user


def change_password(user: User, old: str, new: str, keep_token: str | None = None) -> int:
    """Change a password after checking the old one. A changed password must lock out
    whoever else had access: every signed-in session of the user ends (the page signs its
    own in again) and every API token is revoked except ``keep_token`` — the one the API
    request making the change carries. Returns how many tokens were revoked."""
    if not check_password_hash(user.password_hash, old):
        raise ValidationError("原密码不正确", {"old_password": ["原密码不正确"]})
    if problems := password_problems(new):
        raise ValidationError("新密码不符合要求", {"new_password": problems})
    user.password_hash = generate_password_hash(new, method="scrypt")
    user.session_key = secrets.token_hex(16)  # every signed-in session ends (see get_id)
    doomed = [t for t in user.tokens
              if not (keep_token and t.token_hash == hash_token(keep_token))]
    for token in doomed:
        user.tokens.remove(token)  # delete-orphan: the row goes
    db.session.flush()
    revoked = len(doomed)
    audit.record(user, "account.password_change", "user", user.id, user.enterprise,
                 tokens_revoked=revoked)
    return revoked
