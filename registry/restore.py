"""Restoring a backup made by ``registry.backup`` (SQLite and PostgreSQL).

Restore checks the file before it touches the target (kind, readable, checksum, a schema
revision this code knows), refuses a non-empty target unless told, replaces the database
in one transaction, applies the migrations and rebuilds the search index: the index is a
view of the database and is never backed up.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import inspect, text

from registry.backup import (
    FORMAT,
    KIND_LABEL,
    PGDUMP_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    RestoreReport,
    database_kind,
    file_sha256,
    known_revision,
    libpq_dsn,
    manifest_path,
    pg_tool,
    sqlite_counts,
    sqlite_path,
    table_names,
)
from registry.database import upgrade_database
from registry.extensions import db
from registry.search.indexer import rebuild, store_for


def read_backup(path: Path, expect: str | None = None) -> dict[str, Any]:
    """Check a backup file without touching any database; returns what is known about it.

    The kind and the revision come from the file itself; the manifest, when present, must
    agree with it and its checksum must match (a damaged or truncated file is refused).
    ``expect``: the kind of database it is meant for (another kind is refused first).
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        kind = "sqlite"
    elif head.startswith(PGDUMP_MAGIC):
        kind = "postgresql"
    else:
        raise BackupError(f"不是 registry 备份文件（既不是 SQLite 数据库，也不是 pg_dump 备份）：{path}")
    if expect and kind != expect:
        raise BackupError(f"备份来自 {KIND_LABEL[kind]} 数据库，不能恢复到当前的 "
                          f"{KIND_LABEL[expect]} 数据库")
    manifest: dict[str, Any] = {}
    mpath = manifest_path(path)
    if mpath.exists():
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BackupError(f"备份清单无法读取：{mpath}（{exc}）") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"备份清单格式不对：{mpath}")
        if manifest.get("kind") != kind:
            raise BackupError(f"备份清单与文件不符：清单写的是 {manifest.get('kind')}，"
                              f"文件是 {KIND_LABEL[kind]}")
        if manifest.get("sha256") and manifest["sha256"] != file_sha256(path):
            raise BackupError(f"备份文件已损坏或被改动（校验和与清单不符）：{path}")
    revision = _sqlite_revision(path) if kind == "sqlite" else _postgres_revision(path)
    if manifest.get("revision") and manifest["revision"] != revision:
        raise BackupError(f"备份清单与文件不符：清单结构版本 {manifest['revision']}，"
                          f"文件中为 {revision}")
    return {**manifest, "kind": kind, "revision": revision}


def _sqlite_revision(path: Path) -> str:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"备份文件已损坏（SQLite 检查：{check}）：{path}")
            revision, _ = sqlite_counts(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"备份文件已损坏，无法作为 SQLite 数据库打开：{path}（{exc}）") from exc
    if not revision:
        raise BackupError(f"不是 registry 备份：文件中没有结构版本（alembic_version）：{path}")
    return revision


def _postgres_revision(path: Path) -> str:
    pg_restore = pg_tool("pg_restore")
    env = dict(os.environ, LC_ALL="C")
    listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True,
                             text=True, env=env)
    if listing.returncode != 0:
        raise BackupError(f"备份文件已损坏，pg_restore 无法读取：{path}"
                          f"（{listing.stderr.strip()}）")
    data = subprocess.run([pg_restore, "--data-only", "--table=alembic_version", "--file=-",
                           str(path)], capture_output=True, text=True, env=env)
    if data.returncode != 0:
        raise BackupError(f"备份文件已损坏，pg_restore 无法读取：{path}（{data.stderr.strip()}）")
    rows: list[str] = []
    lines = iter(data.stdout.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "alembic_version" in line:
            for row in lines:
                if row == "\\.":
                    break
                rows.append(row.strip())
            break
    if not rows:
        raise BackupError(f"不是 registry 备份：文件中没有结构版本（alembic_version）：{path}")
    return rows[0]


def database_rows() -> dict[str, int]:
    """Rows per registry table in the configured database (tables that exist)."""
    with db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                for n in table_names() if n in present}


def restore_database(path: Path, *, yes: bool = False, app: Flask | None = None,
                     index: bool = True) -> RestoreReport:
    """Replace the configured database with a backup, migrate it and rebuild the index.

    Call inside an app context, with the server stopped. Refuses (BackupError, nothing
    changed) a bad file, another database kind, a newer schema than this code knows, and
    a target that holds data unless ``yes``.
    """
    started = time.perf_counter()
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    path = Path(path)
    kind = database_kind()
    info = read_backup(path, expect=kind)
    if not known_revision(info["revision"]):
        raise BackupError(f"备份的数据库结构版本 {info['revision']} 比本程序新（或未知）："
                          "请先升级程序再恢复")
    if not yes:
        # rows a migration writes (bookkeeping, ``Table.info["bookkeeping"]``) are no one's data
        seeded = {t.name for t in db.metadata.sorted_tables if t.info.get("bookkeeping")}
        held = {n: c for n, c in _target_rows(kind).items() if c and n not in seeded}
        if held:
            listed = "、".join(f"{n} {c} 行" for n, c in list(held.items())[:5])
            raise BackupError(f"目标数据库不是空的（{listed} …）：恢复会覆盖其中全部数据，"
                              "确认请加 --yes")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _restore_sqlite(path, sqlite_path())
    else:
        _restore_postgres(path)
    db.engine.dispose()
    upgrade_database()
    db.session.remove()
    documents = 0
    if index:
        documents = rebuild(store_for(app)).documents
        db.session.remove()
    with db.engine.connect() as conn:
        revision = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
    return RestoreReport(path, kind, info["revision"], revision, database_rows(), documents,
                         time.perf_counter() - started, info)


def _target_rows(kind: str) -> dict[str, int]:
    if kind == "sqlite" and not sqlite_path().exists():
        return {}
    with db.engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                for n in names}


def _restore_sqlite(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    dest = sqlite3.connect(target, isolation_level=None, timeout=30)
    try:
        # pages=-1: the whole copy is one write transaction on the target (all or nothing);
        # a WAL target stays in WAL mode.
        src.backup(dest, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 恢复失败（目标未改动）：{exc}") from exc
    finally:
        dest.close()
        src.close()


def _restore_postgres(path: Path) -> None:
    pg_restore = pg_tool("pg_restore")
    dsn, env = libpq_dsn(db.engine.url)
    _drop_tables_not_in(path, env)
    cmd = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
           "--single-transaction", "--exit-on-error", f"--dbname={dsn}", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败（退出码 {done.returncode}，目标未改动）："
                          f"{done.stderr.strip() or '无输出'}")


def _drop_tables_not_in(path: Path, env: dict[str, str]) -> None:
    """Drop target tables the dump does not hold (a newer schema's), so that migrating the
    restored older schema can create them again; ``--clean`` only drops what is dumped."""
    listing = subprocess.run([pg_tool("pg_restore"), "--list", str(path)], capture_output=True,
                             text=True, env=env, check=True).stdout
    dumped = set()
    for line in listing.splitlines():
        parts = line.split()
        if not line.startswith(";") and " TABLE " in f" {line} " and "DATA" not in parts:
            idx = parts.index("TABLE")
            if idx + 2 < len(parts):
                dumped.add(parts[idx + 2])
    with db.engine.begin() as conn:
        for name in inspect(conn).get_table_names():
            if name not in dumped:
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
