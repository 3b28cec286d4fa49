"""Query planning over the Whoosh index: parse, filter, score, facet, suggest.

Planning rules (measured with bench/search.py on a million documents): number look-ups
are single rare terms and go first; text words become an AND of per-word alternatives
across fields. Matches are counted exactly and ranked by ``ranking``/``vectors``: posting
blocks decoded into numpy arrays, ANDs driven by their rarest part, Whoosh's BM25F for
all matches at once, the status and the date order read from the date columns; facets
are counted on a spread sample of the matches and scaled. The older path below (Whoosh's
matchers: totals estimated from evenly spread windows of the index, the top scored with
block skipping, date windows, a walk of the number order) serves a query the vectors
cannot evaluate (``vectors.Unsupported``), and browsing in number order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.collectors import FilterCollector
from whoosh.searching import Searcher

from registry import numbers
from registry.search import ranking, vectors
from registry.search.analysis import bigrams, is_cjk, normalise
from registry.search.index import NEVER, date_int
from registry.search.matchers import (
    _Listed,
    _NearTop,
    _rarest_first,
    _Require,
    _tag_query,
    _tags,
    _tags_hold,
    _upper,
    _Where,
)
from registry.search.planner import plan
from registry.standards.models import LEVELS as STANDARD_LEVELS

FACETS = ("kind", "level", "status", "nature", "org", "ics", "year", "region", "industry")
SORTS = ("relevance", "number", "date")
FACET_SAMPLE = 120  # matches whose facets are counted (then scaled) when there are more
EXACT_COUNT = 1000  # totals are counted when at most about this many documents could match
COUNT_VISITS = 1500  # else matches are looked for in this share of the index (as if) ...
MIN_SAMPLE = 20  # ... widened until it holds at least this many, to estimate from
WINDOWS = 32  # evenly spread stretches of the index those matches come from
RERANK = 40  # best-scored candidates re-ranked by status (the first pages stay stable)
SCORE_KNOWN = 3000  # matches already listed by the count are scored where they are
RESCORE = 200  # candidates checked at a time when phrase scores had to be estimated
# days back from today (negative: ahead; upcoming editions come first) tried in turn when
# sorting by date
DATE_WINDOWS = (-365, -270, -180, -90, -30, 0, 30, 182, 730, 3650, None)
SORT_ALL = 5000  # more matches than this are not sorted whole (date windows, number walk)
WALK_BUDGET = 3000  # documents that walk may look at before sorting after all
STATUS_RANK = {"current": 0, "upcoming": 1, "replaced": 2, "abolished": 3}
STATUS_WEIGHT = {"current": 1.0, "upcoming": 0.9, "replaced": 0.55, "abolished": 0.5}


@dataclass(frozen=True)
class SearchParams:
    """Everything a search can be asked (hashable: it is the cache key)."""

    q: str = ""
    kind: str | None = None
    level: str | None = None
    status: str | None = None
    nature: str | None = None
    org: str | None = None
    ics: str | None = None
    year: int | None = None
    region: str | None = None
    industry: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facets: bool = True
    today: dt.date | None = None


@dataclass
class Hit:
    entity: str
    entity_id: int
    score: float
    status: str | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    total_exact: bool
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_exact: bool = True
    did_you_mean: str | None = None
    terms: list[str] = field(default_factory=list)  # words to highlight
    number_terms: list[str] = field(default_factory=list)

def status_of(fields: dict[str, Any], today: int) -> str:
    """Status from the stored dates, as of ``today`` (never stored in the index)."""
    withdrawn = fields.get("withdrawn") or NEVER
    if withdrawn <= today:
        return "replaced" if fields.get("end_kind") == "replaced" else "abolished"
    if (fields.get("effective") or 0) > today:
        return "upcoming"
    return "current"


def _facet_values(fields: dict[str, Any], today: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in ("kind", "level", "nature", "org"):
        if fields.get(name):
            out[name] = [fields[name]]
    if fields.get("ics"):
        out["ics"] = [c for c in fields["ics"].split() if "." not in c]  # top-level classes
    if fields.get("year"):
        out["year"] = [str(fields["year"])]
    for name in ("region", "industry"):
        if fields.get(name):
            out[name] = fields[name].split()[:2]
    if fields.get("kind") == "standard":
        out["status"] = [status_of(fields, today)]
    return out


@dataclass
class _Count:
    total: int
    exact: bool
    sample: list[int]  # documents for the facet counts, spread over the match set
    every: list[int] | None = None  # all matches, when counted one by one
    ids: Any = None  # all matches as an array, when counted by registry.search.vectors


def _matching(searcher: Searcher, q: Any, where: _Where | None,
              windows: list[tuple[int, int]] | None) -> list[int]:
    """Matching documents (global numbers), all or only those inside the windows."""
    out: list[int] = []
    if isinstance(q, Q.Every):  # its matcher would list every document first
        reader = searcher.reader()
        for lo, hi in windows or [(0, reader.doc_count_all())]:
            out.extend(d for d in range(lo, min(hi, reader.doc_count_all()))
                       if not reader.is_deleted(d) and (where is None or d in where))
        return out
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        m = q.matcher(sub, sub.boolean_context())
        spans = [(0, size)] if windows is None else [
            (max(lo - offset, 0), min(hi - offset, size)) for lo, hi in windows
            if hi > offset and lo < offset + size]
        for lo, hi in spans:
            if not m.is_active():
                break
            if m.id() < lo:
                m.skip_to(lo)
            while m.is_active() and m.id() < hi:
                docnum = m.id() + offset
                if where is None or docnum in where:
                    out.append(docnum)
                m.next()
    return out


def _count(searcher: Searcher, q: Any, where: _Where | None) -> _Count:
    """The number of matches and a spread-out sample of them for the facets.

    Counted one by one when at most about ``EXACT_COUNT`` documents could match; else
    estimated from the matches in evenly spread windows of the document space, widened
    until they hold enough (a rare combination of common words is not cheap to count).
    """
    reader = searcher.reader()
    q = _matching_part(q)
    if isinstance(q, Q.Every) and where is None:
        total = searcher.doc_count()
        step = max(1, reader.doc_count_all() // FACET_SAMPLE)
        sample = [d for d in range(0, reader.doc_count_all(), step) if not reader.is_deleted(d)]
        return _Count(total, True, sample[:FACET_SAMPLE])
    try:
        fast = ranking.count(searcher, q, where.status if where else None,
                             where.today if where else 0)
    except vectors.Unsupported:
        fast = None
    if fast is not None:
        ids = fast.ids
        sample = fast.sample or ids[np.unique(np.linspace(
            0, len(ids) - 1, num=min(len(ids), FACET_SAMPLE), dtype=np.int64))].tolist()
        every = ids.tolist() if fast.exact and len(ids) <= SCORE_KNOWN else None
        return _Count(fast.total, fast.exact, sample, every, ids)
    n = reader.doc_count_all()
    upper = _upper(q, reader)
    cover = 1.0 if upper <= EXACT_COUNT else COUNT_VISITS / upper
    while True:
        if cover >= 0.5:
            found = _matching(searcher, q, where, None)
            return _Count(len(found), True, _spread(found, FACET_SAMPLE), found)
        width = max(1, int(n * cover / WINDOWS))
        windows = [(i * n // WINDOWS, i * n // WINDOWS + width) for i in range(WINDOWS)]
        found = _matching(searcher, q, where, windows)
        if len(found) >= MIN_SAMPLE:
            covered = sum(hi - lo for lo, hi in windows)
            total = round(len(found) * n / covered)
            return _Count(total, False, _spread(found, FACET_SAMPLE))
        cover *= 4  # too few to estimate from: look at more of the index


def _matching_part(q: Any) -> Any:
    """``q`` without the optional parts that only add to scores (they cost, match nothing)."""
    if isinstance(q, Q.AndMaybe):
        return _matching_part(q.a)
    if isinstance(q, _Require):
        return _Require(_matching_part(q.a), q.b)
    return q


def _spread(docs: list[int], k: int) -> list[int]:
    if len(docs) <= k:
        return docs
    return [docs[i * len(docs) // k] for i in range(k)]


def _score_known(searcher: Searcher, q: Any, docs: list[int],
                 want: int) -> list[tuple[int, float]]:
    """The best of documents already known to match, each scored where it is."""
    scored: list[tuple[int, float]] = []
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        local = [d - offset for d in docs if offset <= d < offset + size]
        if not local:
            continue
        m = q.matcher(sub, sub.context())
        for d in local:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
            if m.is_active() and m.id() == d:
                scored.append((d + offset, m.score()))
    # Whoosh's order: higher score first, then the lower document number
    return heapq.nsmallest(max(want, RERANK), scored, key=lambda ds: (-ds[1], ds[0]))


def _ranked(searcher: Searcher, q: Any, where: _Where | None,
            want: int) -> list[tuple[int, float]]:
    # Only the top is scored exactly (Whoosh skips blocks that cannot enter it); the few
    # extra candidates let current editions overtake replaced ones of similar score.
    collector: Any = _NearTop(limit=max(want, RERANK))
    if where is not None:
        collector = FilterCollector(collector, allow=where)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return [(results.docnum(i), results.score(i) or 0.0)
            for i in range(results.scored_length())]


def _by_date(searcher: Searcher, q: Any, where: _Where | None, want: int,
             today: dt.date, total: int) -> list[int]:
    """Newest first. Sorting collects every match, so when there are many look at recent
    windows first: the newest ``want`` documents of a window are the newest of all when
    it holds that many."""
    q = _matching_part(q)  # no scores needed
    for days in DATE_WINDOWS if total > SORT_ALL else (None,):
        qq = q
        if days is not None:
            # listed: stepping through the union of a range's terms for every candidate
            # of a common word costs more than listing them once
            since = _Listed("effective", date_int(today - dt.timedelta(days=days)), None,
                            constantscore=False)
            qq = since if isinstance(q, Q.Every) else _Require(q, since)
        found = _sorted(searcher, qq, where, want, "effective", reverse=True)
        if days is None or len(found) >= want:
            return found
    return []


def _sorted(searcher: Searcher, q: Any, where: _Where | None, want: int, key: str,
            reverse: bool = False) -> list[int]:
    """The first ``want`` matches in ``key`` order (nothing scored)."""
    collector = searcher.collector(limit=want, sortedby=key, reverse=reverse, filter=where)
    searcher.search_with_collector(q, collector, context=searcher.boolean_context())
    results = collector.results()
    return [results.docnum(i) for i in range(results.scored_length())]


def _walk_prefixes(tags: list[tuple[str, str | int]]) -> list[str]:
    """Where in the number order the documents a filter allows can start."""
    values = dict(tags)
    level = values.get("level")
    if level == "zzb":
        return ["group|T/ZZB|"]
    if level:
        return [f"{level}|"]
    kind = values.get("kind")
    if kind in ("declaration", "enterprise"):
        return [f"{kind}|"]
    if kind == "standard" or any(f in values for f in ("nature", "org", "ics")):
        return [f"{lv}|" for lv in sorted(STANDARD_LEVELS)]
    return [""]


def _by_number(searcher: Searcher, q: Any, where: _Where | None, want: int,
               tags: list[tuple[str, str | int]], total: int, browsing: bool) -> list[int]:
    """In number order. Few matches are sorted; when browsing many, the number order of
    the index itself (the ``sortnum`` terms) is walked until a page is found."""
    if browsing and total > SORT_ALL:
        found = _walk(searcher, tags, where, want)
        if found is not None:
            return found
    return _sorted(searcher, _matching_part(q), where, want, "sortnum")


def _walk(searcher: Searcher, tags: list[tuple[str, str | int]], where: _Where | None,
          want: int) -> list[int] | None:
    reader = searcher.reader()
    out: list[int] = []
    visited = 0
    for prefix in _walk_prefixes(tags):
        for fieldname, btext in reader.terms_from("sortnum", prefix):
            text = btext.decode() if isinstance(btext, bytes) else btext
            if fieldname != "sortnum" or not text.startswith(prefix):
                break
            for docnum in reader.postings("sortnum", btext).all_ids():
                visited += 1
                if (not tags or _tags_hold(tags, searcher.stored_fields(docnum))) and \
                        (where is None or docnum in where):
                    out.append(docnum)
            if len(out) >= want:
                return out[:want]
            if visited > WALK_BUDGET:
                return None  # sparse here: sorting the matches is cheaper
    return out


def run(searcher: Searcher, params: SearchParams) -> SearchResult:
    """Execute a search: the page of hits, totals, facets, did-you-mean."""
    day = params.today or dt.date.today()
    today = date_int(day)
    p = plan(params.q)
    tags = _tags(params)
    tag_q = _tag_query(tags)
    where = _Where(searcher, params.status, today) if params.status else None
    browsing = isinstance(p.query, Q.Every)
    text_q = _rarest_first(p.query)
    q = text_q if tag_q is None else tag_q if browsing else _Require(text_q, tag_q)
    count = _count(searcher, q, where)
    want = params.page * params.per_page
    scored: list[tuple[int, float]] = []
    if count.total:
        if params.sort == "date" and count.exact and count.ids is not None:
            scored = [(d, 0.0) for d in vectors.newest(searcher, count.ids, want)]
        elif params.sort == "date":
            scored = [(d, 0.0) for d in _by_date(searcher, q, where, want, day, count.total)]
        elif params.sort == "number" or browsing:
            scored = [(d, 0.0) for d in _by_number(searcher, q, where, want, tags,
                                                  count.total, browsing)]
        elif count.ids is not None:  # Whoosh's BM25F, computed for all matches at once
            scored = ranking.best(searcher, q, count.ids, max(want, RERANK), RESCORE)
        elif count.every is not None and len(count.every) <= SCORE_KNOWN:
            scored = _score_known(searcher, q, count.every, want)
        else:
            scored = _ranked(searcher, q, where, want)
    hits: list[Hit] = []
    for docnum, score in scored:
        stored = searcher.stored_fields(docnum)
        kind, _, ident = stored["id"].partition(":")
        status = status_of(stored, today) if kind == "standard" else None
        hits.append(Hit(kind, int(ident), score, status))
    if params.sort == "relevance" and not browsing:
        # current editions ahead of replaced ones with a similar score
        hits.sort(key=lambda h: -(h.score * STATUS_WEIGHT.get(h.status or "current", 1.0)))
    total = max(count.total, len(hits))
    facet_counts: dict[str, dict[str, int]] = {}
    if params.facets:
        for docnum in count.sample:
            for name, values in _facet_values(searcher.stored_fields(docnum), today).items():
                bucket = facet_counts.setdefault(name, {})
                for v in values:
                    bucket[v] = bucket.get(v, 0) + 1
    facets_exact = count.exact and len(count.sample) == total
    if not facets_exact and count.sample:
        scale = total / len(count.sample)  # estimates for the whole match set
        facet_counts = {k: {v: max(1, round(c * scale)) for v, c in b.items()}
                        for k, b in facet_counts.items()}
    result = SearchResult(
        hits=hits[(params.page - 1) * params.per_page: want], total=total,
        total_exact=count.exact,
        facets={k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))
                for k, v in facet_counts.items()},
        facets_exact=facets_exact,
        terms=p.highlight, number_terms=p.numbers,
    )
    if total == 0 and p.numbers:
        result.did_you_mean = did_you_mean(searcher, params.q, p.numbers)
    return result


def did_you_mean(searcher: Searcher, text: str, keys: list[str]) -> str | None:
    """A corrected number for a misspelt one (edit distance over the number keys)."""
    leaves = [sub.reader() for sub, _ in searcher.leaf_searchers()]
    for key in keys:
        # Candidates share the prefix letters and the first digit; each segment is asked
        # on its own because only a segment reader walks its terms with an automaton
        # (Whoosh's multi-segment reader measures the distance to every key).
        head = min(len(key), len(key) - len(key.lstrip("abcdefghijklmnopqrstuvwxyz/")) + 1)
        for dist in (1, 2):
            found: dict[str, int] = {}
            for reader in leaves:
                for word in reader.terms_within("numkeys", key, dist, prefix=head):
                    if word != key:
                        found[word] = found.get(word, 0) + reader.doc_frequency("numkeys", word)
            if found:
                fixed = min(found, key=lambda w: (-found[w], w))
                parsed = numbers.try_parse(fixed)
                return parsed.canonical if parsed else fixed.upper()
    del text
    return None


def suggest(searcher: Searcher, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
    """Type-ahead: documents whose number or title starts with what was typed."""
    text = prefix.strip()
    if not text:
        return []
    alts: list[Any] = []
    key = numbers.compact(text).lower()
    if key:
        alts.append(Q.Prefix("numkeys", key))
    if is_cjk(text):
        grams = bigrams(text)
        if grams:
            alts.append(Q.And([Q.Term("title_bi", g) for g in grams]))
    else:
        words = re.findall(r"[a-z0-9]+", normalise(text))
        if words:
            alts.append(Q.And([Q.Term("title_en", w) for w in words[:-1]]
                              + [Q.Prefix("title_en", words[-1])]))
    if not alts:
        return []
    results = searcher.search(Q.Or(alts), limit=limit, terms=False, optimize=True)
    out = []
    for i in range(results.scored_length()):
        kind, _, ident = searcher.stored_fields(results.docnum(i))["id"].partition(":")
        out.append((kind, int(ident)))
    return out
