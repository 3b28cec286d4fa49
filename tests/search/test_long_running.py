"""A day of a live server in a few seconds: writes, merges and searches interleaved.

The live process keeps one searcher and refreshes it after every change; each of its
answers is compared with a freshly opened searcher's (what a restarted process would say).
"""

from __future__ import annotations

import random
from typing import Any

from flask import Flask

from registry.extensions import db
from registry.search import query as squery
from registry.search.backend import WhooshBackend, backend_for
from registry.search.indexer import store_for
from registry.search.query import SearchParams
from tests.search.conftest import add, sync

WORDS = ["有限公司", "电器", "安全", "竹筷", "质量管理", "叉车", "电机", "紧固件"]
QUERIES = ["有限公司", "电器 安全", "竹筷", "GB/T 30", "质量管理", "电机", "紧固件 有限公司"]


def _fresh(app: Flask, params: SearchParams) -> tuple[int, list[tuple[str, int]]]:
    ix = store_for(app).open()
    try:
        with ix.searcher() as s:
            got = squery.run(s, params)
    finally:
        ix.close()
    return got.total, [(h.entity, h.entity_id) for h in got.hits]


def _live(backend: WhooshBackend, params: SearchParams) -> tuple[int, list[tuple[str, int]]]:
    got = backend.search(params)
    return got.total, [(h.entity, h.entity_id) for h in got.hits]


def test_live_searcher_follows_merges_deletions_and_updates(sapp: Flask) -> None:
    rng = random.Random(7)
    backend = backend_for(sapp)
    live: list[Any] = []
    merges_seen = 0
    last_segments = 0
    for step in range(60):
        # a small burst of writes: new records, edits of old ones (deletions in old
        # segments) and the odd removal, each burst its own commit and index segment
        for i in range(rng.randint(1, 6)):
            words = rng.sample(WORDS, 2)
            live.append(add(number=f"GB/T {30000 + step * 10 + i}-2020",
                            title_zh=f"{words[0]}{words[1]}通用要求",
                            effective_on="2020-06-01"))
        if len(live) > 5:
            for std in rng.sample(live, 2):
                std.title_zh = f"{rng.choice(WORDS)}{rng.choice(WORDS)}技术条件"
        if len(live) > 10 and step % 5 == 0:
            gone = live.pop(rng.randrange(len(live)))
            db.session.delete(gone)
        db.session.commit()
        sync(sapp)
        ix = store_for(sapp).open()
        with ix.reader() as reader:
            segments_now = len(reader.leaf_readers())
        ix.close()
        if segments_now < last_segments:
            merges_seen += 1
        last_segments = segments_now
        for q in QUERIES:
            params = SearchParams(q=q, per_page=50, facets=False)
            assert _live(backend, params) == _fresh(sapp, params), (step, q)
        # the live searcher reads exactly the segments on disk, no merged-away ones
        assert len(backend._current().reader().leaf_readers()) == segments_now
    assert merges_seen >= 3, "the test must exercise merges"
    total, hits = _live(backend, SearchParams(q="有限公司", per_page=100))
    assert total and len(hits) == len(set(hits)), "no record listed twice"


def test_searches_in_threads_while_the_index_changes(sapp: Flask) -> None:
    """Refreshes close merged-away readers: no search in another thread may be reading
    them at that moment (it would fail on a closed file)."""
    import threading

    backend = backend_for(sapp)
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching() -> None:
        n = 0
        while not stop.is_set():
            try:
                backend._checked = 0.0  # refresh as often as possible
                backend.search(SearchParams(q=QUERIES[n % len(QUERIES)], per_page=20,
                                            page=1 + n % 2))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return
            n += 1

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for step in range(40):
            add(number=f"GB/T {31000 + step}-2021", title_zh=f"{WORDS[step % 8]}有限公司产品",
                effective_on="2021-06-01")
            sync(sapp)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors[:3]
    params = SearchParams(q="有限公司", per_page=50, facets=False)
    assert _live(backend, params) == _fresh(sapp, params)
    assert _live(backend, params)[0] == 40


def test_a_searcher_outlives_the_merge_of_its_segments(sapp: Flask) -> None:
    """The index worker merges segments and deletes their files at once; a searcher that
    had not yet read a segment's stored fields or columns must still answer (it failed
    with 500 "'NoneType' object is not subscriptable" under load)."""
    backend = backend_for(sapp)
    for step in range(6):
        add(number=f"GB/T {32000 + step}-2021", title_zh=f"{WORDS[step]}有限公司合并测试",
            effective_on="2021-06-01")
        sync(sapp)
    params = SearchParams(q="合并测试", per_page=50, sort="date")
    backend._current()  # opened (as a live server's searcher is), nothing read yet
    backend.refresh_every = 3600.0  # it will not look for a newer commit
    try:
        ix = store_for(sapp).open()
        with ix.writer() as writer:
            writer.optimize = True  # one segment: every file the searcher knows is deleted
        ix.close()
        got = backend.search(params)
        assert got.total == 6 and len(got.hits) == 6
        assert got.facets  # stored fields were read for the facets
    finally:
        backend.refresh_every = WhooshBackend.refresh_every
    backend._checked = 0.0
    assert _live(backend, SearchParams(q="合并测试", per_page=50)) == _fresh(
        sapp, SearchParams(q="合并测试", per_page=50))
