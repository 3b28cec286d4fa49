"""``registry file-declarations`` and ``registry watch-scan``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from registry.accounts.services import create_user
from registry.audit import AuditEntry
from registry.declarations.models import Declaration, WatchFlag
from registry.declarations.services import create_declaration
from registry.enterprises.models import Enterprise
from registry.standards.models import Standard
from registry.standards.services import upsert_standard
from tests.declarations.test_bulk import (
    HOOD,
    OLD_HOOD,
    csv_bytes,
    make_catalogue,
    make_enterprise,
    row,
    xlsx_bytes,
)


@pytest.fixture
def ent(db: Any) -> Enterprise:
    make_catalogue()
    ent = make_enterprise()
    db.session.commit()  # commands roll back on errors and dry runs: keep the fixture's rows
    return ent


def count(db: Any, model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


class TestFileDeclarations:
    def test_files_and_publishes(self, runner: Any, db: Any, ent: Enterprise,
                                 tmp_path: Path) -> None:
        path = tmp_path / "批量.xlsx"
        path.write_bytes(xlsx_bytes([row(), row(model="X2")]))
        result = runner.invoke(args=["file-declarations", str(path),
                                     "--enterprise", ent.credit_code.lower()])
        assert result.exit_code == 0, result.output
        assert "公开 2 条声明" in result.output
        decls = db.session.scalars(select(Declaration).where(
            Declaration.enterprise_id == ent.id)).all()
        assert [d.state for d in decls] == ["published", "published"]
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "declaration.publish",
            AuditEntry.enterprise_id == ent.id)).all()
        assert [(e.actor, e.user_id) for e in entries] == [("cli", None), ("cli", None)]

    def test_errors_file_nothing_and_exit_1(self, runner: Any, db: Any, ent: Enterprise,
                                            tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_bytes(csv_bytes([row(), row(model="X2", 执行标准=OLD_HOOD)]))
        report = tmp_path / "errors.csv"
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                     ent.credit_code, "--errors-csv", str(report)])
        assert result.exit_code == 1
        assert "3\t执行标准\t[standard_replaced]" in result.output
        assert "未提交任何声明" in result.output
        assert count(db, Declaration, Declaration.enterprise_id == ent.id) == 0
        lines = report.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == "行,列,代码,错误" and lines[1].startswith("3,执行标准,standard_replaced,")

    def test_dry_run_and_drafts(self, runner: Any, db: Any, ent: Enterprise,
                                tmp_path: Path) -> None:
        path = tmp_path / "ok.csv"
        path.write_bytes(csv_bytes([row()]))
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                     ent.credit_code, "--dry-run"])
        assert result.exit_code == 0 and "试运行" in result.output
        assert count(db, Declaration, Declaration.enterprise_id == ent.id) == 0
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                     ent.credit_code, "--draft"])
        assert result.exit_code == 0, result.output
        assert db.session.scalars(select(Declaration.state).where(
            Declaration.enterprise_id == ent.id)).all() == ["draft"]

    def test_as_a_member(self, runner: Any, db: Any, ent: Enterprise, tmp_path: Path) -> None:
        user = create_user("q@example.com", "质量", "correct horse", enterprise=ent)
        other = make_enterprise("91330782MA2B00002C", "示例五金（永康）有限公司")
        path = tmp_path / "ok.csv"
        path.write_bytes(csv_bytes([row()]))
        ok = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                 ent.credit_code, "--as", "Q@example.com"])
        assert ok.exit_code == 0, ok.output
        assert db.session.scalar(select(AuditEntry.user_id).where(
            AuditEntry.action == "declaration.publish")) == user.id
        refused = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                      other.credit_code, "--as", "q@example.com"])
        assert refused.exit_code == 1 and "只能为本企业办理" in refused.output

    def test_unknown_enterprise_and_unreadable_file(self, runner: Any, ent: Enterprise,
                                                    tmp_path: Path) -> None:
        path = tmp_path / "ok.csv"
        path.write_bytes(csv_bytes([row()]))
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise", "X"])
        assert result.exit_code == 1 and "没有统一社会信用代码" in result.output
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"nope")
        result = runner.invoke(args=["file-declarations", str(bad), "--enterprise",
                                     ent.credit_code])
        assert result.exit_code == 1 and "file_unreadable" in result.output


class TestWatchScan:
    def test_flags_citations_of_ended_standards(self, runner: Any, db: Any,
                                                ent: Enterprise) -> None:
        admin = create_user("admin@example.com", "管理员", "correct horse", role="admin")
        decl, _ = create_declaration(ent, {"product_name": "吸油烟机", "standards": [HOOD]},
                                     admin, publish=True)
        db.session.commit()
        # the cited edition is replaced by a newer one that is already in force: written
        # with Core so the flush-time watch hook does not flag it first
        hood = db.session.scalar(select(Standard).where(Standard.number == HOOD))
        db.session.execute(Standard.__table__.update().where(Standard.id == hood.id).values(
            withdrawn_on=dt.date(2024, 1, 1), end_kind="replaced"))
        upsert_standard({"number": "GB/T 17713-2023", "title_zh": "吸油烟机",
                         "effective_on": dt.date(2024, 1, 1), "replaces": [HOOD]},
                        source="test")
        db.session.commit()
        db.session.execute(WatchFlag.__table__.delete())
        db.session.commit()

        result = runner.invoke(args=["watch-scan"])
        assert result.exit_code == 0, result.output
        assert "新增提醒 new flags: 1" in result.output
        assert "被代替 replaced 1" in result.output
        flag = db.session.scalar(select(WatchFlag).where(WatchFlag.declaration_id == decl.id))
        assert (flag.event, flag.successor) == ("replaced", "GB/T 17713-2023")

        again = runner.invoke(args=["watch-scan"])
        assert "新增提醒 new flags: 0" in again.output
        assert count(db, WatchFlag) == 1
