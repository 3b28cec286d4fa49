"""Ranking over the vectorised postings: Whoosh's BM25F for every match at once, phrase
positions checked only where they can change the answer, exact counts for query.run.

The score of a term in a document is Whoosh's ``bm25`` over the posting weight (field and
document boosts included), the document's field length and the collection statistics;
``And``/``Or``/``AndMaybe`` sum their parts as Whoosh's matchers do, ``Require`` scores
its first part. A phrase scores the sum of its terms' scores (times its boost) where
their positions line up (Whoosh's span test, asked about these documents only); with
more candidates than ``PHRASE_EXACT`` that sum is an upper bound, and ``best`` checks
the documents best bound first. ``tests/search/test_vectors.py`` compares every number
with Whoosh's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.scoring import BM25F

from registry.search.vectors import (
    Ids,
    Segment,
    Unsupported,
    _btext,
    match,
    postings,
    segments,
    status_mask,
)
from registry.search.whoosh_internals.reading import bm25f_parameters, phrase_holds

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
            b, k1 = bm25f_parameters(weighting, searcher, q.fieldname, btext)
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
        found[where[phrase_holds(seg.searcher, q, docs[where])]] = True
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
    probe = np.unique(ids[np.linspace(0, len(ids) - 1, num=VERIFY_SAMPLE, dtype=np.int64)])
    ok = verify(searcher, q, probe)
    total = round(len(ids) * len(ok) / len(probe))
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
