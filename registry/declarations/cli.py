"""Declaration commands: bulk filing, watch scan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from registry.accounts.models import User
from registry.declarations.bulk import BulkReport, file_declarations
from registry.declarations.bulk_table import read_table
from registry.declarations.models import WatchFlag
from registry.declarations.watch import scan
from registry.enterprises.services import get_enterprise
from registry.errors import RegistryError
from registry.extensions import db
from registry.spreadsheets import read_or_errors
from registry.spreadsheets.console import echo_errors, write_problem_files

if TYPE_CHECKING:
    from registry.accounts.models import User



def _actor(email: str | None) -> User:
    """The user the filing is recorded under: ``--as EMAIL``, else the operator at the console.

    The operator is an unsaved administrator named ``cli`` (audit entries show ``cli`` and no
    user id): whoever runs the command already has the database in hand.
    """

    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            user = db.session.scalar(select(User).where(User.email == email.strip()))
        if user is None:
            raise click.ClickException(f"没有邮箱为 {email} 的用户")
        return user
    return User(email="cli", name="命令行", role="admin", active=True)


@click.command("file-declarations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--enterprise", "credit_code", required=True,
              help="The enterprise's unified social credit code (统一社会信用代码).")
@click.option("--publish/--draft", default=True, show_default=True,
              help="Publish at once (default) or save as drafts.")
@click.option("--dry-run", is_flag=True, help="Check every row; file nothing.")
@click.option("--as", "as_email", default=None,
              help="Record the filing under this user (a member of the enterprise or an admin).")
@click.option("--errors-csv", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the error list (行, 列, 代码, 错误) to this CSV (or .xlsx) file.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rows that failed, with an error column, to this CSV (or .xlsx) "
                   "file.")
@with_appcontext
def file_declarations_command(path: Path, credit_code: str, publish: bool, dry_run: bool,
                              as_email: str | None, errors_csv: Path | None,
                              rejects: Path | None) -> None:
    """File the declarations in a bulk template (.xlsx, .csv or .json) for one enterprise.

    All rows are filed or none: any error lists every problem by spreadsheet row and column
    and exits with status 1 without filing anything.
    """
    try:
        enterprise = get_enterprise(credit_code)
        actor = _actor(as_email)
        table, file_errors = read_or_errors(lambda: read_table(path))
        for warning in table.warnings if table else ():
            click.echo(f"注意：{warning}", err=True)
        report = BulkReport(dry_run=dry_run, publish=publish, errors=file_errors)
        if table is not None:
            report = file_declarations(enterprise, table.rows, actor, publish=publish,
                                       dry_run=dry_run, strict_keys=table.kind == "json")
    except RegistryError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc

    write_problem_files(report.errors, table, errors_csv, rejects)
    for w in report.warnings:
        click.echo(f"提示：第 {w.row} 行 {w.column}：[{w.code}] {w.message}", err=True)
    if report.errors:
        db.session.rollback()
        echo_errors(report.errors, errors_csv)
        rows = len({e.row for e in report.errors})
        click.echo(f"提交失败：{path.name} 有 {rows} 行共 {len(report.errors)} 处错误，"
                   "未提交任何声明。", err=True)
        click.get_current_context().exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(f"试运行：{path.name} 共 {report.rows} 行，全部通过检查，未提交。")
        return
    db.session.commit()
    verb = "公开" if publish else "保存为草稿"
    ids = report.created
    span = f"（编号 {ids[0]}–{ids[-1]}）" if ids else ""
    click.echo(f"已为 {enterprise.name} {verb} {len(ids)} 条声明{span}。")


@click.command("watch-scan")
@with_appcontext
def watch_scan_command() -> None:
    """Flag every published declaration citing a replaced or abolished standard (idempotent)."""

    created = scan()
    db.session.commit()
    open_flags = db.session.execute(
        select(WatchFlag.event, func.count(), func.count(func.distinct(WatchFlag.declaration_id)))
        .where(WatchFlag.resolved_at.is_(None)).group_by(WatchFlag.event)).all()
    by_event = {event: (n, d) for event, n, d in open_flags}
    declarations = db.session.scalar(
        select(func.count(func.distinct(WatchFlag.declaration_id)))
        .where(WatchFlag.resolved_at.is_(None))) or 0
    replaced, abolished = by_event.get("replaced", (0, 0)), by_event.get("abolished", (0, 0))
    click.echo(f"新增提醒 new flags: {created}")
    click.echo(f"未处理提醒 open flags: {replaced[0] + abolished[0]}"
               f"（被代替 replaced {replaced[0]}，废止 abolished {abolished[0]}），"
               f"涉及声明 declarations: {declarations}")


COMMANDS: list[click.Command] = [file_declarations_command, watch_scan_command]
