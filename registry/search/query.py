"""Query planning over the Whoosh index: parse, filter, score, facet, suggest.

Planning rules (measured, see bench/README.md): number look-ups are single rare terms and
go first; text words become an AND of per-word alternatives across fields; Whoosh may
skip blocks (``optimize=True``) because only the top of the ranking and an estimated total
are needed; facets are counted exactly when the match set is small and otherwise from
the best-ranked sample, and say so.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as Q
from whoosh.searching import Searcher

from registry import numbers
from registry.search.analysis import EnglishTokenizer, bigrams, is_cjk, jieba_words, normalise
from registry.search.index import NEVER, date_int

FACETS = ("kind", "level", "status", "nature", "org", "ics", "year", "region", "industry")
SORTS = ("relevance", "number", "date")
FACET_SAMPLE = 400  # hits inspected for facets when the match set is larger
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


@dataclass
class Plan:
    query: Any
    numbers: list[str]  # normalised keys
    words: list[str]
    phrases: list[str]
    highlight: list[str]


def status_of(fields: dict[str, Any], today: int) -> str:
    """Status from the stored dates, as of ``today`` (never stored in the index)."""
    withdrawn = fields.get("withdrawn") or NEVER
    if withdrawn <= today:
        return "replaced" if fields.get("end_kind") == "replaced" else "abolished"
    if (fields.get("effective") or 0) > today:
        return "upcoming"
    return "current"


def status_query(status: str, today: int) -> Any:
    """Index query for a status on ``today`` (dates, so it never goes stale)."""
    ended = Q.NumericRange("withdrawn", None, today)
    if status in ("replaced", "abolished"):
        kind = Q.Term("end_kind", "replaced")
        return Q.And([ended, kind]) if status == "replaced" else Q.AndNot(ended, kind)
    alive = Q.NumericRange("withdrawn", today + 1, None)
    if status == "upcoming":
        return Q.And([alive, Q.NumericRange("effective", today + 1, None)])
    return Q.And([alive, Q.NumericRange("effective", None, today)])


_NUMBERISH = re.compile(r"[0-9]")


def _split(text: str) -> tuple[list[str], list[str]]:
    """Quoted phrases and the remaining tokens."""
    text = normalise(text).replace("“", '"').replace("”", '"')
    phrases = [p.strip() for p in re.findall(r'"([^"]+)"', text) if p.strip()]
    rest = re.sub(r'"[^"]*"', " ", text)
    try:
        tokens = shlex.split(rest.replace("'", " "))
    except ValueError:
        tokens = rest.split()
    return phrases, tokens


def _find_numbers(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Greedy: the longest run of tokens (up to 3) that parses as a number is a number."""
    keys: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (3, 2, 1):
            chunk = " ".join(tokens[i:i + n])
            if n > len(tokens) - i or not _NUMBERISH.search(chunk):
                continue
            if is_cjk(chunk):
                continue
            parsed = numbers.try_parse(chunk)
            if parsed is not None:
                keys.append(parsed.key.lower())
                i += n
                break
            if n == 1 and numbers.partial_key(chunk) is not None:
                keys.append(numbers.compact(chunk).lower())
                i += 1
                break
        else:
            words.append(tokens[i])
            i += 1
    return keys, words


def _word_clause(word: str) -> tuple[Any, list[str]]:
    """One typed word: an alternative over the fields that may hold it."""
    alts: list[Any] = []
    marks: list[str] = []
    if is_cjk(word):
        segs = [w for w, _ in jieba_words(word)]
        marks.extend(segs)
        if segs:
            alts.append(Q.And([Q.Term("title", s) for s in segs]))
            alts.append(Q.And([Q.Term("body", s) for s in segs]))
        grams = bigrams(word)
        if grams:
            alts.append(Q.And([Q.Term("title_bi", g) for g in grams]))
            alts.append(Q.And([Q.Term("body_bi", g) for g in grams]))
    else:
        w = word.lower()
        marks.append(w)
        parts = [t.text for t in EnglishTokenizer()(w)] or [w]  # 'high-strength' -> 2 terms
        for field in ("title_en", "title", "body"):
            alts.append(Q.And([Q.Term(field, t) for t in parts]) if len(parts) > 1
                        else Q.Term(field, parts[0]))
        if _NUMBERISH.search(w):  # codes that are not standard numbers (credit codes …)
            alts.append(Q.Term("numkeys", numbers.compact(word).lower()))
    return (Q.Or(alts) if alts else Q.NullQuery), marks


