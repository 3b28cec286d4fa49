"""Posting lists read a block at a time into numpy arrays: exact match sets and BM25F
scores for many documents at once.

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

import os
import pickle
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.codec import whoosh3
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcherClass
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from registry.search.index import NEVER, block_table

Ids = np.ndarray[Any, np.dtype[np.int64]]
EMPTY: Ids = np.zeros(0, dtype=np.int64)
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
_INT = whoosh3._INT_SIZE


class Unsupported(Exception):
    """A query node this module does not evaluate (the caller falls back to Whoosh)."""


@dataclass
class Segment:
    """One segment reader with the arrays read from it (kept while the searcher lives)."""

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
            perdoc = self.reader._perdoc
            col = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            raw = np.zeros(self.size, dtype=np.uint8)
            if col is not None:
                data = np.frombuffer(bytes(col._dbfile.get(col._basepos, col._count)),
                                     dtype=np.uint8)
                raw[: len(data)] = data[: self.size]
            got = _LENGTHS[raw]
            got[raw == 0] = 1.0  # whoosh's scorer asks with a default of 1
            self.lengths[fieldname] = got
        return got

    def column(self, name: str) -> np.ndarray[Any, Any]:
        """A numeric column (dates) as an array over the segment's documents."""
        got = self.columns.get(name)
        if got is None:
            got = _numeric_column(self.reader, name, self.size)
            self.columns[name] = got
        return got

    def live(self, ids: Ids) -> Ids:
        if self.deleted is None:
            dels = self.reader.deleted_docs_set if self.reader.has_deletions() else ()
            self.deleted = np.array(sorted(dels), dtype=np.int64)
        if len(self.deleted) and len(ids):
            ids = ids[~np.isin(ids, self.deleted, assume_unique=True)]
        return ids


def _numeric_column(reader: Any, name: str, size: int) -> np.ndarray[Any, Any]:
    """Decoded at once where whoosh's layout is the known one (checked on a spread of
    documents against whoosh's own reader), else document by document."""
    col = reader.column_reader(name)
    raw = reader.column_reader(name, translate=False)
    fieldobj = reader.schema[name]
    count = getattr(raw, "_count", None)
    typecode = getattr(raw, "_typecode", None)
    if count is not None and typecode and hasattr(raw, "_dbfile") and size:
        width = np.dtype(typecode).itemsize
        data = np.frombuffer(bytes(raw._dbfile.get(raw._basepos, min(count, size) * width)),
                             dtype=">" + typecode).astype(np.int64)
        if fieldobj.signed:
            data -= 1 << (fieldobj.bits - 1)
        out = np.full(size, col[size - 1] if count < size else 0, dtype=np.int64)
        out[: len(data)] = data
        probe = np.linspace(0, size - 1, num=min(size, 64), dtype=np.int64)
        if all(out[d] == col[int(d)] for d in probe):
            return out
    return np.fromiter((col[d] for d in range(size)), dtype=np.int64, count=size)


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
        key = (str(getattr(reader._storage, "folder", "")), segment.segment_id())
        seg = _SEGMENTS.get(key)
        if seg is None:
            if len(_SEGMENTS) >= 32:
                _SEGMENTS.clear()
            seg = _SEGMENTS[key] = Segment(reader, offset, reader.doc_count_all(), key=key)
        seg.reader, seg.offset, seg.deleted, seg.searcher = reader, offset, None, sub
        out.append(seg)
    return out


def _raw_matcher(reader: Any, fieldname: str, btext: bytes) -> Any:
    if (fieldname, btext) not in reader:
        return None
    m = reader.postings(fieldname, btext)
    if isinstance(m, FilterMatcher):  # deletions: applied once to the final set
        m = m.child
    return None if isinstance(m, NullMatcherClass) else m


