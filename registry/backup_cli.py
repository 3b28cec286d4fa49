"""``registry backup`` and ``registry restore`` (the work is in ``registry.backup`` and
``registry.restore``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from registry.backup import BackupError, backup_database
from registry.restore import restore_database


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _tables(tables: dict[str, int]) -> None:
    width = max((len(n) for n in tables), default=0)
    for name, rows in tables.items():
        click.echo(f"  {name:<{width}}  {rows:>10,}")


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress line.")
@with_appcontext
def backup_command(path: Path | None, quiet: bool) -> None:
    """Back up the database while the server keeps serving (default instance/backups/)."""
    shown = {"pct": -1}

    def progress(done: int, total: int) -> None:
        pct = done * 100 // total if total else 100
        if quiet or total < 2 or pct == shown["pct"]:
            return
        shown["pct"] = pct
        click.echo(f"\r备份中 backing up: {pct:3d}% ({done}/{total})", nl=False, err=True)

    try:
        report = backup_database(path, progress=progress)
    except BackupError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        if shown["pct"] >= 0:
            click.echo(err=True)
    click.echo(f"已备份到 {report.path}（{_size(report.size)}，{report.kind}，"
               f"结构版本 {report.revision}，{report.seconds:.1f} 秒）")
    click.echo(f"清单 manifest: {report.manifest_path}")
    _tables(report.tables)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with a backup, migrate it and rebuild the search index.

    Stop the server first. Refuses a target that holds data unless --yes.
    """
    try:
        report = restore_database(path, yes=yes)
    except BackupError as exc:
        raise click.ClickException(exc.message) from exc
    upgraded = ("" if report.revision == report.backup_revision
                else f"，已升级到 {report.revision}")
    click.echo(f"已从 {report.path} 恢复（{report.kind}，备份结构版本 {report.backup_revision}"
               f"{upgraded}，{report.seconds:.1f} 秒）")
    _tables(report.tables)
    click.echo(f"搜索索引已重建：{report.documents} 条记录")
