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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from registry.search.analysis import (
    ANALYSIS_VERSION,
    bigram_analyzer,
    chinese_analyzer,
    english_analyzer,
    keys_analyzer,
)

SCHEMA_VERSION = 2
INDEX_VERSION = f"{SCHEMA_VERSION}.{ANALYSIS_VERSION}"
NEVER = 99991231  # withdrawn date of a record still in force


def build_schema() -> Schema:
    """Fields: number keys >> titles >> body text; facets; sortable numbers and dates."""
    return Schema(
        id=ID(stored=True, unique=True),  # "standard:12"
        kind=ID(stored=True),  # standard | declaration | enterprise
        numkeys=KEYWORD(analyzer=keys_analyzer(), field_boost=8.0, scorable=True),
        adopt=KEYWORD(analyzer=keys_analyzer(), field_boost=3.0, scorable=True),
        # numbers a declaration cites: found by number, ranked below the standard itself
        cites=KEYWORD(analyzer=keys_analyzer(), field_boost=1.5, scorable=True),
        title=TEXT(analyzer=chinese_analyzer(), field_boost=4.0, phrase=True),
        title_bi=TEXT(analyzer=bigram_analyzer(), field_boost=2.0, phrase=True),
        title_en=TEXT(analyzer=english_analyzer(), field_boost=2.0, phrase=True),
        body=TEXT(analyzer=chinese_analyzer(), field_boost=1.0, phrase=False),
        body_bi=TEXT(analyzer=bigram_analyzer(), field_boost=0.5, phrase=False),
        # facets are stored: counted from the best-ranked hits without touching the database
        level=ID(stored=True),
        nature=ID(stored=True),
        org=ID(stored=True),
        ics=KEYWORD(commas=False, lowercase=False, stored=True),  # 03 03.120 03.120.10
        region=KEYWORD(commas=False, stored=True),  # declarations/enterprises: 330000 330600
        industry=KEYWORD(commas=False, stored=True),
        year=NUMERIC(int, bits=32, stored=True, sortable=True),
        effective=NUMERIC(int, bits=32, stored=True, sortable=True),  # yyyymmdd, 0 unknown
        withdrawn=NUMERIC(int, bits=32, stored=True, sortable=True),  # yyyymmdd or NEVER
        end_kind=ID(stored=True),
        sortnum=ID(sortable=True),
        sig=ID(stored=True),  # content signature, for check-index
    )


def date_int(day: dt.date | None, default: int = 0) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else default


class IndexStore:
    """The index directory of one deployment."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

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
        return windex.open_dir(str(gen))

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
