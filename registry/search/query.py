"""Query planning over the Whoosh index: parse, filter, score, facet, suggest.

Planning rules (measured with bench/search.py on a million documents): number look-ups
are single rare terms and go first; text words become an AND of per-word alternatives
across fields. Nothing visits every match of a common word: only the top of the ranking
is scored (Whoosh skips blocks that cannot enter it, ``optimize=True``); the total is
counted when small and otherwise estimated from evenly spread windows of the index, whose
matches are also the sample the facets are counted (and scaled) from; filters are
intersected term by term, the status is read from the date columns of visited documents
only; sorting by date looks at recent windows first, browsing walks the number order.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as Q
from whoosh.idsets import DocIdSet
from whoosh.searching import Searcher

from registry import numbers
from registry.search.analysis import EnglishTokenizer, bigrams, is_cjk, jieba_words, normalise
from registry.search.index import NEVER, date_int
from registry.standards.models import LEVELS as STANDARD_LEVELS

FACETS = ("kind", "level", "status", "nature", "org", "ics", "year", "region", "industry")
SORTS = ("relevance", "number", "date")
FACET_SAMPLE = 200  # matches whose facets are counted (then scaled) when there are more
COUNT_VISITS = 2000  # matches looked at to estimate a larger total
WINDOWS = 32  # evenly spread stretches of the index those matches come from
RERANK = 40  # best-scored candidates re-ranked by status (the first pages stay stable)
DATE_WINDOWS = (30, 182, 730, 3650, None)  # days back tried in turn when sorting by date
SORT_ALL = 5000  # browsing more matches than this walks the number order instead of sorting
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


class _Where(DocIdSet):
    """Documents passing a status test, read from the date columns (never a set built up
    front: the test runs only on documents the search actually visits)."""

    def __init__(self, searcher: Searcher, status: str, today: int) -> None:
        reader = searcher.reader()
        self.searcher = searcher
        self.status = status
        self.today = today
        self.effective = reader.column_reader("effective")
        self.withdrawn = reader.column_reader("withdrawn")

    def __bool__(self) -> bool:
        return True

    def __contains__(self, docnum: Any) -> bool:
        withdrawn = self.withdrawn[docnum] or NEVER
        if self.status in ("replaced", "abolished"):
            if withdrawn > self.today:
                return False
            ended = self.searcher.stored_fields(docnum).get("end_kind") or "abolished"
            return ended == self.status
        if withdrawn <= self.today:
            return False
        upcoming = (self.effective[docnum] or 0) > self.today
        return upcoming if self.status == "upcoming" else not upcoming


def _tags(params: SearchParams) -> list[tuple[str, str | int]]:
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


def _tag_query(tags: list[tuple[str, str | int]]) -> Any:
    # boost 0: a filter adds nothing to scores (Whoosh's Require, which says the same,
    # trips an assertion when it skips blocks)
    parts = [Q.NumericRange(f, v, v, constantscore=False, boost=0.0) if f == "year"
             else Q.Term(f, v, boost=0.0) for f, v in tags]
    return None if not parts else parts[0] if len(parts) == 1 else Q.And(parts)


def _tags_hold(tags: list[tuple[str, str | int]], stored: dict[str, Any]) -> bool:
    """The tag filters, evaluated on a document's stored fields."""
    for name, value in tags:
        have = stored.get(name)
        if name in ("ics", "region", "industry"):
            if value not in (have or "").split():
                return False
        elif have != value:
            return False
    return True


def _upper(q: Any, reader: Any) -> int:
    """At least as many documents as ``q`` can match (cheap: from term statistics)."""
    if isinstance(q, Q.Every):
        return int(reader.doc_count_all())
    if isinstance(q, Q.Require):
        return min(_upper(q.a, reader), _upper(q.b, reader))
    if isinstance(q, Q.AndMaybe | Q.AndNot):
        return _upper(q.a, reader)
    try:
        return int(q.estimate_size(reader))
    except (NotImplementedError, AttributeError):
        return int(reader.doc_count_all())


