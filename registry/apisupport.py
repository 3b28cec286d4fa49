"""What every JSON blueprint shares: who is asking, the bearer scheme, documented errors.

The API authenticates with bearer tokens only (it is exempt from CSRF, so it never
trusts the session cookie). One idiom for all of it: ``signed_in()`` (401 without a valid
token), ``login_required`` and ``require_role(...)`` decorators, ``optional_user()`` for
reads that show more to some; ``setup_api_blueprint`` declares the ``bearerAuth`` scheme
and answers 401 with a Bearer challenge; ``error_doc`` documents an error answer with the
error contract's component.
"""

from __future__ import annotations

import functools
import http
from collections.abc import Callable
from typing import Any, TypeVar

from flask.blueprints import BlueprintSetupState
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from registry.accounts.auth import api_user, bearer_token
from registry.accounts.models import User
from registry.errors import Forbidden, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def error_doc(bp: Blueprint, status: int) -> Callable[[Any], Any]:
    """Document an error answer with the shared response component (the error contract)."""
    return bp.alt_response(status, response=http.HTTPStatus(status).name)


def error_docs(bp: Blueprint, *statuses: int) -> Callable[[F], F]:
    """Document several error answers at once (``@error_docs(blp, 401, 403, 404)``)."""

    def deco(fn: F) -> F:
        for status in reversed(statuses):
            fn = error_doc(bp, status)(fn)
        return fn

    return deco


def setup_api_blueprint(bp: Blueprint) -> None:
    """Declare the bearerAuth scheme and answer 401s with a Bearer challenge."""

    @bp.record_once
    def _document_security(state: BlueprintSetupState) -> None:
        smorest_api = state.app.extensions["flask-smorest"]["blp_name_to_api"][bp.name]
        components = smorest_api.spec.components
        if "bearerAuth" not in components.security_schemes:
            components.security_scheme("bearerAuth", {
                "type": "http", "scheme": "bearer",
                "description": "API 令牌：Authorization: Bearer reg_…"})

    @bp.after_request
    def _challenge(response: Response) -> Response:
        if response.status_code == 401:
            response.headers.setdefault("WWW-Authenticate", 'Bearer realm="registry"')
        return response


def _has_bearer() -> bool:
    return bearer_token() is not None


def signed_in() -> User:
    """The user behind the bearer token; 401 without a valid one."""
    user = api_user()
    if user is None:
        raise Unauthorized("需要有效的 API 令牌（Authorization: Bearer …）")
    return user


def login_required(fn: F) -> F:
    """API decorator: 401 without a valid bearer token (checked before the body is read)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signed_in()
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def optional_user() -> User | None:
    """The user behind the bearer token, None without one; a token that is not valid is 401
    (a client should learn its token is wrong rather than silently see less)."""
    user = api_user()
    if user is None and _has_bearer():
        raise Unauthorized("API 令牌无效或已撤销")
    return user




def require_role(*roles: str) -> Callable[[F], F]:
    """API decorator: a valid bearer token of a user with one of ``roles`` (401, else 403)."""

    def deco(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if signed_in().role not in roles:
                raise Forbidden("没有权限执行此操作")
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return deco