def _decode_block(postfile: Any, offset: int, want_weights: bool) -> tuple[Ids, Any]:
    postfile.seek(offset)
    length = abs(postfile.read_int())
    info = postfile.read_pickle()
    start = postfile.tell()
    data = postfile.get(start, offset + _INT + length - start)
    if info[3]:
        data = zlib.decompress(data)
    ids_d, weights, _values = pickle.loads(data)
    ids = np.cumsum(np.asarray(ids_d, dtype=np.int64))
    if not want_weights:
        return ids, None
    if weights is None:
        w: Any = np.ones(len(ids))
    elif isinstance(weights, float):
        w = np.full(len(ids), weights)
    else:
        w = np.asarray(weights, dtype=np.float64)
    return ids, w


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

    def put(self, key: Any, value: tuple[Ids, np.ndarray[Any, Any]]) -> None:
        cost = value[0].nbytes + value[1].nbytes
        if cost > self.max_bytes // 4:
            return
        self._items[key] = value
        self.size += cost
        while self.size > self.max_bytes and self._items:
            _, (ids, w) = self._items.popitem(last=False)
            self.size -= ids.nbytes + w.nbytes


CACHE = PostingCache(int(os.environ.get("REGISTRY_SEARCH_CACHE_MB", "256")) << 20)
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
        m = _raw_matcher(seg.reader, fieldname, btext)
        if m is None:
            return EMPTY, (np.zeros(0) if want_weights else None)
        if isinstance(m, ListMatcher):  # a short list kept inline in the term table
            ids = np.asarray(m._ids, dtype=np.int64)
            if m._all_weights:
                w: Any = np.full(len(ids), float(m._all_weights))
            elif m._weights:
                w = np.asarray(m._weights, dtype=np.float64)
            else:
                w = np.ones(len(ids))
            hit = (ids, w)
        else:
            maxids, offsets = block_table(m)
            if within is not None and len(within) * PARTIAL < len(offsets):
                # few candidates in a long list: only the blocks that may hold them
                wanted = np.unique(np.searchsorted(np.asarray(maxids), within))
                parts = [_decode_block(m._postfile, offsets[i], True)
                         for i in wanted.tolist() if i < len(offsets)]
                if not parts:
                    return EMPTY, (np.zeros(0) if want_weights else None)
                hit = (np.concatenate([p[0] for p in parts]),
                       np.concatenate([p[1] for p in parts]))
            else:
                parts = [_decode_block(m._postfile, off, True) for off in offsets]
                hit = (np.concatenate([p[0] for p in parts]),
                       np.concatenate([p[1] for p in parts]).astype(np.float32))
                if key:
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


def _size(q: Any, reader: Any) -> int:
    try:
        return int(q.estimate_size(reader))
    except (NotImplementedError, AttributeError):
        return 1 << 40


# -- scores ----------------------------------------------------------------------------------

PHRASE_EXACT = 300  # phrase candidates per segment whose positions are checked


@dataclass
class _Scoring:
    searcher: Any
    weighting: BM25F
    estimated: bool = False  # some phrase was estimated (too many candidates to check)
    check_all: bool = False  # check every phrase candidate, however many
    _where: dict[int, tuple[np.ndarray[Any, Any], Ids]] = field(default_factory=dict)

    def positions(self, seg: Segment, docs: Ids) -> np.ndarray[Any, Any]:
        """Document number -> its position in ``docs`` (one array per segment)."""
        got = self._where.get(id(seg))
        if got is None or got[1] is not docs:
            where = np.full(seg.size, -1, dtype=np.int64)
            where[docs] = np.arange(len(docs))
            got = (where, docs)
            self._where[id(seg)] = got
        return got[0]


def scores(searcher: Any, q: Any, ids: Ids,
           check_all: bool = False) -> tuple[np.ndarray[Any, Any], bool]:
    """BM25F scores of the documents ``ids`` (global, sorted) for ``q``, as Whoosh sums
    them; phrases are scored by Whoosh's phrase matcher on the documents holding all
    their terms, or, with more than ``PHRASE_EXACT`` of those, estimated as the sum of
    their terms' scores (then the flag returned is True)."""
    weighting = searcher.weighting
    if not isinstance(weighting, BM25F):
        raise Unsupported(type(weighting).__name__)
    ctx = _Scoring(searcher, weighting, check_all=check_all)
    total = np.zeros(len(ids))
    for seg in segments(searcher):
        lo, hi = np.searchsorted(ids, [seg.offset, seg.offset + seg.size])
        if lo == hi:
            continue
        local = ids[lo:hi] - seg.offset
        s, _ = _score(q, seg, local, ctx)
        total[lo:hi] = s
    return total, ctx.estimated


