"""Who is asking: session sign-in for pages, bearer tokens for the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from flask_login import current_user

from registry.accounts.models import User
from registry.accounts.services import user_for_token
from registry.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])


def init_auth(app: Flask) -> None:
    """Wire Flask-Login's user loader."""

    @login_manager.user_loader
    def _load(session_id: str) -> User | None:
        user_id, _, key = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or (user.session_key or "") != key:
            return None  # signed in before the password changed: signed out
        return user


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer`` header, if it has one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def api_user() -> User | None:
    """The user behind the request's ``Authorization: Bearer`` token, if any."""
    key = "registry.api_user"
    if key in request.environ:  # per request (g can outlive a request in tests)
        return request.environ[key]

    token = bearer_token()
    writing = request.method not in ("GET", "HEAD", "OPTIONS")
    user = user_for_token(token, writing=writing) if token is not None else None
    request.environ[key] = user
    return user


def page_user() -> User | None:
    """The signed-in user of an HTML request."""
    return current_user._get_current_object() if current_user.is_authenticated else None
