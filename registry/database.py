"""The database's schema: created or upgraded by applying every migration."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_migrate import upgrade


def upgrade_database() -> None:
    """Create the database if needed and apply every migration."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    upgrade()
