"""Posting lists read a block at a time into numpy arrays: exact match sets (and, in
``ranking.py``, BM25F scores) for many documents at once.

Whoosh visits matching documents one at a time in Python (about 10–30 µs each), so a
query whose words each match tens of thousands of documents costs hundreds of
milliseconds even when few documents hold all of them. Here a posting block (128
postings) is decoded in one step and sets are combined with numpy: an AND reads its
rarest part whole and, for the others, only the blocks that can hold the documents
still in play; an OR is a union. The result is the exact match set (phrases: the
documents holding all the phrase's terms, which the caller verifies) and, for ranking,
the same BM25F score Whoosh computes for every term (``bm25`` over the posting weight,
the document's field length and the collection statistics), summed as Whoosh's
matchers sum them. Phrase terms are scored like an AND of their terms, so phrase scores
are estimates; callers re-score the best candidates with Whoosh itself.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as Q

from registry.search.index import NEVER
from registry.search.whoosh_internals import reading
from registry.search.whoosh_internals.reading import Ids

EMPTY: Ids = np.zeros(0, dtype=np.int64)


class Unsupported(Exception):
    """A query node this module does not evaluate (the caller falls back to Whoosh)."""


@dataclass
class Segment:
    """One segment with the arrays read from it (kept per segment: see ``segments``)."""

    reader: Any
    offset: int
    size: int
    lengths: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    columns: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    deleted: Ids | None = None
    key: tuple[str, str] | None = None  # (index directory, segment id): what caches key on
    searcher: Any = None  # the leaf searcher (phrases are checked with Whoosh's matcher)

    def field_lengths(self, fieldname: str) -> np.ndarray[Any, Any]:
        got = self.lengths.get(fieldname)
        if got is None:
            got = self.lengths[fieldname] = reading.length_array(self.reader, fieldname,
                                                                 self.size)
        return got

    def column(self, name: str) -> np.ndarray[Any, Any]:
        """A numeric column (dates) as an array over the segment's documents."""
        got = self.columns.get(name)
        if got is None:
            got = reading.numeric_column(self.reader, name, self.size)
            self.columns[name] = got
        return got

    def live(self, ids: Ids) -> Ids:
        if self.deleted is None:
            dels = self.reader.deleted_docs_set if self.reader.has_deletions() else ()
            self.deleted = np.array(sorted(dels), dtype=np.int64)
        if len(self.deleted) and len(ids):
            ids = ids[~np.isin(ids, self.deleted, assume_unique=True)]
        return ids


_SEGMENTS: dict[tuple[str, str], Segment] = {}


def segments(searcher: Any) -> list[Segment]:
    """The searcher's segments with the arrays read from them: kept per segment (its
    files never change), so a refreshed searcher reuses those of unchanged segments."""
    out = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is None:  # an empty index
            out.append(Segment(reader, offset, reader.doc_count_all(), searcher=sub))
            continue
        key = _segment_key(reader)
        assert key is not None
        seg = _SEGMENTS.get(key)
        if seg is None:
            if len(_SEGMENTS) >= 32:
                _SEGMENTS.clear()
            seg = _SEGMENTS[key] = Segment(reader, offset, reader.doc_count_all(), key=key)
        seg.reader, seg.offset, seg.deleted, seg.searcher = reader, offset, None, sub
        out.append(seg)
    return out


def _segment_key(reader: Any) -> tuple[str, str] | None:
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return None
    storage = getattr(reader, "_storage", None)  # the segment's directory
    return (str(getattr(storage, "folder", "")), segment.segment_id())


def forget_segments(old: Any, readers: list[Any]) -> None:
    """Drop what is kept for the segments of searcher ``old`` that ``readers`` no longer
    hold (merged away): their arrays and decoded posting lists would never be used again
    and would only be evicted once the caches filled up."""
    keep = {_segment_key(r) for r in readers}
    gone = {k for r, _ in old.reader().leaf_readers()
            if (k := _segment_key(r)) is not None and k not in keep}
    if not gone:
        return
    for key in gone:
        _SEGMENTS.pop(key, None)
    CACHE.forget(gone)


