"""``registry import``: bulk-load the catalogue."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and report; change nothing.")
@with_appcontext
def import_command(path: str, dry_run: bool) -> None:
    """Import standards from CSV, XLSX or the national platform's JSON export."""
    raise click.ClickException("not implemented yet")
