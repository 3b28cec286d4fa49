"""JSON API: 自我声明 Declarations."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("declarations_api", __name__, url_prefix="/api/v1", description="自我声明 Declarations")
