"""JSON API: 企业 Enterprises."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("enterprises_api", __name__, url_prefix="/api/v1", description="企业 Enterprises")
