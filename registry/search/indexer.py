"""The one index updater: applies the change feed in batches; full rebuild; consistency check.

Rows of the change feed are deleted only after their documents are committed to the index,
and exactly the rows read are deleted: a row whose transaction commits late (a lower id
than rows already applied) is simply found by the next pass, so no watermark can skip it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from registry.extensions import db
from registry.search.documents import BUILDERS, docs_for
from registry.search.index import IndexStore, open_generation
from registry.search.models import ChangeFeed

log = logging.getLogger(__name__)


def store_for(app: Flask) -> IndexStore:
    return IndexStore(app.config["INDEX_DIR"])


def apply_pending(store: IndexStore, batch: int = 1000, max_batches: int | None = None,
                  blocking: bool = True) -> int:
    """Apply queued changes to the index; returns how many feed rows were applied.

    Call inside an app context. Holds the writer lock while it works; with
    ``blocking=False`` it returns 0 at once when another writer (a rebuild) holds it.
    """
    applied = 0
    with store.writer_lock(blocking=blocking) as got:
        if not got:
            return 0
        if store.needs_rebuild():
            _rebuild_locked(store)
        rounds = 0
        while max_batches is None or rounds < max_batches:
            rounds += 1
            rows = db.session.execute(
                select(ChangeFeed.id, ChangeFeed.entity, ChangeFeed.entity_id, ChangeFeed.op)
                .order_by(ChangeFeed.id).limit(batch)
            ).all()
            db.session.rollback()  # end the read transaction: see newer commits next round
            if not rows:
                break
            latest: dict[tuple[str, int], str] = {}
            for _id, entity, entity_id, op in rows:
                latest[(entity, entity_id)] = op
            _write(store, latest)
            # End the transaction that read the documents: on SQLite a write in it fails at
            # once ("database is locked") when another writer committed since its first
            # read; a fresh one waits for the lock like any writer.
            db.session.rollback()
            ids = [r[0] for r in rows]
            _delete_feed_rows(ids)
            db.session.commit()
            applied += len(rows)
    return applied


def _write(store: IndexStore, changes: dict[tuple[str, int], str]) -> None:
    by_entity: dict[str, list[int]] = {}
    for (entity, entity_id), _op in changes.items():
        by_entity.setdefault(entity, []).append(entity_id)
    ix = store.open()
    with _writing(ix, timeout=30.0, compound=False) as writer:
        for entity, ids in by_entity.items():
            if entity not in BUILDERS:
                continue
            docs = docs_for(entity, ids)
            for entity_id in ids:
                doc = docs.get(entity_id)
                if doc is None:  # deleted (or never committed): drop it from the index
                    writer.delete_by_term("id", f"{entity}:{entity_id}")
                else:
                    writer.update_document(**doc)


def _delete_feed_rows(ids: list[int], chunk: int = 500) -> None:
    """Remove exactly these change-feed rows (applied), in statements of ``chunk`` ids."""
    for i in range(0, len(ids), chunk):
        db.session.execute(delete(ChangeFeed).where(ChangeFeed.id.in_(ids[i:i + chunk])))


@contextlib.contextmanager
def _writing(ix: Any, **kwargs: Any) -> Iterator[Any]:
    """A writer of ``ix`` committed when the block ends, cancelled if it fails; the index
    is closed either way."""
    writer = ix.writer(**kwargs)
    try:
        yield writer
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()


def feed_lag() -> tuple[int, float]:
    """Changes not yet applied to the index, and the age in seconds of the oldest one."""
    dialect = db.engine.dialect.name
    age = (func.extract("epoch", func.localtimestamp() - func.min(ChangeFeed.created_at))
           if dialect == "postgresql" else
           (func.julianday("now") - func.julianday(func.min(ChangeFeed.created_at))) * 86400.0)
    count, seconds = db.session.execute(select(func.count(), age).select_from(ChangeFeed)).one()
    return int(count or 0), max(0.0, float(seconds or 0.0))


@dataclass
class RebuildReport:
    documents: int = 0
    seconds: float = 0.0
    per_entity: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def rebuild(store: IndexStore, procs: int = 1, chunk: int = 2000,
            progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Build a fresh generation from the database and swap it in; searches keep running."""
    with store.writer_lock():
        return _rebuild_locked(store, procs=procs, chunk=chunk, progress=progress)


