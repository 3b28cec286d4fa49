"""The index stays in step with the database: outbox, updater, rebuild, check."""

from __future__ import annotations

import json
import threading

from flask import Flask
from sqlalchemy import func, insert, select, text, update

from registry.extensions import db
from registry.search import services
from registry.search.backend import WhooshBackend, backend_for
from registry.search.index import IndexStore
from registry.search.indexer import apply_pending, check_index, rebuild, store_for
from registry.search.models import ChangeFeed
from registry.standards.models import Standard
from tests.search.conftest import CATALOGUE, add, sync


def found(q: str) -> list[str]:
    return [i.record.number for i in services.search(services.make_params({"q": q})).items]


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(ChangeFeed)) or 0


class TestChangeFeed:
    def test_change_writes_feed_row_in_the_same_transaction(self, sapp: Flask) -> None:
        add(**CATALOGUE[3])
        assert pending() == 1
        std = db.session.scalar(select(Standard))
        std.title_zh = "一次性炭化竹筷子"
        db.session.rollback()  # a rolled-back change leaves no feed row
        assert pending() == 1

    def test_published_change_becomes_searchable(self, sapp: Flask) -> None:
        add(**CATALOGUE[3])
        assert found("竹筷") == []
        assert sync(sapp) == 1
        assert found("竹筷") == ["T/ZZB 2109-2021"]
        assert pending() == 0

    def test_update_and_delete_reach_the_index(self, sapp: Flask) -> None:
        std = add(**CATALOGUE[4])
        sync(sapp)
        std.title_zh = "叉车属具 纸卷夹"
        db.session.commit()
        sync(sapp)
        assert found("纸卷夹") == ["JB/T 13368-2018"] and found("软包夹") == []
        db.session.delete(std)
        db.session.commit()
        sync(sapp)
        assert found("纸卷夹") == []

    def test_crash_after_commit_before_indexing_loses_nothing(self, sapp: Flask) -> None:
        assert found("竹筷") == []  # this process has a searcher open
        add(**CATALOGUE[3])  # committed; the process "dies" before any updater ran
        sapp.extensions.pop("search_backend").close()
        # a new process starts: the feed is still there and is applied
        assert pending() == 1
        assert apply_pending(store_for(sapp)) == 1
        assert found("竹筷") == ["T/ZZB 2109-2021"]

    def test_applying_twice_is_harmless(self, sapp: Flask) -> None:
        std = add(**CATALOGUE[3])
        db.session.execute(insert(ChangeFeed), [{"entity": "standard", "entity_id": std.id,
                                                 "op": "upsert"}] * 3)
        db.session.commit()
        sync(sapp)
        assert found("竹筷") == ["T/ZZB 2109-2021"]
        assert check_index(store_for(sapp)).ok

    def test_late_commit_with_lower_id_is_not_skipped(self, sapp: Flask) -> None:
        a = add(**CATALOGUE[3])
        b = add(**CATALOGUE[4])
        db.session.execute(text("DELETE FROM change_feed"))
        db.session.commit()
        # B's feed row commits first with a high id and is applied ...
        db.session.execute(insert(ChangeFeed).values(id=1000, entity="standard",
                                                     entity_id=b.id, op="upsert"))
        db.session.commit()
        sync(sapp)
        # ... then A's transaction, which took a lower id earlier, commits
        db.session.execute(insert(ChangeFeed).values(id=10, entity="standard",
                                                     entity_id=a.id, op="upsert"))
        db.session.commit()
        sync(sapp)
        assert found("竹筷") == ["T/ZZB 2109-2021"]
        assert found("叉车") == ["JB/T 13368-2018"]


