"""JSON API: 账号与令牌 Accounts and tokens."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="账号与令牌 Accounts and tokens")
