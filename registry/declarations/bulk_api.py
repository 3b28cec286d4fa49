"""JSON API: 批量声明 Bulk filing."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("bulk_api", __name__, url_prefix="/api/v1", description="批量声明 Bulk filing")
