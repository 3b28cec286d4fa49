"""Online backup of the registry database (SQLite and PostgreSQL); restoring is
``registry/restore.py``, which uses the shared pieces here (kinds, manifests, tools).

A backup is one file plus a JSON manifest next to it (``<file>.json``): database kind,
Alembic revision, creation time, row counts, size and SHA-256. SQLite is copied with the
online backup API from inside one read transaction, so the copy is one consistent
snapshot while writers go on (WAL); PostgreSQL is dumped by ``pg_dump --format=custom``
from a snapshot exported by the transaction that also counts the rows, so the counts in
the manifest describe exactly what was dumped.

Restore checks the file before it touches the target (kind, readable, checksum, a schema
revision this code knows), refuses a non-empty target unless told, replaces the database
in one transaction, applies the migrations and rebuilds the search index: the index is a
view of the database and is never backed up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from registry.extensions import db

FORMAT = "registry-backup"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": "sqlite3", "postgresql": "dump"}
KIND_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# progress(done, total): pages copied (SQLite) or tables dumped (PostgreSQL)
Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class BackupReport:
    path: Path
    manifest_path: Path
    kind: str
    revision: str
    size: int
    tables: dict[str, int]
    seconds: float


@dataclass
class RestoreReport:
    path: Path
    kind: str
    backup_revision: str
    revision: str
    tables: dict[str, int]
    documents: int
    seconds: float
    manifest: dict[str, Any] = field(default_factory=dict)


def manifest_path(path: Path) -> Path:
    """Where the manifest of a backup file lives: next to it, ``<file>.json``."""
    return path.with_name(path.name + ".json")


def database_kind() -> str:
    """``sqlite`` or ``postgresql``: the configured database."""
    name = db.engine.dialect.name
    if name not in SUFFIX:
        raise BackupError(f"不支持备份该类型的数据库：{name}")
    return name


def default_backup_path(kind: str, now: dt.datetime | None = None) -> Path:
    """``<REGISTRY_BACKUP_DIR>/registry-<UTC timestamp>.<sqlite3|dump>`` (default
    ``instance/backups``)."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.config["BACKUP_DIR"]) / f"registry-{stamp}.{SUFFIX[kind]}"


def known_revision(revision: str) -> bool:
    """Whether this code's migrations contain ``revision`` (a newer schema's are unknown)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        return False


def table_names() -> list[str]:
    """The registry's tables, parents first."""
    return [t.name for t in db.metadata.sorted_tables]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"无法备份该 SQLite 数据库：{db.engine.url}")
    return Path(database)


# --- backup -------------------------------------------------------------------------------


def backup_database(path: Path | None = None, *, progress: Progress | None = None,
                    pages: int = 1024) -> BackupReport:
    """Back up the configured database into ``path`` (default under instance/backups).

    Call inside an app context. Safe while the server keeps serving and writing.
    """
    started = time.perf_counter()
    kind = database_kind()
    path = Path(path) if path else default_backup_path(kind)
    if path.exists():
        raise BackupError(f"目标文件已存在，不会覆盖：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            revision, tables = _backup_sqlite(sqlite_path(), partial, progress, pages)
        else:
            revision, tables = _backup_postgres(partial, progress)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "revision": revision,
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "database": db.engine.url.render_as_string(hide_password=True),
        "file": path.name, "size": size, "sha256": file_sha256(path), "tables": tables,
    }
    mpath = manifest_path(path)
    mpath.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BackupReport(path, mpath, kind, revision, size, tables,
                        time.perf_counter() - started)


def sqlite_counts(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    """A SQLite file's schema revision and the row count of each registry table."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in present:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    tables = {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
              for name in table_names() if name in present}
    return revision, tables


def _backup_sqlite(source: Path, dest: Path, progress: Progress | None,
                   pages: int) -> tuple[str, dict[str, int]]:
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    src = sqlite3.connect(source, isolation_level=None, timeout=30)
    out = sqlite3.connect(dest, isolation_level=None)
    try:
        # One read transaction around every step: the copy is this one snapshot even when
        # it takes many steps, and in WAL mode writers are not blocked by it.
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        src.backup(out, pages=pages, progress=step)
        src.execute("COMMIT")
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        revision, tables = sqlite_counts(out)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份失败：{exc}") from exc
    finally:
        out.close()
        src.close()
    if not revision:
        raise BackupError("数据库还没有结构版本（请先运行 registry init-db）")
    return revision, tables


def libpq_dsn(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL (no driver, no password) and the environment carrying the rest."""
    env = dict(os.environ, LC_ALL="C")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端"
                          f"（Debian/Ubuntu: apt-get install postgresql-client）")
    return found


def _backup_postgres(dest: Path, progress: Progress | None) -> tuple[str, dict[str, int]]:
    pg_dump = pg_tool("pg_dump")
    dsn, env = libpq_dsn(db.engine.url)
    names = table_names()
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        # The exported snapshot is held by this transaction until pg_dump has finished:
        # the dump and the counts below see exactly the same data.
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        present = set(inspect(conn).get_table_names())
        if "alembic_version" not in present:
            raise BackupError("数据库还没有结构版本（请先运行 registry init-db）")
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                  for n in names if n in present}
        cmd = [pg_dump, "--format=custom", "--verbose", f"--snapshot={snapshot}",
               f"--file={dest}", f"--dbname={dsn}"]
        errors, done, total = [], 0, len(tables) + 1  # + alembic_version
        with subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              text=True, env=env) as proc:
            assert proc.stderr is not None
            for line in proc.stderr:
                if "dumping contents of table" in line:
                    done += 1
                    if progress:
                        progress(min(done, total), total)
                elif "error" in line.lower() or "fatal" in line.lower():
                    errors.append(line.strip())
            code = proc.wait()
        conn.rollback()
    if code != 0:
        raise BackupError(f"pg_dump 失败（退出码 {code}）：{'; '.join(errors) or '无输出'}")
    if not revision:
        raise BackupError("数据库还没有结构版本（请先运行 registry init-db）")
    return str(revision), tables
