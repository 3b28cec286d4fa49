"""Sign-up, sign-in, sign-out, password change and API tokens (pages)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
