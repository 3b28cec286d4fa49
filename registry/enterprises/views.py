"""Enterprise pages: public profile with declarations, the enterprise dashboard."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("enterprises", __name__)
