"""JSON API of the catalogue under /api/v1."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("standards_api", __name__, url_prefix="/api/v1", description="标准目录 Catalogue")
