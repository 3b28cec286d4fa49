"""Online backup and restore of the registry database (SQLite and PostgreSQL).

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
from flask import Flask, current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from registry.database import upgrade_database
from registry.extensions import db
from registry.search.indexer import rebuild, store_for

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


def _table_names() -> list[str]:
    """The registry's tables, parents first."""
    return [t.name for t in db.metadata.sorted_tables]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path() -> Path:
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
            revision, tables = _backup_sqlite(_sqlite_path(), partial, progress, pages)
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
        "file": path.name, "size": size, "sha256": _sha256(path), "tables": tables,
    }
    mpath = manifest_path(path)
    mpath.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BackupReport(path, mpath, kind, revision, size, tables,
                        time.perf_counter() - started)


def _sqlite_counts(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in present:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    tables = {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
              for name in _table_names() if name in present}
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
        revision, tables = _sqlite_counts(out)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份失败：{exc}") from exc
    finally:
        out.close()
        src.close()
    if not revision:
        raise BackupError("数据库还没有结构版本（请先运行 registry init-db）")
    return revision, tables


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL (no driver, no password) and the environment carrying the rest."""
    env = dict(os.environ, LC_ALL="C")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端"
                          f"（Debian/Ubuntu: apt-get install postgresql-client）")
    return found


def _backup_postgres(dest: Path, progress: Progress | None) -> tuple[str, dict[str, int]]:
    pg_dump = _tool("pg_dump")
    dsn, env = _libpq(db.engine.url)
    names = _table_names()
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


# --- restore ------------------------------------------------------------------------------


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
        if manifest.get("sha256") and manifest["sha256"] != _sha256(path):
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
            revision, _ = _sqlite_counts(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"备份文件已损坏，无法作为 SQLite 数据库打开：{path}（{exc}）") from exc
    if not revision:
        raise BackupError(f"不是 registry 备份：文件中没有结构版本（alembic_version）：{path}")
    return revision


def _postgres_revision(path: Path) -> str:
    pg_restore = _tool("pg_restore")
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
                for n in _table_names() if n in present}


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
        _restore_sqlite(path, _sqlite_path())
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
    if kind == "sqlite" and not _sqlite_path().exists():
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
    pg_restore = _tool("pg_restore")
    dsn, env = _libpq(db.engine.url)
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
    listing = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True,
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
