"""The Whoosh index on disk: schema, generations, atomic swap, the single-writer lock.

Layout of ``INDEX_DIR``::

    current -> gen-20261122T010203-ab12   (symlink, swapped atomically by a rebuild)
    gen-.../                              (a complete Whoosh index + meta.json)
    writer.lock                           (flock: one writer at a time, across processes)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.analysis import IDTokenizer, StopFilter, Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from registry.search import whoosh_internals
from registry.search.analysis import (
    ANALYSIS_VERSION,
    bigram_analyzer,
    chinese_analyzer,
    english_analyzer,
    keys_analyzer,
    normalise,
)
from registry.search.whoosh_internals.reading import storage

SCHEMA_VERSION = 4  # 4: scope/body text indexed as bigrams only
INDEX_VERSION = f"{SCHEMA_VERSION}.{ANALYSIS_VERSION}"
NEVER = 99991231  # withdrawn date of a record still in force


class MemoTokenizer(Tokenizer):
    """Another tokenizer's output memoised per whitespace-separated chunk (indexing only).

    Rebuilds spend much of their time in jieba on text that repeats (scope sentences,
    issuing bodies, company names, product names). Neither Chinese analyzer forms a token
    across whitespace, so the chunks' tokens, positions shifted by what the earlier chunks
    used (``gap``: positions the inner tokenizer skips after a chunk), are exactly the
    unmemoised stream. Query-mode and character-offset calls go to the inner tokenizer.
    """

    def __init__(self, inner: Any, gap: int = 0, size: int = 100_000) -> None:
        self.inner = inner
        self.gap = gap
        self.size = size
        self._memo: dict[str, tuple[tuple[tuple[str, int, float], ...], int]] = {}

    def __getstate__(self) -> dict[str, Any]:  # the schema is pickled: not the memo
        return {"inner": self.inner, "gap": self.gap, "size": self.size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._memo = {}

    @property
    def unit_tokens(self) -> bool:  # see whoosh_internals.fastdoc: boosts 1.0, none stopped
        return bool(getattr(self.inner, "unit_tokens", False))

    def __repr__(self) -> str:
        return f"MemoTokenizer({self.inner!r}, gap={self.gap})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MemoTokenizer) and other.inner == self.inner
                and other.gap == self.gap)

    def _chunk(self, chunk: str) -> tuple[tuple[tuple[str, int, float], ...], int]:
        got = self._memo.get(chunk)
        if got is None:
            toks = tuple((sys.intern(t.text), t.pos, t.boost)
                         for t in self.inner(chunk, positions=True, mode="index"))
            got = (toks, toks[-1][1] + 1 + self.gap if toks else 0)
            if len(self._memo) >= self.size:
                self._memo.clear()
            self._memo[chunk] = got
        return got

    def terms(self, value: str) -> list[str]:
        """The texts of the index-mode tokens, in order (fastdoc: no Token objects)."""
        out: list[str] = []
        for chunk in normalise(value).split():
            out.extend(text for text, _p, _b in self._chunk(chunk)[0])
        return out

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each index-mode token text with its positions, in first-seen order (fastdoc)."""
        out: dict[str, list[int]] = {}
        pos = 0
        for chunk in normalise(value).split():
            toks, used = self._chunk(chunk)
            for text, p, _boost in toks:
                got = out.get(text)
                if got is None:
                    out[text] = [pos + p]
                else:
                    got.append(pos + p)
            pos += used
        return out

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, mode: str = "", **kwargs: Any) -> Iterator[Token]:
        if chars or keeporiginal or mode != "index":
            yield from self.inner(value, positions=positions, chars=chars,
                                  keeporiginal=keeporiginal, removestops=removestops,
                                  start_pos=start_pos, start_char=start_char, mode=mode,
                                  **kwargs)
            return
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for chunk in normalise(value).split():
            toks, used = self._chunk(chunk)
            for text, p, boost in toks:
                t.text = text
                t.boost = boost
                t.stopped = False
                if positions:
                    t.pos = pos + p
                yield t
            pos += used


def _tag(**kwargs: Any) -> ID:
    """An ID field that indexes nothing for an empty value (a declaration has no level)."""
    field = ID(**kwargs)
    field.analyzer = IDTokenizer() | StopFilter(stoplist=(), minsize=1)
    return field


