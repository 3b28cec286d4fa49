"""The query engine: plan, count, rank, order, facet, suggest.

One engine serves every search: ``planner`` turns the typed text into a Whoosh query;
``vectors`` finds its exact match set (posting blocks decoded into numpy arrays, ANDs
driven by their rarest part, the status read from the date columns) and ``ranking``
computes Whoosh's own BM25F for every match at once. Totals are exact, except for quoted
phrases with more than ``ranking.VERIFY_ALL`` candidates (the total is then estimated
from a checked sample, ``total_exact`` False). Orders: relevance (status-weighted among
the best ``RERANK``), date (the effective-date column) and number (the ``sortnum`` values;
when browsing more than ``SORT_ALL`` documents, the index's own number order is walked
until a page is found). Facets are counted on a spread sample of the matches and scaled.
Whoosh's own search is the tests' oracle (``tests/search/oracle.py``), not a second
engine here; type-ahead (``suggest``) asks Whoosh directly (prefix queries).
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.searching import Searcher

from registry import numbers
from registry.search import ranking, vectors
from registry.search.analysis import bigrams, is_cjk, normalise
from registry.search.index import NEVER, date_int
from registry.search.planner import plan
from registry.search.vectors import Ids
from registry.standards.models import LEVELS as STANDARD_LEVELS

FACETS = ("kind", "level", "status", "nature", "org", "ics", "year", "region", "industry")
SORTS = ("relevance", "number", "date")
# Sizes the tests lower (monkeypatch) so that a small index reaches every branch
FACET_SAMPLE = 120  # matches whose facets are counted (then scaled) when there are more
RERANK = 40  # best-scored candidates re-ranked by status (the first pages stay stable)
RESCORE = 200  # candidates checked at a time when phrase positions were not all checked
SORT_ALL = 5000  # browsing more documents than this in number order walks the number order
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


def tags_of(params: SearchParams) -> list[tuple[str, str | int]]:
    """The filters other than status, as (field, value) pairs."""
    out: list[tuple[str, str | int]] = []
    for name in ("kind", "level", "nature"):
        value = getattr(params, name)
        if value:
            out.append((name, str(value).strip().lower()))
    if params.org:
        out.append(("org", params.org.strip().upper()))
    for name in ("ics", "region"):
        value = getattr(params, name)
        if value:
            out.append((name, value.strip()))
    if params.industry:
        out.append(("industry", params.industry.strip().upper()))
    if params.year:
        out.append(("year", int(params.year)))
    return out


def tag_query(tags: list[tuple[str, str | int]]) -> Any:
    """The tag filters as a query (None: no filter)."""
    parts = [Q.NumericRange(f, v, v, constantscore=False) if f == "year" else Q.Term(f, v)
             for f, v in tags]
    return None if not parts else parts[0] if len(parts) == 1 else Q.And(parts)


def search_query(params: SearchParams) -> tuple[Any, Any]:
    """The plan and the query ``run`` evaluates for these parameters: the text's query,
    filtered by the tags (which add nothing to scores)."""
    p = plan(params.q)
    tag_q = tag_query(tags_of(params))
    if tag_q is None:
        return p, p.query
    return p, tag_q if isinstance(p.query, Q.Every) else Q.Require(p.query, tag_q)


def matching_part(q: Any) -> Any:
    """``q`` without the optional parts that only add to scores (they cost, match nothing)."""
    if isinstance(q, Q.AndMaybe):
        return matching_part(q.a)
    if isinstance(q, Q.Require):
        return Q.Require(matching_part(q.a), q.b)
    return q


@dataclass
class _Count:
    total: int
    exact: bool
    sample: list[int]  # documents for the facet counts, spread over the match set
    ids: Ids | None  # every match (phrases: candidates when not exact); None: every document


def _count(searcher: Searcher, q: Any, status: str | None, today: int) -> _Count:
    """The matches, their number and a spread-out sample of them for the facets."""
    if isinstance(q, Q.Every) and status is None:  # browsing everything: nothing to list
        reader = searcher.reader()
        step = max(1, reader.doc_count_all() // FACET_SAMPLE)
        sample = [d for d in range(0, reader.doc_count_all(), step) if not reader.is_deleted(d)]
        return _Count(searcher.doc_count(), True, sample[:FACET_SAMPLE], None)
    found = ranking.count(searcher, q, status, today)
    ids = found.ids
    sample = found.sample or ids[np.unique(np.linspace(
        0, len(ids) - 1, num=min(len(ids), FACET_SAMPLE), dtype=np.int64))].tolist()
    return _Count(found.total, found.exact, sample, ids)


def _every(searcher: Searcher) -> Ids:
    return vectors.match(searcher, Q.Every()).ids


def _by_date(searcher: Searcher, q: Any, count: _Count, want: int) -> list[int]:
    """Newest first (ties: lower document number first). Phrase candidates that were not
    all checked are checked newest first, ``RESCORE`` at a time, until the page is full."""
    ids = _every(searcher) if count.ids is None else count.ids
    if count.exact:
        return vectors.newest(searcher, ids, want)
    order = vectors.newest(searcher, ids, len(ids))
    out: list[int] = []
    for start in range(0, len(order), RESCORE):
        part = order[start:start + RESCORE]
        ok = set(ranking.verify(searcher, q, np.sort(np.asarray(part, dtype=np.int64)))
                 .tolist())
        out.extend(d for d in part if d in ok)
        if len(out) >= want:
            break
    return out[:want]


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


def _by_number(searcher: Searcher, count: _Count, want: int,
               tags: list[tuple[str, str | int]], browsing: bool) -> list[int]:
    """In number order (ties: lower document number first). Few matches are sorted by
    their ``sortnum`` values; when browsing many, the number order of the index itself
    (the ``sortnum`` terms) is walked until a page is found."""
    if browsing and count.total > SORT_ALL:
        found = _walk(searcher, tags, count.ids, want)
        if found is not None:
            return found
    ids = _every(searcher) if count.ids is None else count.ids
    keyed: list[tuple[Any, int]] = []
    for sub, offset in searcher.leaf_searchers():
        lo, hi = np.searchsorted(ids, [offset, offset + sub.reader().doc_count_all()])
        col = sub.reader().column_reader("sortnum")
        keyed.extend((col[d - offset], d) for d in ids[lo:hi].tolist())
    return [d for _, d in heapq.nsmallest(want, keyed)]


def _walk(searcher: Searcher, tags: list[tuple[str, str | int]], ids: Ids | None,
          want: int) -> list[int] | None:
    """The first ``want`` of ``ids`` (None: every document) in the index's number order,
    or None when more than ``WALK_BUDGET`` documents had to be looked at."""
    reader = searcher.reader()
    member = None
    if ids is not None:
        member = np.zeros(reader.doc_count_all(), dtype=bool)
        member[ids] = True
    out: list[int] = []
    visited = 0
    for prefix in _walk_prefixes(tags):
        for fieldname, btext in reader.terms_from("sortnum", prefix):
            text = btext.decode() if isinstance(btext, bytes) else btext
            if fieldname != "sortnum" or not text.startswith(prefix):
                break
            for docnum in reader.postings("sortnum", btext).all_ids():
                visited += 1
                if member is None or member[docnum]:
                    out.append(docnum)
            if len(out) >= want:
                return out[:want]
            if visited > WALK_BUDGET:
                return None  # sparse here: sorting the matches is cheaper
    return out


def run(searcher: Searcher, params: SearchParams) -> SearchResult:
    """Execute a search: the page of hits, totals, facets, did-you-mean."""
    today = date_int(params.today or dt.date.today())
    tags = tags_of(params)
    p, q = search_query(params)
    browsing = isinstance(p.query, Q.Every)
    matching = matching_part(q)
    count = _count(searcher, matching, params.status, today)
    want = params.page * params.per_page
    scored: list[tuple[int, float]] = []
    if count.total:
        if params.sort == "date":
            scored = [(d, 0.0) for d in _by_date(searcher, matching, count, want)]
        elif params.sort == "number" or browsing:
            scored = [(d, 0.0) for d in _by_number(searcher, count, want, tags, browsing)]
        else:  # Whoosh's BM25F, computed for all matches at once
            assert count.ids is not None  # (only browsing lists no matches)
            scored = ranking.best(searcher, q, count.ids, max(want, RERANK), RESCORE)
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
