"""Index commands: reindex, check-index, index-worker."""

from __future__ import annotations

import signal
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy import func, select

from registry.extensions import db
from registry.requestlog import configure_logging
from registry.search.indexer import (
    UpdaterLoop,
    apply_pending,
    check_index,
    rebuild,
    store_for,
)
from registry.search.models import ChangeFeed


@click.command("reindex")
@click.option("--procs", default=1, show_default=True, help="Indexing processes (2 on 2 cores).")
@click.option("--quiet", is_flag=True)
@with_appcontext
def reindex_command(procs: int, quiet: bool) -> None:
    """Build a fresh index from the database and swap it in atomically (searches go on)."""
    store = store_for(current_app)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), disable=quiet,
                  transient=True) as bar:
        task = bar.add_task("重建索引 indexing", total=None)
        report = rebuild(store, procs=procs,
                         progress=lambda done, total: bar.update(task, completed=done,
                                                                 total=total))
    click.echo(f"已重建索引：{report.documents} 条记录，{report.seconds:.1f} 秒"
               f"（{report.rate:.0f} 条/秒）{dict(report.per_entity)}")


@click.command("check-index")
@click.option("--limit", default=20, show_default=True, help="Differences listed per kind.")
@with_appcontext
def check_index_command(limit: int) -> None:
    """Report every difference between the database and the search index (exit 1 if any)."""
    report = check_index(store_for(current_app))
    click.echo(f"待应用的变更 pending changes: {report.pending}")
    for label, items in (("索引缺少 missing from index", report.missing),
                         ("索引多余 extra in index", report.extra),
                         ("内容过期 stale in index", report.stale)):
        click.echo(f"{label}: {len(items)}")
        for key in items[:limit]:
            click.echo(f"  {key}")
    if not report.ok:
        click.echo("索引与数据库不一致：运行 registry reindex 修复", err=True)
        sys.exit(1)
    click.echo("索引与数据库一致 index matches the database")


@click.command("index-worker")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.option("--max-pause", default=30.0, show_default=True,
              help="Longest pause between retries after failures (they double up to it).")
@click.option("--once", is_flag=True, help="Apply what is pending and exit.")
@with_appcontext
def index_worker_command(interval: float, max_pause: float, once: bool) -> None:
    """Apply the change feed to the index continuously (one worker per index directory).

    Never exits on a database or index error: each is logged as one line and retried
    with a growing pause. SIGTERM or Ctrl+C stops it after the batch in hand.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging(app)
    loop = UpdaterLoop(app, interval=interval, max_pause=max_pause, blocking=True,
                       on_applied=lambda n: click.echo(f"applied {n} changes"))
    click.echo(f"索引更新进程已启动 index worker on {store_for(app).root}")
    if once:
        loop.run_once()
        if loop.failures:
            sys.exit(1)
        return

    def _stop(*_: object) -> None:
        loop.stop.set()
        loop.wake.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    loop.run()
    click.echo("索引更新进程已停止 index worker stopped")


def index_after_demo() -> None:
    """`registry demo` ends with an index in step: rebuilt after a big load, else updated."""
    store = store_for(current_app)
    pending = db.session.scalar(select(func.count()).select_from(ChangeFeed)) or 0
    if store.needs_rebuild() or pending > 2000:
        report = rebuild(store, procs=2)
        click.echo(f"搜索索引已建立：{report.documents} 条记录，{report.seconds:.1f} 秒")
    else:
        applied = apply_pending(store)
        click.echo(f"搜索索引已是最新（应用 {applied} 条变更）")
