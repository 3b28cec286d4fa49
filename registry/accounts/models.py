"""Users and their API tokens."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.enterprises.models import Enterprise
from registry.extensions import db

ROLES = ("member", "officer", "admin")


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who signs in: enterprise member, bureau officer or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default="member")
    region_code: Mapped[str | None] = mapped_column(String(6))  # bureau officers' scope
    # enterprise members act only for this enterprise
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    # part of the signed-in session's id: replaced when the password changes, which ends
    # every other session (and remember-me cookie) of this user
    session_key: Mapped[str | None] = mapped_column(String(32))

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session id: the user id and, once set, the session key."""
        return f"{self.id}:{self.session_key}" if self.session_key else str(self.id)


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token for programmatic use; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user: Mapped[User] = relationship(back_populates="tokens")


class SignInFailure(db.Model):  # type: ignore[name-defined]
    """A wrong password (or unknown e-mail) at sign-in, kept for the throttle's window."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    ip: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
