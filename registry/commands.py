"""The commands of the ``registry`` command line, attached to each app's CLI group.

``registry/cli.py`` holds only the entry point; the domains keep their own commands
(``standards/cli.py``, ``declarations/cli.py``, ``search/cli.py``, ``demo/cli.py``,
``backup_cli.py``) and this module lists them all in one place.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from waitress import serve

from registry.accounts.services import create_user, issue_token
from registry.backup_cli import backup_command, restore_command
from registry.database import upgrade_database
from registry.declarations.cli import COMMANDS as DECLARATION_COMMANDS
from registry.demo.cli import demo_command
from registry.enterprises.models import Enterprise
from registry.errors import RegistryError
from registry.extensions import db
from registry.reports.cli import report_group
from registry.requestlog import configure_logging
from registry.runtime import ensure_inline_updater
from registry.search.cli import check_index_command, index_worker_command, reindex_command
from registry.standards.cli import import_command


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (apply migrations)."""
    upgrade_database()
    click.echo("数据库已是最新结构 / database schema is up to date")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="管理员")
@click.option("--role", type=click.Choice(["member", "officer", "admin"]), default="admin")
@click.option("--region", default=None,
              help="Officers: the GB/T 2260 code of the region they oversee, e.g. 330683.")
@click.option("--enterprise", default=None,
              help="Members: the unified social credit code of their enterprise.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--token/--no-token", default=True, help="Also issue an API token and print it.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, region: str | None,
                        enterprise: str | None, password: str, token: bool) -> None:
    """Create a user (default: an administrator) and print an API token.

    An officer needs --region (the bureau's region: it sees that region and the ones in
    it); a member may be attached to an enterprise already registered with --enterprise.
    """

    ent = None
    if enterprise:
        ent = db.session.scalar(select(Enterprise).where(
            Enterprise.credit_code == enterprise.strip().upper()))
        if ent is None:
            raise click.ClickException(f"未找到统一社会信用代码为 {enterprise} 的企业")
        if role != "member":
            raise click.ClickException("只有企业用户（--role member）可以关联企业")
    if region and role != "officer":
        raise click.ClickException("只有监管人员（--role officer）需要 --region")
    try:
        user = create_user(email, name, password, role, region_code=region, enterprise=ent)
        clear = issue_token(user, "cli") if token else None
        db.session.commit()
    except RegistryError as exc:
        db.session.rollback()
        details = "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(exc.message + (f"（{details}）" if details else "")) from exc
    click.echo(f"已创建用户 {user.email}（{user.role}"
               + (f"，地区 {user.region_code}" if user.region_code else "") + "）")
    if clear:
        click.echo(f"API token: {clear}")


@click.command("serve")
@click.option("--host", default=None, help="Default REGISTRY_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Default REGISTRY_PORT or 5000.")
@click.option("--threads", default=8, show_default=True)
@with_appcontext
def serve_command(host: str | None, port: int | None, threads: int) -> None:
    """Serve the registry with waitress (upgrades the database first)."""

    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging(app)
    upgrade_database()
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    if app.config["INDEXER"] == "inline":
        ensure_inline_updater(app)  # now: a feed left by a crash is applied at once
    click.echo(f"标准信息平台 http://{host}:{port}/  (Ctrl+C 停止)")
    serve(app, host=host, port=port, threads=threads)


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI group."""
    for cmd in (init_db_command, create_user_command, serve_command, import_command,
                demo_command, reindex_command, check_index_command, index_worker_command,
                backup_command, restore_command, report_group, *DECLARATION_COMMANDS):
        app.cli.add_command(cmd)
