"""HTML pages of the catalogue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("standards", __name__)
