"""The search backend interface, and its Whoosh implementation (one per process)."""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app
from whoosh.searching import Searcher

from registry.search import query as squery
from registry.search import vectors
from registry.search.analysis import is_cjk
from registry.search.index import IndexStore, open_generation
from registry.search.planner import plan
from registry.search.query import SearchParams, SearchResult
from registry.search.whoosh_internals.segments import open_searcher, refreshed_reader

log = logging.getLogger(__name__)


def refreshed_searcher(ix: Any, old: Any) -> Any:
    """A searcher over the index's latest commit reusing ``old``'s unchanged segments
    (``whoosh_internals.segments.refreshed_reader`` says why Whoosh's own refresh is not
    used); ``old`` must not be used afterwards."""
    fresh, leaves = refreshed_reader(ix, old.reader())
    vectors.forget_segments(old, leaves)
    return Searcher(fresh, fromindex=ix)


class SearchBackend(Protocol):
    """What the rest of the registry needs from a search engine."""

    def search(self, params: SearchParams) -> SearchResult: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]: ...


class IndexUnavailable(RuntimeError):
    """No index has been built yet (run `registry reindex`)."""


class WhooshBackend:
    """One searcher per process, refreshed when the index changes; a small result cache."""

    refresh_every = 0.1  # seconds between freshness checks
    cache_size = 512

    def __init__(self, store: IndexStore, warm: int = 0) -> None:
        self.store = store
        self.warm = warm  # common title words searched when a new index generation opens
        self.warming: threading.Thread | None = None
        self._lock = threading.Lock()
        # Whoosh readers seek and read shared file objects: one search at a time per process
        # (the GIL allows no more on CPU anyway)
        self._search_lock = threading.Lock()
        self._gen: Path | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self._checked = 0.0
        self._cache: OrderedDict[Any, Any] = OrderedDict()

    def _current(self) -> Any:
        """The searcher to use now (call holding ``_search_lock``: a refresh closes the
        readers of merged-away segments, which no search may still be reading)."""
        now = time.monotonic()
        with self._lock:
            if self._searcher is not None and now - self._checked < self.refresh_every:
                return self._searcher
            self._checked = now
            gen = self.store.current_dir()
            if gen is None:
                raise IndexUnavailable("搜索索引尚未建立，请运行 registry reindex")
            if gen != self._gen or self._searcher is None:
                old = self._searcher
                self._ix = open_generation(gen)
                self._searcher = open_searcher(self._ix)
                self._gen = gen
                self._cache.clear()
                if old is not None:
                    old.close()
                if self.warm:
                    self.warming = threading.Thread(
                        target=self._warm, args=(self._searcher, gen), daemon=True,
                        name="search-warm-up")
                    self.warming.start()
            elif not self._searcher.up_to_date():
                self._searcher = refreshed_searcher(self._ix, self._searcher)
                self._cache.clear()
            return self._searcher

    def _cached(self, key: Any, fn: Any) -> Any:
        with self._search_lock:
            searcher = self._current()
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
            value = fn(searcher)
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return value

    def _warm(self, searcher: Any, gen: Path) -> None:
        """Decode and cache, in the background, the posting lists the commonest title words
        search (the first search of a common word on a cold index costs up to about a
        second). One list at a time under the search lock, so a search waits at most for
        one list (tens of milliseconds), pausing twice as long as each list took."""
        try:
            ix = open_generation(gen)  # its own files: the shared searcher is in use
            try:
                with ix.reader() as reader:
                    counts = ((ti.doc_frequency(), btext.decode())
                              for btext, ti in reader.iter_field("title"))
                    words = [w for _, w in heapq.nlargest(
                        self.warm * 2, ((df, w) for df, w in counts
                                        if len(w) >= 2 and is_cjk(w)))][: self.warm]
            finally:
                ix.close()
            done: set[tuple[str, Any]] = set()
            for word in words:
                for fieldname, text in plan(word).query.iter_all_terms():
                    if (fieldname, text) in done:
                        continue
                    done.add((fieldname, text))
                    started = time.perf_counter()
                    with self._search_lock:
                        if self._searcher is not searcher:
                            return  # a newer generation (or close()) took over
                        vectors.warm_term(searcher, fieldname, text)
                    # at most half of the time: searches and the index updater share the
                    # interpreter with this thread
                    time.sleep(min(0.5, 2 * (time.perf_counter() - started)))
        except Exception:  # warming is an optimisation: never take the process down
            log.exception("search warm-up failed")

    def search(self, params: SearchParams) -> SearchResult:
        return self._cached(("search", params), lambda s: squery.run(s, params))

    def suggest(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
        return self._cached(("suggest", prefix, limit),
                            lambda s: squery.suggest(s, prefix, limit))

    def close(self) -> None:
        with self._search_lock, self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._gen = None


def backend_for(app: Flask | None = None) -> WhooshBackend:
    """The process's backend for this app (created on first use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions.get("search_backend")
    if backend is None:
        backend = WhooshBackend(IndexStore(app.config["INDEX_DIR"]),
                                warm=int(app.config.get("SEARCH_WARM", 0)))
        vectors.CACHE.resize(int(app.config["SEARCH_CACHE_MB"]) << 20)
        app.extensions["search_backend"] = backend
    return backend
