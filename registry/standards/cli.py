"""``registry import``: bulk-load the catalogue."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from registry.extensions import db
from registry.spreadsheets import read_or_errors
from registry.spreadsheets.console import echo_errors, write_problem_files
from registry.standards.importing import ImportReport, import_standards, read_file


@contextmanager
def _progress(total: int | None, label: str, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (only on a terminal); yields ``advance(n)``."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda _n: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report; change nothing.")
@click.option("--errors-csv", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the error report (row, column, message) to this CSV file.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rows that failed, with an error column, to this CSV (or .xlsx) "
                   "file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@with_appcontext
def import_command(path: Path, dry_run: bool, errors_csv: Path | None, rejects: Path | None,
                   quiet: bool) -> None:
    """Import standards from CSV, XLSX or the national platform's JSON export.

    Rows are upserted by canonical number; a file with any error imports nothing and the
    command exits with status 1 after listing every error (row, column, message).
    """
    started = time.perf_counter()
    source = f"import:{path.name}"
    rows, file_errors = read_or_errors(lambda: read_file(path))
    report = ImportReport(source=source, dry_run=dry_run, errors=file_errors)
    if rows is not None:
        for warning in rows.warnings:
            click.echo(f"注意：{warning}", err=True)
        with _progress(rows.total, f"导入 {path.name}", not quiet) as advance:
            report = import_standards(rows, source=source, dry_run=dry_run, progress=advance)
    elapsed = time.perf_counter() - started
    write_problem_files(report.errors, rows, errors_csv, rejects)

    if report.errors:
        db.session.rollback()
        echo_errors(report.errors, errors_csv)
        click.echo(f"导入失败：{path.name} 有 {len(report.errors)} 处错误，未导入任何记录。",
                   err=True)
        click.get_current_context().exit(1)

    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for warning in report.warnings:
        click.echo(f"注意：{warning}", err=True)
    rate = report.rows / elapsed if elapsed > 0 else 0.0
    verb = "试运行（未写入数据库）" if dry_run else "导入完成"
    will = "将" if dry_run else ""
    line = (f"{verb} {path.name}：共 {report.rows} 行，{will}新增 {report.created} 条，"
            f"{will}更新 {report.updated} 条，未变 {report.unchanged} 条")
    if report.linked:
        line += f"；{will}按代替关系关闭 {report.linked} 条旧版本"
    click.echo(f"{line}。用时 {elapsed:.1f} 秒（{rate:.0f} 行/秒）")