@dataclass
class _Count:
    total: int
    exact: bool
    sample: list[int]  # documents for the facet counts, spread over the match set


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
    """The number of matches (exact when cheap, else estimated from evenly spread windows
    of the document space) and a spread-out sample of them for the facets."""
    reader = searcher.reader()
    if isinstance(q, Q.Every) and where is None:
        total = searcher.doc_count()
        step = max(1, reader.doc_count_all() // FACET_SAMPLE)
        sample = [d for d in range(0, reader.doc_count_all(), step) if not reader.is_deleted(d)]
        return _Count(total, True, sample[:FACET_SAMPLE])
    n = reader.doc_count_all()
    cover = min(1.0, COUNT_VISITS / max(1, _upper(q, reader)))
    while True:
        if cover >= 0.5:
            found = _matching(searcher, q, where, None)
            return _Count(len(found), True, _spread(found, FACET_SAMPLE))
        width = max(1, int(n * cover / WINDOWS))
        windows = [(i * n // WINDOWS, i * n // WINDOWS + width) for i in range(WINDOWS)]
        found = _matching(searcher, q, where, windows)
        if len(found) >= 100:
            covered = sum(hi - lo for lo, hi in windows)
            total = round(len(found) * n / covered)
            return _Count(total, False, _spread(found, FACET_SAMPLE))
        cover *= 8  # too few to estimate from: look at more of the index


def _spread(docs: list[int], k: int) -> list[int]:
    if len(docs) <= k:
        return docs
    return [docs[i * len(docs) // k] for i in range(k)]


def _ranked(searcher: Searcher, q: Any, where: _Where | None,
            want: int) -> list[tuple[int, float]]:
    # Only the top is scored exactly (Whoosh skips blocks that cannot enter it); the few
    # extra candidates let current editions overtake replaced ones of similar score.
    results = searcher.search(q, limit=max(want, RERANK), optimize=True, terms=False,
                              filter=where)
    return [(results.docnum(i), results.score(i) or 0.0)
            for i in range(results.scored_length())]


def _by_date(searcher: Searcher, q: Any, where: _Where | None, want: int,
             today: dt.date) -> list[int]:
    """Newest first. Sorting collects every match, so look at recent windows first: the
    newest ``want`` documents of a window are the newest of all when it holds that many."""
    for days in DATE_WINDOWS:
        qq = q
        if days is not None:
            since = Q.NumericRange("effective", date_int(today - dt.timedelta(days=days)),
                                   None, constantscore=False, boost=0.0)
            qq = since if isinstance(q, Q.Every) else Q.And([q, since])
        results = searcher.search(qq, limit=want, sortedby="effective", reverse=True,
                                  filter=where, terms=False)
        if days is None or results.scored_length() >= want:
            return [results.docnum(i) for i in range(results.scored_length())]
    return []


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
    results = searcher.search(q, limit=want, sortedby="sortnum", filter=where, terms=False)
    return [results.docnum(i) for i in range(results.scored_length())]


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
    q = p.query if tag_q is None else tag_q if browsing else Q.And([p.query, tag_q])
    count = _count(searcher, q, where)
    want = params.page * params.per_page
    scored: list[tuple[int, float]] = []
    if count.total:
        if params.sort == "date":
            scored = [(d, 0.0) for d in _by_date(searcher, q, where, want, day)]
        elif params.sort == "number" or browsing:
            scored = [(d, 0.0) for d in _by_number(searcher, q, where, want, tags,
                                                  count.total, browsing)]
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
    corrector = searcher.corrector("numkeys")
    for key in keys:
        # Candidates share the prefix letters and the first digit: without a prefix the
        # corrector measures the distance to every number key in the index.
        head = len(key) - len(key.lstrip("abcdefghijklmnopqrstuvwxyz/")) + 1
        for dist in (1, 2):
            found = corrector.suggest(key, limit=1, maxdist=dist, prefix=min(head, len(key)))
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
