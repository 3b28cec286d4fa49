"""``registry backup`` / ``registry restore`` on the real database of the run.

Each instance has its own database (a SQLite file, or a private PostgreSQL database when
REGISTRY_TEST_DATABASE_URL is set) and its own Whoosh index, with committed data built
through the services; restores go into a second, fresh instance.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text

from registry import create_app
from registry.backup import SUFFIX, BackupError, backup_database, manifest_path
from registry.extensions import db
from registry.restore import read_backup, restore_database
from tests.conftest import PG_URL, _drop_postgres, _private_postgres, make_config

KIND = "postgresql" if PG_URL else "sqlite"


class Instances:
    """Registry instances, each on a fresh database of its own; all removed at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.made: list[tuple[Flask, str | None]] = []

    def new(self, name: str, migrate: bool = True) -> Flask:
        home = self.tmp / name
        home.mkdir(parents=True)
        private = _private_postgres(PG_URL, f"_bk_{name}") if PG_URL else None
        url = private or f"sqlite:///{home / 'registry.sqlite3'}"
        app = create_app(make_config(home, DATABASE_URL=url))
        self.made.append((app, private))
        if migrate:
            with app.app_context():
                from registry.database import upgrade_database

                upgrade_database()
                db.session.remove()
        return app

    def close(self) -> None:
        from registry.search.backend import backend_for

        for app, private in self.made:
            with app.app_context():
                db.session.remove()
                if "search_backend" in app.extensions:
                    backend_for(app).close()
                db.engine.dispose()
            if private:
                _drop_postgres(PG_URL, private)


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[Instances]:
    made = Instances(tmp_path)
    try:
        yield made
    finally:
        made.close()


def fill(app: Flask) -> dict[str, Any]:
    """Committed data through the services: catalogue, enterprises, users with tokens,
    declarations with several editions (one with an attachment, one withdrawn, one draft)."""
    from registry.declarations import services
    from tests.declarations.conftest import (
        OWN_PDF,
        content,
        draft_of,
        make_catalogue,
        make_world,
        published_of,
        reuse_password_hashes,
    )

    with pytest.MonkeyPatch.context() as mp, app.app_context():
        reuse_password_hashes(mp)
        world = make_world(make_catalogue())
        member_a, member_b = world.users["member_a"], world.users["member_b"]
        amended = published_of(world)
        services.amend_declaration(amended, content(model="RBJ-1600"), member_a)
        services.amend_declaration(amended, content(model="RBJ-2000", product_name="软包夹 加强型"),
                                   member_a, kind="revision",
                                   attachment=("标准文本.pdf", b"%PDF-1.4\n% revision\n"))
        withdrawn, _ = services.create_declaration(
            world.b, content(product_name="纸卷夹"), member_b, publish=True,
            attachment=("own.pdf", OWN_PDF))
        services.withdraw_declaration(withdrawn, "产品停产", member_b)
        draft_of(world, product_name="草稿产品")
        db.session.commit()
        ids = {"amended": amended.id, "withdrawn": withdrawn.id}
        db.session.remove()
    return ids


def rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every registry table, ordered by primary key."""
    out = {}
    with app.app_context(), db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name in present:
                order = list(table.primary_key.columns) or list(table.columns)
                out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def revision(app: Flask) -> str:
    with app.app_context(), db.engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())


def head(app: Flask) -> str:
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return str(ScriptDirectory.from_config(config).get_current_head())


def backup(app: Flask, path: Path, **kwargs: Any) -> Any:
    with app.app_context():
        report = backup_database(path, **kwargs)
        db.session.remove()
        return report


def restore(app: Flask, path: Path, *args: str) -> Any:
    """Run ``registry restore`` on ``app`` through the CLI."""
    return app.test_cli_runner().invoke(args=["restore", str(path), *args])


def found(app: Flask, q: str) -> set[tuple[str, str]]:
    from registry.search import services

    with app.test_request_context():
        page = services.search(services.make_params({"q": q}))
        return {(i.entity, getattr(i.record, "number", None) or str(i.record.id))
                for i in page.items}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """An instance with committed data (never changed by the tests)."""
    made = Instances(tmp_path_factory.mktemp("backup-source"))
    try:
        app = made.new("source")
        yield app, fill(app)
    finally:
        made.close()


@pytest.fixture(scope="module")
def taken(source: tuple[Flask, dict[str, Any]],
          tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """One backup of the source instance (path, report)."""
    suffix = "sqlite3" if KIND == "sqlite" else "dump"
    path = tmp_path_factory.mktemp("backups") / f"registry.{suffix}"
    return path, backup(source[0], path)


class TestBackup:
    def test_writes_file_and_manifest(self, source: tuple[Flask, dict[str, Any]],
                                      taken: tuple[Path, Any]) -> None:
        path, report = taken
        app, _ = source
        assert path.is_file() and report.size == path.stat().st_size > 0
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        assert manifest["format"] == "registry-backup" and manifest["kind"] == KIND
        assert manifest["revision"] == report.revision == head(app)
        assert manifest["created_at"].endswith("Z") and manifest["size"] == report.size
        counts = {name: len(r) for name, r in rows(app).items()}
        assert manifest["tables"] == report.tables == counts
        assert counts["declaration_editions"] >= 4 and counts["audit_log"] > 0

    def test_refuses_to_overwrite(self, source: tuple[Flask, dict[str, Any]],
                                  taken: tuple[Path, Any]) -> None:
        with pytest.raises(BackupError, match="已存在"):
            backup(source[0], taken[0])

    def test_command_default_path(self, source: tuple[Flask, dict[str, Any]], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(source[0].config, "BACKUP_DIR", str(tmp_path / "backups"))
        result = source[0].test_cli_runner().invoke(args=["backup", "--quiet"])
        assert result.exit_code == 0, result.output
        files = sorted(p.name for p in (tmp_path / "backups").iterdir())
        assert len(files) == 2 and files[1] == files[0] + ".json"
        assert files[0].startswith("registry-") and files[0].endswith(f"Z.{SUFFIX[KIND]}")
        assert "已备份到" in result.output and "declaration_editions" in result.output
        assert read_backup(tmp_path / "backups" / files[0])["kind"] == KIND


class TestRestore:
    def test_round_trip_keeps_every_row(self, source: tuple[Flask, dict[str, Any]],
                                        taken: tuple[Path, Any],
                                        instances: Instances) -> None:
        app, ids = source
        target = instances.new("target", migrate=False)  # a database with no tables at all
        result = restore(target, taken[0])
        assert result.exit_code == 0, result.output
        assert "搜索索引已重建" in result.output

        before, after = rows(app), rows(target)
        assert set(after) == set(before)
        for name in before:
            if name == "change_feed":  # applied by the rebuild, so emptied
                assert after[name] == []
                continue
            assert after[name] == before[name], name
        assert revision(target) == head(app)

        from registry.audit import AuditEntry
        from registry.declarations.models import Declaration

        with target.app_context():
            decl = db.session.get(Declaration, ids["amended"])
            assert decl is not None
            assert [(e.number, e.kind, e.model) for e in decl.editions] == [
                (1, "initial", "RBJ-1500"), (2, "amendment", "RBJ-1600"),
                (3, "revision", "RBJ-2000")]
            assert decl.current_edition is not None and decl.current_edition.number == 3
            assert decl.current_edition.attachment == b"%PDF-1.4\n% revision\n"
            withdrawn = db.session.get(Declaration, ids["withdrawn"])
            assert withdrawn is not None and withdrawn.state == "withdrawn"
            actions = [a.action for a in db.session.scalars(
                select(AuditEntry).where(AuditEntry.entity_id == ids["amended"],
                                         AuditEntry.entity == "declaration")
                .order_by(AuditEntry.id))]
            assert actions == ["declaration.create", "declaration.publish",
                               "declaration.amend", "declaration.revise"]
            assert db.session.scalar(select(AuditEntry).where(
                AuditEntry.action == "declaration.withdraw")).detail == {"reason": "产品停产"}
            db.session.remove()

        assert ("standard", "JB/T 13368-2018") in found(target, "软包夹")
        assert ("standard", "GB/T 19001-2016") in found(target, "质量管理体系")

    def test_refuses_a_database_with_data_without_yes(
            self, source: tuple[Flask, dict[str, Any]], taken: tuple[Path, Any],
            instances: Instances) -> None:
        from registry.standards.services import upsert_standard

        target = instances.new("busy")
        with target.app_context():
            upsert_standard({"number": "GB/T 3100-1993", "title_zh": "国际单位制及其应用"},
                            source="test")
            db.session.commit()
            db.session.remove()
        before = rows(target)
        result = restore(target, taken[0])
        assert result.exit_code != 0
        assert "不是空的" in result.output and "--yes" in result.output
        assert rows(target) == before

        result = restore(target, taken[0], "--yes")
        assert result.exit_code == 0, result.output
        expected = rows(source[0])
        got = rows(target)
        assert {n: r for n, r in got.items() if n != "change_feed"} == \
            {n: r for n, r in expected.items() if n != "change_feed"}

    def test_a_migrated_empty_database_needs_no_yes(self, taken: tuple[Path, Any],
                                                    instances: Instances) -> None:
        target = instances.new("empty")
        with target.app_context():
            report = restore_database(taken[0])
            db.session.remove()
        assert report.tables["declaration_editions"] >= 4 and report.documents > 0

    def test_a_backup_without_its_manifest(self, taken: tuple[Path, Any], tmp_path: Path,
                                           instances: Instances) -> None:
        alone = tmp_path / "copied-alone.backup"
        alone.write_bytes(taken[0].read_bytes())
        target = instances.new("alone")
        result = restore(target, alone)
        assert result.exit_code == 0, result.output
        counts = {name: len(r) for name, r in rows(target).items() if name != "change_feed"}
        assert counts == {n: c for n, c in taken[1].tables.items() if n != "change_feed"}

    @pytest.mark.parametrize("damage", ["missing", "text", "other-kind", "truncated",
                                        "truncated-with-manifest"])
    def test_refuses_bad_files(self, damage: str, taken: tuple[Path, Any], tmp_path: Path,
                               instances: Instances) -> None:
        target = instances.new("bad")
        before = rows(target)
        bad = tmp_path / "files" / "registry.backup"
        bad.parent.mkdir()
        good = taken[0].read_bytes()
        if damage == "text":
            bad.write_text("这不是备份\n", encoding="utf-8")
        elif damage == "other-kind":
            if KIND == "sqlite":
                bad.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
            else:
                conn = sqlite3.connect(bad)
                conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
                conn.close()
        elif damage.startswith("truncated"):
            bad.write_bytes(good[: len(good) // 2])
            if damage.endswith("manifest"):
                manifest_path(bad).write_bytes(manifest_path(taken[0]).read_bytes())
        result = restore(target, bad, "--yes")
        assert result.exit_code == 1, result.output
        message = result.output
        assert message.startswith("Error: ")
        expected = {"missing": "不存在", "text": "不是 registry 备份文件",
                    "other-kind": "不能恢复到当前的", "truncated": "损坏",
                    "truncated-with-manifest": "校验和"}[damage]
        assert expected in message or (damage == "truncated" and "失败" in message), message
        assert rows(target) == before and revision(target) == head(target)

    def test_refuses_a_newer_schema(self, instances: Instances, tmp_path: Path) -> None:
        future = instances.new("future")
        with future.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = 'f0f0f0f0f0f0'"))
            db.session.commit()
            db.session.remove()
        path = tmp_path / "future.backup"
        backup(future, path)
        target = instances.new("current")
        before = rows(target)
        result = restore(target, path, "--yes")
        assert result.exit_code == 1
        assert "f0f0f0f0f0f0" in result.output and "比本程序新" in result.output
        assert rows(target) == before and revision(target) == head(target)

    def test_an_older_schema_is_migrated(self, instances: Instances, tmp_path: Path) -> None:
        from alembic.script import ScriptDirectory
        from flask_migrate import upgrade

        old = instances.new("old", migrate=False)
        with old.app_context():
            script = ScriptDirectory.from_config(old.extensions["migrate"].migrate.get_config())
            # before the sign_in_failures table existed: the restored schema lacks a table
            older = script.get_revision("b7d41c2e9a10").down_revision
            assert isinstance(older, str)
            if KIND == "sqlite":
                Path(db.engine.url.database or "").parent.mkdir(parents=True, exist_ok=True)
            upgrade(revision=older)
            db.session.remove()
        path = tmp_path / "old.backup"
        assert backup(old, path).revision == older
        target = instances.new("new")  # at the newest revision, all tables present
        result = restore(target, path)
        assert result.exit_code == 0, result.output
        assert f"已升级到 {head(target)}" in result.output
        assert revision(target) == head(target)
        assert "sign_in_failures" in rows(target)


class TestOnlineBackup:
    def test_backup_while_another_connection_writes(self, instances: Instances,
                                                    tmp_path: Path) -> None:
        """Writes committed during the copy are either wholly in it or wholly not: every
        standard written comes with its change-feed row in the same transaction."""
        from registry.search.models import ChangeFeed
        from registry.standards.models import Standard
        from registry.standards.services import upsert_standard

        app = instances.new("live")
        stop = threading.Event()
        written = [0]  # commits so far
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                with app.app_context():
                    i = 0
                    while not stop.is_set():
                        i += 1
                        upsert_standard({"number": f"T/ZZB {1000 + i}-2024",
                                         "title_zh": f"并发写入 {i}"}, source="test")
                        db.session.commit()
                        written[0] = i
                    db.session.remove()
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)

        def counts(conn_app: Flask) -> tuple[int, int]:
            with conn_app.app_context(), db.engine.connect() as conn:
                return (conn.execute(select(func.count()).select_from(Standard)).scalar_one(),
                        conn.execute(select(func.count()).select_from(ChangeFeed))
                        .scalar_one())

        def wait_for(n: int) -> None:
            deadline = time.monotonic() + 20
            while written[0] < n and not errors and time.monotonic() < deadline:
                time.sleep(0.002)
            assert written[0] >= n, errors

        steps: list[int] = []
        during: list[int] = []  # commits seen when the first step was done

        def progress(done: int, total: int) -> None:
            if not steps:
                during.append(written[0])
            if len(steps) < 3:  # the writer commits between steps of the copy
                wait_for(written[0] + 1)
            steps.append(done)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            wait_for(1)  # writing has begun
            path = tmp_path / "live.backup"
            report = backup(app, path, progress=progress, pages=1)
        finally:
            stop.set()
            thread.join(timeout=30)
        assert not errors and not thread.is_alive()
        assert len(steps) >= 3
        final = counts(app)

        copied = report.tables["standards"], report.tables["change_feed"]
        # one snapshot, taken before the first step: not what was committed during the copy
        # (the writer notes a commit just after making it, so the snapshot may hold one
        # commit more than ``written`` said at the first step)
        assert 0 < copied[0] <= during[0] + 1 and during[0] + 3 <= final[0]
        assert copied[0] == copied[1]  # and no half transaction

        if KIND == "sqlite":
            conn = sqlite3.connect(path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM standards").fetchone()[0] == copied[0]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            conn.close()
        target = instances.new("live-restored")
        result = restore(target, path)
        assert result.exit_code == 0, result.output
        assert rows(target)["standards"] == rows(app)["standards"][: copied[0]]

    def test_progress_of_a_long_copy_is_shown(self, source: tuple[Flask, dict[str, Any]],
                                              tmp_path: Path) -> None:
        seen: list[tuple[int, int]] = []
        backup(source[0], tmp_path / "p.backup", progress=lambda d, t: seen.append((d, t)),
               pages=4)
        assert seen and seen[-1][0] == seen[-1][1] and len(seen) > 1

