"""``registry demo``: create or upgrade the database and load the demo catalogue."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create/upgrade the database and load the demo data (generated, marked as such)."""
    from registry.cli import upgrade_database

    upgrade_database()
