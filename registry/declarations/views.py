"""Declaration pages: file, edit, publish, amend, withdraw, editions and their differences."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("declarations", __name__)