def build_schema() -> Schema:
    """Fields: number keys >> titles >> body text; facets; sortable numbers and dates.

    Indexing cost is per posting, so fields index no more than queries use: numbers are
    not tiered (a year is matched exactly, a status is read from the date columns, a
    date window lists its few hundred days' documents), empty tags index nothing and
    the content signature is only stored.
    """
    words, grams = chinese_analyzer(), bigram_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),  # "standard:12"
        kind=_tag(stored=True),  # standard | declaration | enterprise
        numkeys=KEYWORD(analyzer=keys_analyzer(), field_boost=8.0, scorable=True),
        adopt=KEYWORD(analyzer=keys_analyzer(), field_boost=3.0, scorable=True),
        # numbers a declaration cites: found by number, ranked below the standard itself
        cites=KEYWORD(analyzer=keys_analyzer(), field_boost=1.5, scorable=True),
        title=TEXT(analyzer=MemoTokenizer(words), field_boost=4.0, phrase=True),
        title_bi=TEXT(analyzer=MemoTokenizer(grams, gap=1), field_boost=2.0, phrase=True),
        title_en=TEXT(analyzer=english_analyzer(), field_boost=2.0, phrase=True),
        body_bi=TEXT(analyzer=MemoTokenizer(grams, gap=1), field_boost=0.5, phrase=False),
        # facets are stored: counted from the best-ranked hits without touching the database
        level=_tag(stored=True),
        nature=_tag(stored=True),
        org=_tag(stored=True),
        ics=KEYWORD(commas=False, lowercase=False, stored=True),  # 03 03.120 03.120.10
        region=KEYWORD(commas=False, stored=True),  # declarations/enterprises: 330000 330600
        industry=KEYWORD(commas=False, stored=True),
        year=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=0),
        effective=NUMERIC(int, bits=32, stored=True, sortable=True,
                          shift_step=0),  # yyyymmdd, 0 unknown
        withdrawn=NUMERIC(int, bits=32, stored=True, sortable=True,
                          shift_step=0),  # yyyymmdd or NEVER
        end_kind=_tag(stored=True),
        sortnum=ID(sortable=True),
        sig=STORED(),  # content signature, for check-index
    )


def date_int(day: dt.date | None, default: int = 0) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else default


def open_generation(gen: Path) -> windex.Index:
    """The Whoosh index in one generation directory, its files memory-mapped."""
    return storage(str(gen)).open_index()


class IndexStore:
    """The index directory of one deployment."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        # Every reader and writer of the index comes through a store: the one place the
        # faster Whoosh internals are put in (idempotent; off on another Whoosh version)
        whoosh_internals.install()

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def current_dir(self) -> Path | None:
        """The generation now served, or None when there is none yet."""
        link = self.current_link
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if (target / "meta.json").exists() else None

    def meta(self, gen: Path | None = None) -> dict[str, Any]:
        gen = gen or self.current_dir()
        if gen is None:
            return {}
        try:
            return dict(json.loads((gen / "meta.json").read_text()))
        except (OSError, ValueError):
            return {}

    def needs_rebuild(self) -> bool:
        """No index yet, or one built with other analyzers/schema."""
        return self.meta().get("version") != INDEX_VERSION

    def open(self) -> windex.Index:
        gen = self.current_dir()
        if gen is None:
            raise FileNotFoundError(f"no search index under {self.root}")
        return open_generation(gen)

    def new_generation(self) -> Path:
        """An empty index in a fresh directory, not yet served."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        gen = self.root / f"gen-{stamp}-{secrets.token_hex(3)}"
        gen.mkdir()
        windex.create_in(str(gen), build_schema())
        return gen

    def publish(self, gen: Path, **meta: Any) -> None:
        """Write the generation's meta and swap ``current`` to it atomically."""
        info = {"version": INDEX_VERSION,
                "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **meta}
        (gen / "meta.json").write_text(json.dumps(info))
        tmp = self.root / f".current-{secrets.token_hex(4)}"
        os.symlink(gen.name, tmp)
        os.replace(tmp, self.current_link)  # rename(2) is atomic: readers see old or new
        self.prune(keep=gen)

    def prune(self, keep: Path) -> None:
        """Remove all but the served and the previous generation.

        The previous one stays so searchers opened on it keep working until they refresh.
        """
        gens = sorted(p for p in self.root.glob("gen-*") if p.is_dir() and p != keep)
        for old in gens[:-1]:
            shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def writer_lock(self, blocking: bool = True) -> Iterator[bool]:
        """Hold the one-writer lock (flock, so it also serialises separate processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "writer.lock", "a+") as fh:
            flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
            try:
                fcntl.flock(fh, flags)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