class PostingCache:
    """Decoded posting lists (ids, weights) of whole terms, least recently used dropped.

    Decoding costs about 15 µs per block of 128 postings in Python (a common bigram of a
    million documents: 200,000 postings, 25 ms); the words people search for recur, so
    their decoded lists are kept, up to ``REGISTRY_SEARCH_CACHE_MB`` (default 256 MB).
    Segments never change once written, so nothing in here goes stale.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[Any, tuple[Ids, np.ndarray[Any, Any]]] = OrderedDict()

    def get(self, key: Any) -> tuple[Ids, np.ndarray[Any, Any]] | None:
        got = self._items.get(key)
        if got is not None:
            self._items.move_to_end(key)
        return got

    def resize(self, max_bytes: int) -> None:
        """Keep at most ``max_bytes`` from now on (dropping the least recently used)."""
        self.max_bytes = max_bytes
        while self.size > self.max_bytes and self._items:
            _, (ids, w) = self._items.popitem(last=False)
            self.size -= ids.nbytes + w.nbytes

    def forget(self, segments: set[tuple[str, str]]) -> None:
        """Drop the lists of these segments (keys start with the segment's key)."""
        for key in [k for k in self._items if k[0] in segments]:
            ids, w = self._items.pop(key)
            self.size -= ids.nbytes + w.nbytes

    def put(self, key: Any, value: tuple[Ids, np.ndarray[Any, Any]]) -> None:
        cost = value[0].nbytes + value[1].nbytes
        if cost > self.max_bytes // 4:
            return
        self._items[key] = value
        self.size += cost
        while self.size > self.max_bytes and self._items:
            _, (ids, w) = self._items.popitem(last=False)
            self.size -= ids.nbytes + w.nbytes


CACHE = PostingCache(256 << 20)  # resized from REGISTRY_SEARCH_CACHE_MB by backend_for()
PARTIAL = 8  # blocks per candidate below which only the candidates' blocks are decoded


BITMAP = 4096  # sets this large are combined through a flag per document of the segment


def _select(ids: Ids, within: Ids, size: int) -> Ids:
    """Positions in ``ids`` of the documents also in ``within`` (both sorted, unique)."""
    if not len(ids) or not len(within):
        return EMPTY
    if len(ids) > BITMAP and len(within) > BITMAP:
        flags = np.zeros(size, dtype=bool)
        flags[within] = True
        return np.flatnonzero(flags[ids])
    if len(within) < len(ids):
        pos = np.minimum(np.searchsorted(ids, within), len(ids) - 1)
        return pos[ids[pos] == within]
    pos = np.minimum(np.searchsorted(within, ids), len(within) - 1)
    return np.nonzero(within[pos] == ids)[0]


def _union(parts: list[Ids], size: int) -> Ids:
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    if sum(len(p) for p in parts) > BITMAP:
        flags = np.zeros(size, dtype=bool)
        for p in parts:
            flags[p] = True
        return np.flatnonzero(flags)
    return np.unique(np.concatenate(parts))


def postings(seg: Segment, fieldname: str, btext: bytes, within: Ids | None,
             want_weights: bool = False) -> tuple[Ids, Any]:
    """A term's documents (and weights), only those in ``within`` when given."""
    key = (seg.key, fieldname, btext) if seg.key else None
    hit = CACHE.get(key) if key else None
    if hit is None:
        got = reading.postings(seg.reader, fieldname, btext, within, PARTIAL)
        if got is None or not len(got[0]):
            return EMPTY, (np.zeros(0) if want_weights else None)
        hit = got[0], got[1]
        if got[2] and key:
            CACHE.put(key, hit)
    ids, w = hit
    if within is not None:
        sel = _select(ids, within, seg.size)
        ids, w = ids[sel], w[sel]
    return ids, (w.astype(np.float64) if want_weights else None)


def _btext(reader: Any, fieldname: str, text: Any) -> bytes | None:
    try:
        return bytes(reader.schema[fieldname].to_bytes(text))
    except (KeyError, ValueError):
        return None


@dataclass
class Matches:
    ids: Ids  # global document numbers, sorted
    verified: bool  # False: phrases were matched as AND of their terms only


def match(searcher: Any, q: Any) -> Matches:
    """Every document ``q`` matches (raises ``Unsupported`` for unknown query nodes)."""
    out: list[Ids] = []
    state = {"phrase": False}
    for seg in segments(searcher):
        ids = _match(q, seg, None, state)
        out.append(seg.live(ids) + seg.offset)
    return Matches(np.concatenate(out) if out else EMPTY, not state["phrase"])


def _match(q: Any, seg: Segment, within: Ids | None, state: dict[str, bool]) -> Ids:
    reader = seg.reader
    if isinstance(q, Q.Term):
        btext = _btext(reader, q.fieldname, q.text)
        return EMPTY if btext is None else postings(seg, q.fieldname, btext, within)[0]
    if isinstance(q, Q.Phrase):
        state["phrase"] = True
        return _match(Q.And([Q.Term(q.fieldname, w) for w in q.words]), seg, within, state)
    if isinstance(q, Q.And):
        acc = within
        for sub in sorted(q.subqueries, key=lambda s: _size(s, reader)):
            acc = _match(sub, seg, acc, state)
            if not len(acc):
                return EMPTY
        return EMPTY if acc is None else acc
    if isinstance(q, Q.Or):
        return _union([_match(sub, seg, within, state) for sub in q.subqueries], seg.size)
    if isinstance(q, Q.Require):
        return _match(q.b, seg, _match(q.a, seg, within, state), state)
    if isinstance(q, Q.AndMaybe):
        return _match(q.a, seg, within, state)
    if isinstance(q, Q.Every):
        ids = np.arange(seg.size, dtype=np.int64)
        return ids if within is None else within
    if q is Q.NullQuery or isinstance(q, Q.NullQuery.__class__):
        return EMPTY
    if isinstance(q, Q.NumericRange):
        found: list[Ids] = []
        sub = q._compile_query(reader)
        if sub is not Q.NullQuery:
            for fieldname, btext in sub.existing_terms(reader, expand=True):
                found.append(postings(seg, fieldname, btext, within)[0])
        return _union(found, seg.size)
    raise Unsupported(type(q).__name__)


def warm_term(searcher: Any, fieldname: str, text: Any) -> None:
    """Decode a term's posting lists in every segment into the cache."""
    for seg in segments(searcher):
        btext = _btext(seg.reader, fieldname, text)
        if btext is not None:
            postings(seg, fieldname, btext, None)


def _size(q: Any, reader: Any) -> int:
    try:
        return int(q.estimate_size(reader))
    except (NotImplementedError, AttributeError):
        return 1 << 40


# -- status from the date columns --------------------------------------------------------------

def status_mask(searcher: Any, ids: Ids, status: str, today: int) -> np.ndarray[Any, Any]:
    """Which of ``ids`` (global, sorted) have ``status`` as of ``today``."""
    keep = np.zeros(len(ids), dtype=bool)
    for seg in segments(searcher):
        lo, hi = np.searchsorted(ids, [seg.offset, seg.offset + seg.size])
        if lo == hi:
            continue
        local = ids[lo:hi] - seg.offset
        withdrawn = seg.column("withdrawn")[local]
        withdrawn = np.where(withdrawn == 0, NEVER, withdrawn)
        effective = seg.column("effective")[local]
        if status in ("replaced", "abolished"):
            ended = withdrawn <= today
            replaced = np.zeros(len(local), dtype=bool)
            btext = _btext(seg.reader, "end_kind", "replaced")
            if btext is not None:
                rids, _ = postings(seg, "end_kind", btext, local)
                replaced[np.searchsorted(local, rids)] = True
            keep[lo:hi] = ended & (replaced if status == "replaced" else ~replaced)
        else:
            alive = withdrawn > today
            upcoming = effective > today
            keep[lo:hi] = alive & (upcoming if status == "upcoming" else ~upcoming)
    return keep


def newest(searcher: Any, ids: Ids, k: int) -> list[int]:
    """The ``k`` documents of ``ids`` with the latest effective date, newest first (ties:
    lower document number first)."""
    dates = np.zeros(len(ids), dtype=np.int64)
    for seg in segments(searcher):
        lo, hi = np.searchsorted(ids, [seg.offset, seg.offset + seg.size])
        if lo < hi:
            dates[lo:hi] = seg.column("effective")[ids[lo:hi] - seg.offset]
    if 0 < k < len(ids):  # only the documents as new as the k-th newest need sorting
        cut = np.partition(dates, len(ids) - k)[len(ids) - k]
        keep = dates >= cut
        ids, dates = ids[keep], dates[keep]
    order = np.lexsort((ids, -dates))[:k]
    return ids[order].tolist()
