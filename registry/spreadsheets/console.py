"""What a file command prints and writes about a file's problems (``registry import``,
``registry file-declarations``; reports and rankings to come): one way for all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from registry.spreadsheets.columns import RowError
from registry.spreadsheets.reading import Table
from registry.spreadsheets.rejects import write_errors, write_rejects

SHOWN_ERRORS = 200


def write_problem_files(errors: Sequence[RowError], table: Table | None,
                        errors_path: Path | None, rejects_path: Path | None) -> None:
    """The error list (``--errors-csv``) and the failed rows (``--rejects``), if asked for."""
    if errors_path is not None:
        write_errors(errors_path, errors)
    if rejects_path is not None and errors:
        if table is None:
            click.echo(f"文件无法使用，未写出 {rejects_path.name}。", err=True)
        else:
            shown = write_rejects(rejects_path, table.headers, table, errors)
            click.echo(f"已将未通过检查的 {shown} 行写入 {rejects_path}。", err=True)


def echo_errors(errors: Sequence[RowError], errors_path: Path | None) -> None:
    """The first ``SHOWN_ERRORS`` problems on stderr, one per line (row, column, message)."""
    click.echo("行号\t列\t错误", err=True)
    ordered = sorted(errors)
    for e in ordered[:SHOWN_ERRORS]:
        click.echo(f"{e.row}\t{e.column or '-'}\t{e.text}", err=True)
    more = len(ordered) - SHOWN_ERRORS
    if more > 0:
        hint = "" if errors_path else "，用 --errors-csv FILE 导出全部"
        click.echo(f"……另有 {more} 处错误{hint}", err=True)