def _rebuild_locked(store: IndexStore, procs: int = 1, chunk: int = 2000,
                    progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    started = time.perf_counter()
    report = RebuildReport()
    # Feed rows visible now were committed before we read the data, so the new generation
    # contains their changes; exactly these are dropped after the swap. Rows that appear
    # later (whatever their ids) stay for the updater.
    covered = list(db.session.scalars(select(ChangeFeed.id)))
    gen = store.new_generation()
    ix = open_generation(gen)
    # Not compound: a reader copies each file of a compound segment into memory (a
    # million-document index cost a search process about 1 GB), while separate files are
    # mapped; writing them also skips copying the segment into one file at the end.
    kwargs: dict[str, Any] = {"limitmb": 256, "compound": False}
    if procs > 1:
        kwargs.update(procs=procs, multisegment=True)
    total = sum(db.session.scalar(select(func.count()).select_from(q().subquery())) or 0
                for _, _, q in BUILDERS.values())
    done = 0
    with _writing(ix, **kwargs) as writer:
        for entity, (_loader, _builder, all_ids) in BUILDERS.items():
            ids = list(db.session.scalars(all_ids()))
            count = 0
            for i in range(0, len(ids), chunk):
                for doc in docs_for(entity, ids[i:i + chunk]).values():
                    writer.add_document(**doc)
                    count += 1
                db.session.expunge_all()
                done += min(chunk, len(ids) - i)
                if progress:
                    progress(done, total)
            report.per_entity[entity] = count
            report.documents += count
    db.session.rollback()
    store.publish(gen, documents=report.documents)
    _delete_feed_rows(covered)
    db.session.commit()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not in the database
    stale: list[str] = field(default_factory=list)  # content differs
    pending: int = 0  # change-feed rows not yet applied

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def check_index(store: IndexStore, chunk: int = 2000) -> CheckReport:
    """Every difference between database and index (ids and content signatures)."""
    report = CheckReport()
    report.pending = db.session.scalar(select(func.count()).select_from(ChangeFeed)) or 0
    ix = store.open()
    try:
        with ix.searcher() as s:
            indexed = {f["id"]: f.get("sig") for f in s.all_stored_fields()}
    finally:
        ix.close()
    seen: set[str] = set()
    for entity, (_loader, _builder, all_ids) in BUILDERS.items():
        ids = list(db.session.scalars(all_ids()))
        for i in range(0, len(ids), chunk):
            for entity_id, doc in docs_for(entity, ids[i:i + chunk]).items():
                key = f"{entity}:{entity_id}"
                seen.add(key)
                if key not in indexed:
                    report.missing.append(key)
                elif indexed[key] != doc["sig"]:
                    report.stale.append(key)
            db.session.expunge_all()
    report.extra = sorted(k for k in indexed if k not in seen)
    db.session.rollback()
    return report


class UpdaterLoop:
    """Apply the change feed until stopped, surviving every error (inline and worker).

    A locked SQLite database, a dropped PostgreSQL connection or a full disk must not end
    the updater (the feed would pile up and search go stale): each failure is logged as
    one line and retried after a pause that doubles up to ``max_pause``; the first success
    logs the recovery. The feed is durable, so nothing is lost while it waits.
    """

    def __init__(self, app: Flask, interval: float = 0.5, max_pause: float = 30.0,
                 blocking: bool = False, on_applied: Callable[[int], None] | None = None
                 ) -> None:
        self.app = app
        self.interval = interval
        self.max_pause = max_pause
        self.blocking = blocking
        self.on_applied = on_applied
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.failures = 0  # in a row

    def run_once(self) -> int:
        """One pass; returns the rows applied (0 after a failure, which is logged)."""
        store = store_for(self.app)
        try:
            with self.app.app_context():
                try:
                    n = apply_pending(store, blocking=self.blocking)
                finally:
                    db.session.remove()
        except Exception as exc:  # noqa: BLE001 - every failure is retried, see above
            self.failures += 1
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            log.warning("index updater: %s: %s (attempt %d, retrying in %.1f s)",
                        type(exc).__name__, first[:300], self.failures, self.pause())
            return 0
        if self.failures:
            log.warning("index updater recovered after %d failed attempts", self.failures)
            self.failures = 0
        if n and self.on_applied:
            self.on_applied(n)
        return n

    def pause(self) -> float:
        if not self.failures:
            return self.interval
        return min(self.max_pause, self.interval * 2 ** min(self.failures, 16))

    def run(self) -> None:
        while not self.stop.is_set():
            self.run_once()
            self.wake.wait(self.pause())
            self.wake.clear()


class BackgroundIndexer(UpdaterLoop):
    """In-process updater for the embedded default: one thread, woken after commits."""

    def __init__(self, app: Flask, interval: float = 0.5) -> None:
        super().__init__(app, interval=interval)
        self.pid = os.getpid()  # a forked child has no such thread: it starts its own
        self.thread = threading.Thread(target=self.run, name="index-updater", daemon=True)

    def start(self) -> None:
        self.thread.start()


def start_background_indexer(app: Flask) -> BackgroundIndexer:
    """Start the in-process updater and wake it after every commit that queued changes."""
    indexer = BackgroundIndexer(app)
    app.extensions["index_updater"] = indexer

    @event.listens_for(Session, "after_commit")
    def _wake(session: Session) -> None:
        if session.info.pop("change_feed_written", False):
            indexer.wake.set()

    indexer.start()
    return indexer
