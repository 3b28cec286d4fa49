"""The search backend: a new index generation is warmed in the background."""

from __future__ import annotations

from flask import Flask

from registry.search import vectors
from registry.search.backend import backend_for
from registry.search.indexer import rebuild, store_for


def _cached_for(gen: str) -> list[tuple[object, ...]]:
    return [k for k in vectors.CACHE._items if k[0] and k[0][0] == gen]


def test_new_generation_is_warmed_with_common_title_words(catalogue: Flask) -> None:
    backend = backend_for(catalogue)
    backend.warm = 5
    rebuild(store_for(catalogue))  # a new generation nobody has searched yet
    searcher = backend._current()
    assert backend.warming is not None
    backend.warming.join(timeout=60)
    assert not backend.warming.is_alive()
    gen = str(backend._gen)
    assert _cached_for(gen), "the warm-up searches should have decoded posting lists"
    assert backend._current() is searcher  # warming searched, it did not swap searchers
    fields = {k[1] for k in _cached_for(gen)}
    assert "title" in fields


def test_off_by_default(catalogue: Flask) -> None:
    backend = backend_for(catalogue)
    rebuild(store_for(catalogue))
    backend._current()
    assert backend.warming is None