class TestConcurrentWriters:
    def test_out_of_order_commits_are_both_indexed(self, sapp: Flask) -> None:
        """Two real transactions: the one that took the lower id commits last."""
        if db.engine.dialect.name == "sqlite":
            # SQLite has one writer at a time, so ids are always commit-ordered there;
            # the lower-id-late case is covered by test_late_commit_with_lower_id_is_not_skipped
            assert db.engine.dialect.name == "sqlite"
            return
        a = add(**CATALOGUE[3])
        b = add(**CATALOGUE[4])
        db.session.execute(text("DELETE FROM change_feed"))
        db.session.commit()
        conn_a = db.engine.connect()
        conn_b = db.engine.connect()
        tx_a, tx_b = conn_a.begin(), conn_b.begin()
        id_a = conn_a.execute(insert(ChangeFeed).values(entity="standard", entity_id=a.id,
                                                        op="upsert").returning(ChangeFeed.id)).scalar()
        id_b = conn_b.execute(insert(ChangeFeed).values(entity="standard", entity_id=b.id,
                                                        op="upsert").returning(ChangeFeed.id)).scalar()
        assert id_a < id_b
        tx_b.commit()
        sync(sapp)
        assert found("叉车") == ["JB/T 13368-2018"] and found("竹筷") == []
        tx_a.commit()
        sync(sapp)
        assert found("竹筷") == ["T/ZZB 2109-2021"]
        conn_a.close()
        conn_b.close()


class TestRebuild:
    def test_search_keeps_answering_during_a_rebuild(self, catalogue: Flask) -> None:
        store = store_for(catalogue)
        seen: list[list[str]] = []
        old_gen = store.current_dir()

        def during(done: int, total: int) -> None:
            # called while the new generation is being written: the old one still answers
            backend = WhooshBackend(store)
            seen.append([i.entity_id and str(i.entity_id) for i in
                         backend.search(services.make_params({"q": "竹筷"})).hits])
            backend.close()

        report = rebuild(store, progress=during)
        assert report.documents == len(CATALOGUE)
        assert seen and all(len(s) == 1 for s in seen)
        assert store.current_dir() != old_gen
        backend_for(catalogue)._checked = 0.0
        assert found("竹筷") == ["T/ZZB 2109-2021"]

    def test_rebuild_in_another_thread_while_searching(self, catalogue: Flask) -> None:
        store = store_for(catalogue)
        errors: list[BaseException] = []

        def build() -> None:
            try:
                with catalogue.app_context():
                    rebuild(store)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        t = threading.Thread(target=build)
        t.start()
        answers = 0
        while t.is_alive():
            backend_for(catalogue)._checked = 0.0
            assert found("竹筷") == ["T/ZZB 2109-2021"]
            answers += 1
        t.join()
        assert not errors and answers >= 1

    def test_version_change_forces_a_rebuild(self, catalogue: Flask) -> None:
        store = store_for(catalogue)
        gen = store.current_dir()
        assert gen is not None
        meta = json.loads((gen / "meta.json").read_text())
        (gen / "meta.json").write_text(json.dumps({**meta, "version": "0.0"}))
        assert IndexStore(store.root).needs_rebuild()
        apply_pending(store)
        assert not store.needs_rebuild() and store.current_dir() != gen


class TestCheckIndex:
    def test_reports_missing_stale_and_extra(self, catalogue: Flask) -> None:
        store = store_for(catalogue)
        assert check_index(store).ok
        # a change that bypassed the ORM (no feed row): the index is now stale
        db.session.execute(update(Standard).where(Standard.number == "JB/T 13368-2018")
                           .values(title_zh="叉车属具 纸卷夹"))
        db.session.commit()
        ix = store.open()
        w = ix.writer()
        zzb = db.session.scalar(select(Standard.id).where(Standard.number == "T/ZZB 2109-2021"))
        w.delete_by_term("id", f"standard:{zzb}")
        w.add_document(id="standard:999999", kind="standard", sig="x")
        w.commit()
        ix.close()
        report = check_index(store)
        assert len(report.stale) == 1 and len(report.missing) == 1
        assert report.extra == ["standard:999999"]
        rebuild(store)
        assert check_index(store).ok


class TestCommands:
    def test_reindex_check_and_worker(self, catalogue: Flask) -> None:
        runner = catalogue.test_cli_runner()
        result = runner.invoke(args=["reindex", "--quiet"])
        assert result.exit_code == 0, result.output
        assert f"{len(CATALOGUE)} 条记录" in result.output
        assert runner.invoke(args=["check-index"]).exit_code == 0
        add(number="GB/T 1.1-2020", title_zh="标准化工作导则 第1部分：标准化文件的结构和起草规则")
        bad = runner.invoke(args=["check-index"])
        assert bad.exit_code == 1 and "索引缺少 missing from index: 1" in bad.output
        assert runner.invoke(args=["index-worker", "--once"]).exit_code == 0
        assert runner.invoke(args=["check-index"]).exit_code == 0