def plan(text: str) -> Plan:
    """Turn typed text into a Whoosh query."""
    phrases, tokens = _split(text)
    keys, words = _find_numbers(tokens)
    clauses: list[Any] = []
    marks: list[str] = []
    for key in keys:
        clauses.append(Q.Or([Q.Term("numkeys", key), Q.Term("adopt", key),
                             Q.Term("cites", key)]))
    for word in words:
        clause, m = _word_clause(word)
        clauses.append(clause)
        marks.extend(m)
    for phrase in phrases:
        grams = bigrams(phrase)
        en = [t for t in re.findall(r"[a-z0-9]+", phrase)]
        alts = []
        if grams:
            alts.append(Q.Phrase("title_bi", grams) if len(grams) > 1 else Q.Term("title_bi", grams[0]))
            # body text has no positions (index size): all its bigrams must occur
            alts.append(Q.And([Q.Term("body_bi", g) for g in grams]))
        if en and not is_cjk(phrase):
            alts.append(Q.Phrase("title_en", en) if len(en) > 1 else Q.Term("title_en", en[0]))
        if alts:
            clauses.append(Q.Or(alts))
            marks.append(phrase)
    if not clauses:
        query: Any = Q.Every()
    elif len(clauses) == 1:
        query = clauses[0]
    else:
        query = Q.And(clauses)
    if words and not keys and not phrases and len(words) > 1:
        # several words typed in title order: reward titles that hold them exactly so
        # (an exact title query finds its record first, not every shorter title)
        exact = " ".join(words)
        grams = bigrams(exact)
        if is_cjk(exact) and len(grams) > 1:
            # slop 2: the bigram field leaves one position free between runs of characters
            query = Q.AndMaybe(query, Q.Phrase("title_bi", grams, slop=2, boost=4.0))
        elif not is_cjk(exact):
            en = [t.text for t in EnglishTokenizer()(exact)]
            if len(en) > 1:
                query = Q.AndMaybe(query, Q.Phrase("title_en", en, boost=4.0))
    elif len(words) == 1 and is_cjk(words[0]) and len(bigrams(words[0])) > 1:
        query = Q.AndMaybe(query, Q.Phrase("title_bi", bigrams(words[0]), boost=2.0))
    return Plan(query, keys, words, phrases, marks)


def filters(params: SearchParams, today: int) -> Any:
    parts: list[Any] = []
    for name in ("kind", "level", "nature", "org"):
        value = getattr(params, name)
        if value:
            parts.append(Q.Term(name, str(value).strip().lower() if name != "org"
                                else str(value).strip().upper()))
    if params.ics:
        parts.append(Q.Term("ics", params.ics.strip()))
    if params.region:
        parts.append(Q.Term("region", params.region.strip()))
    if params.industry:
        parts.append(Q.Term("industry", params.industry.strip().upper()))
    if params.year:
        parts.append(Q.NumericRange("year", params.year, params.year))
    if params.status:
        parts.append(status_query(params.status, today))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


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


def run(searcher: Searcher, params: SearchParams) -> SearchResult:
    """Execute a search: the page of hits, totals, facets, did-you-mean."""
    today = date_int(params.today or dt.date.today())
    p = plan(params.q)
    flt = filters(params, today)
    want = params.page * params.per_page
    sample = max(want, FACET_SAMPLE if params.facets else 0, 50)
    kwargs: dict[str, Any] = {"limit": sample, "filter": flt, "terms": False}
    if params.sort == "number":
        kwargs.update(sortedby="sortnum")
    elif params.sort == "date":
        kwargs.update(sortedby="effective", reverse=True)
    elif isinstance(p.query, Q.Every):
        kwargs.update(sortedby="sortnum")  # browsing: a stable order costs less than scores
    results = searcher.search(p.query, optimize=True, **kwargs)
    exact = results.has_exact_length()
    total = len(results) if exact else results.estimated_length()
    scored = results.scored_length()
    hits: list[Hit] = []
    facet_counts: dict[str, dict[str, int]] = {}
    for i in range(scored):
        docnum = results.docnum(i)
        stored = searcher.stored_fields(docnum)
        kind, _, ident = stored["id"].partition(":")
        status = status_of(stored, today) if kind == "standard" else None
        score = results.score(i) or 0.0
        hits.append(Hit(kind, int(ident), score, status))
        if params.facets:
            for name, values in _facet_values(stored, today).items():
                bucket = facet_counts.setdefault(name, {})
                for v in values:
                    bucket[v] = bucket.get(v, 0) + 1
    if params.sort == "relevance" and not isinstance(p.query, Q.Every):
        # current editions ahead of replaced ones with a similar score
        hits.sort(key=lambda h: -(h.score * STATUS_WEIGHT.get(h.status or "current", 1.0)))
    page_hits = hits[(params.page - 1) * params.per_page: want]
    if not exact and total < scored:
        total = scored
    result = SearchResult(
        hits=page_hits, total=total, total_exact=exact,
        facets={k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))
                for k, v in facet_counts.items()},
        facets_exact=exact and total <= scored,
        terms=p.highlight, number_terms=p.numbers,
    )
    if total == 0 and p.numbers:
        result.did_you_mean = did_you_mean(searcher, params.q, p.numbers)
    return result


def did_you_mean(searcher: Searcher, text: str, keys: list[str]) -> str | None:
    """A corrected number for a misspelt one (edit distance over the number keys)."""
    corrector = searcher.corrector("numkeys")
    for key in keys:
        for dist in (1, 2):
            found = corrector.suggest(key, limit=1, maxdist=dist)
            if found:
                fixed = found[0]
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