class _Spans:
    def __init__(self, spans: list[Any]) -> None:
        self._spans = spans

    def spans(self) -> list[Any]:
        return self._spans


def _in_order(seg: Segment, q: Any, docs: Ids) -> np.ndarray[Any, Any]:
    """Which of ``docs`` (each holding every word of phrase ``q``) hold them in order,
    within its slop: Whoosh's own span test, asked only about these documents."""
    reader = seg.reader
    ms = []
    for word in q.words:
        btext = _btext(reader, q.fieldname, word)
        m = None if btext is None else _raw_matcher(reader, q.fieldname, btext)
        if m is None:
            return np.zeros(len(docs), dtype=bool)
        ms.append(m)
    near = SpanNear2.SpanNear2Matcher._get_spans
    ok = np.zeros(len(docs), dtype=bool)
    for i, d in enumerate(docs.tolist()):
        spans = []
        for m in ms:
            if m.is_active() and m.id() < d:
                m.skip_to(d)
            if not m.is_active() or m.id() != d:
                break
            spans.append(_Spans(m.spans()))
        else:
            probe = SimpleNamespace(slop=q.slop, mindist=1, ordered=True, ms=spans)
            ok[i] = bool(near(probe))
    return ok


def _score(q: Any, seg: Segment, docs: Ids,
           ctx: _Scoring) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(score, matched) over ``docs``: what ``q`` adds to each and whether it matched."""
    reader = seg.reader
    searcher, weighting = ctx.searcher, ctx.weighting
    boost = getattr(q, "boost", 1.0)
    if isinstance(q, Q.Term):
        btext = _btext(reader, q.fieldname, q.text)
        score, hit = np.zeros(len(docs)), np.zeros(len(docs), dtype=bool)
        if btext is None:
            return score, hit
        ids, w = postings(seg, q.fieldname, btext, docs, want_weights=True)
        if not len(ids):
            return score, hit
        pos = ctx.positions(seg, docs)[ids]
        hit[pos] = True
        fieldobj = searcher.schema[q.fieldname]
        if fieldobj.scorable:
            idf = searcher.idf(q.fieldname, btext)
            avgfl = searcher.avg_field_length(q.fieldname) or 1
            b = weighting._field_B.get(q.fieldname, weighting.B)
            k1 = weighting.K1
            fl = seg.field_lengths(q.fieldname)[ids]
            score[pos] = idf * ((w * (k1 + 1)) / (w + k1 * ((1 - b) + b * fl / avgfl)))
        else:
            score[pos] = w
        return score * boost, hit
    if isinstance(q, Q.Phrase):
        # Whoosh scores a phrase as the sum of its terms' scores (times its boost) where
        # their positions line up: the documents holding every term are checked
        s, hit = _score(Q.And([Q.Term(q.fieldname, w) for w in q.words]), seg, docs, ctx)
        where = np.nonzero(hit)[0]
        if len(where) > PHRASE_EXACT and not ctx.check_all:
            ctx.estimated = True  # an upper bound: the positions were not checked
            return s * boost, hit
        found = np.zeros(len(docs), dtype=bool)
        found[where[_in_order(seg, q, docs[where])]] = True
        return np.where(found, s * boost, 0.0), found
    if isinstance(q, Q.And):
        score, hit = np.zeros(len(docs)), np.ones(len(docs), dtype=bool)
        for sub in q.subqueries:
            s, h = _score(sub, seg, docs, ctx)
            score += s
            hit &= h
        return np.where(hit, score, 0.0) * boost, hit
    if isinstance(q, Q.Or):
        score, hit = np.zeros(len(docs)), np.zeros(len(docs), dtype=bool)
        for sub in q.subqueries:
            s, h = _score(sub, seg, docs, ctx)
            score += np.where(h, s, 0.0)
            hit |= h
        return score * boost, hit
    if isinstance(q, Q.Require):
        s, hit = _score(q.a, seg, docs, ctx)
        return s, hit
    if isinstance(q, Q.AndMaybe):
        s, hit = _score(q.a, seg, docs, ctx)
        s2, h2 = _score(q.b, seg, docs, ctx)
        return np.where(hit, s + np.where(h2, s2, 0.0), 0.0), hit
    if isinstance(q, Q.Every | Q.NumericRange):
        return np.zeros(len(docs)), np.ones(len(docs), dtype=bool)
    raise Unsupported(type(q).__name__)


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


# -- what query.run asks of this module --------------------------------------------------------

VERIFY_ALL = 500  # phrase candidates checked one by one up to this many ...
VERIFY_SAMPLE = 200  # ... else this many, spread out, and the total scaled


@dataclass
class Counted:
    ids: Ids  # the matches (phrases: verified, or candidates when there were too many)
    total: int
    exact: bool
    sample: list[int]  # verified matches spread over the set, for the facets


def count(searcher: Any, q: Any, status: str | None, today: int) -> Counted:
    """The exact match set of ``q`` (the scoring-only parts already removed)."""
    found = match(searcher, q)
    ids = found.ids
    if status:
        ids = ids[status_mask(searcher, ids, status, today)]
    if found.verified:
        return Counted(ids, len(ids), True, [])
    if len(ids) <= VERIFY_ALL:
        ok = verify(searcher, q, ids)
        return Counted(ok, len(ok), True, [])
    probe = ids[np.linspace(0, len(ids) - 1, num=VERIFY_SAMPLE, dtype=np.int64)]
    ok = verify(searcher, q, np.unique(probe))
    total = round(len(ids) * len(ok) / len(np.unique(probe)))
    return Counted(ids, total, False, ok.tolist())


def verify(searcher: Any, q: Any, ids: Ids) -> Ids:
    """Those of ``ids`` (global, sorted) that ``q`` matches with phrase positions checked."""
    if not len(ids):
        return ids
    found, _ = scores(searcher, q, ids, check_all=True)
    return ids[found > 0]


def best(searcher: Any, q: Any, ids: Ids, k: int, batch: int = 150,
         batches: int = 2) -> list[tuple[int, float]]:
    """The ``k`` best of ``ids`` with their scores, in Whoosh's order (higher score, then
    lower document number).

    An estimated phrase score is an upper bound (a phrase whose positions do not line up
    only takes its part away), so documents are checked best bound first, a batch at a
    time, until the ``k``-th exact score beats every bound left (then the result is
    Whoosh's exact top ``k``) or ``batches`` batches were checked (then it is the exact
    order of the best ``batch * batches`` by bound: a long title-phrase bonus that most
    candidates could get but few do is not chased through tens of thousands).
    """
    bound, estimated = scores(searcher, q, ids)
    order = np.lexsort((ids, -bound))
    if not estimated:
        return [(int(ids[i]), float(bound[i])) for i in order[:k].tolist() if bound[i] > 0]
    got_ids: list[Ids] = []
    got_scores: list[np.ndarray[Any, Any]] = []
    start = 0
    while start < len(order) and len(got_ids) < batches:
        part = np.sort(ids[order[start:start + batch]])
        start += batch
        exact, _ = scores(searcher, q, part, check_all=True)
        got_ids.append(part)
        got_scores.append(exact)
        have = np.concatenate(got_scores)
        if len(have) >= k and start < len(order):
            kth = -np.partition(-have, k - 1)[k - 1]
            if kth > bound[order[start]]:
                break
    all_ids, all_scores = np.concatenate(got_ids), np.concatenate(got_scores)
    keep = all_scores > 0
    all_ids, all_scores = all_ids[keep], all_scores[keep]
    top = np.lexsort((all_ids, -all_scores))[:k]
    return [(int(all_ids[i]), float(all_scores[i])) for i in top.tolist()]


def newest(searcher: Any, ids: Ids, k: int) -> list[int]:
    """The ``k`` documents of ``ids`` with the latest effective date, newest first (ties:
    lower document number first)."""
    dates = np.zeros(len(ids), dtype=np.int64)
    for seg in segments(searcher):
        lo, hi = np.searchsorted(ids, [seg.offset, seg.offset + seg.size])
        if lo < hi:
            dates[lo:hi] = seg.column("effective")[ids[lo:hi] - seg.offset]
    order = np.lexsort((ids, -dates))[:k]
    return ids[order].tolist()
